package dev.quotient.controller;

import static dev.quotient.api.QuotientLabels.LAST_ACTIVITY;

import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectStatus;
import dev.quotient.lifecycle.Lifecycle;
import dev.quotient.lifecycle.LifecycleDecision;
import dev.quotient.lifecycle.ProjectObservation;
import dev.quotient.lifecycle.Step;
import dev.quotient.settings.Settings;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.timers.GpuActivityTracker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each Project as its spec asks, in one sequence: observe (caches), decide (the pure {@link
 * Lifecycle}), act (start, or delete the pod), record (Events, then one status write), and look
 * again when the decision says. What deleted Projects leave behind goes with {@link
 * DeletedProjectSweep}.
 */
@ControllerConfiguration(name = "project", generationAwareEventProcessing = false)
public final class ProjectReconciler implements Reconciler<Project>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProjectReconciler.class);

  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;
  private final ReconcileErrorStatus errors;
  private final NodeCache nodes;
  private final OperatorMetrics metrics;
  private final GpuActivityTracker gpus;
  private ProjectObserver observer;
  private ProjectStarter starter;
  private ProjectTimerDriver timers;
  private DeletedProjectSweep sweep;
  private KubernetesClient client;
  private volatile ProjectCaches caches;
  private volatile IndexerResourceCache<Project> primary;
  private volatile ProjectPodEventSource pods;
  // Which Projects this instance has reconciled at least once: how a cold start is measured.
  private final java.util.Set<ResourceID> reconciled =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  ProjectReconciler(
      SettingsStore settings,
      LeaseLedger ledger,
      NodeCache nodes,
      EventRecorder events,
      Clock clock,
      OperatorMetrics metrics,
      GpuActivityTracker gpus) {
    this.metrics = metrics;
    this.gpus = gpus;
    this.settings = settings;
    this.nodes = nodes;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
    this.errors = new ReconcileErrorStatus(events, clock);
  }

  @Override
  public List<EventSource<?, Project>> prepareEventSources(EventSourceContext<Project> context) {
    client = context.getClient();
    ProjectEventSources sources = new ProjectEventSources(context, ledger, nodes, settings, clock);
    pods = sources.pods;
    observer =
        new ProjectObserver(sources.pods, sources.caches, sources.homes, ledger, client, gpus);
    starter = new ProjectStarter(ledger, client, sources.caches, metrics);
    metrics.countProjectsByPhase(context.getPrimaryCache()::list);
    timers = sources.timers;
    var projectCache = context.getPrimaryCache();
    sweep = new DeletedProjectSweep(sources.pods, projectCache::get, ledger, client);
    timers.every(DeletedProjectSweep.EVERY, sweep);
    caches = sources.caches;
    primary = context.getPrimaryCache();
    return sources.all;
  }

  /** The start-up rebuild of the ledger from the project pods (pending until they are listed). */
  ProjectPodEventSource.LedgerRebuild ledgerRebuild() {
    ProjectPodEventSource source = pods;
    return source == null ? ProjectPodEventSource.LedgerRebuild.PENDING : source.ledgerRebuild();
  }

  @Override
  public UpdateControl<Project> reconcile(Project project, Context<Project> context) {
    Instant now = clock.instant();
    Settings s = settings.current();
    sweep.reconciling();
    ProjectObservation seen = observer.observe(project, s, now);
    LifecycleDecision decision = Lifecycle.decide(seen, s, now);
    if (decision.step() instanceof Step.Start) {
      decision = Lifecycle.afterStart(seen, starter.start(project, s, now), s, now).after(decision);
    } else {
      act(seen.key(), decision.step());
    }
    log.debug("project {}: {} -> {}", seen.key(), seen.previous().getPhase(), decision);
    decision.events().forEach(e -> events.record(project, e));
    if (decision.status() != null) {
      write(project, seen, decision, now, context);
    }
    ResourceID id = ResourceID.fromResource(project);
    timers.schedule(id, decision.nextLook());
    reconciled.add(id);
    return UpdateControl.noUpdate();
  }

  /** How many of the cached Projects this instance has reconciled at least once. */
  int reconciledOnce() {
    IndexerResourceCache<Project> cache = primary;
    return cache == null
        ? 0
        : (int) cache.list().filter(p -> reconciled.contains(ResourceID.fromResource(p))).count();
  }

  /** What one look at every cached Project, as its timer takes it, would do. */
  public record LookPass(int projects, int wouldAct, int wouldWriteStatus) {}

  /**
   * Observes and decides every cached Project once, as each one's next look does, without acting or
   * writing: what a full round of the timers costs, and whether a steady state needs writes.
   */
  LookPass lookAtAll() {
    IndexerResourceCache<Project> cache = primary;
    if (cache == null) {
      return new LookPass(0, 0, 0);
    }
    Instant now = clock.instant();
    Settings s = settings.current();
    int projects = 0;
    int act = 0;
    int write = 0;
    for (Project project : cache.list().toList()) {
      projects++;
      ProjectObservation seen = observer.observe(project, s, now);
      LifecycleDecision d = Lifecycle.decide(seen, s, now);
      if (d.step() instanceof Step.Start
          || d.step() instanceof Step.DeletePod
          || d.step() instanceof Step.DeleteProject) {
        act++;
      } else if (d.status() != null) {
        ProjectStatus next =
            new ProjectStatusBuilder(seen.previous(), project.getMetadata().getGeneration(), now)
                .lastActivity(shownActivity(project))
                .apply(d.status())
                .build();
        if (!java.util.Objects.equals(next, project.getStatus())) {
          write++;
        }
      }
    }
    return new LookPass(projects, act, write);
  }

  /**
   * Every step but a start leaves the wait queues; a pod deletion is the one write, or the deletion
   * of a finished run's Project once its record was kept long enough.
   */
  private void act(ProjectKey key, Step step) {
    ledger.forget(key);
    if (step instanceof Step.DeletePod delete) {
      log.info("project {}: deleting pod {} ({})", key, delete.podName(), delete.reason());
      client.pods().inNamespace(key.namespace()).withName(delete.podName()).delete();
    } else if (step instanceof Step.DeleteProject) {
      log.info("project {}: finished run kept for ephemeralRetention: deleting the Project", key);
      client.resources(Project.class).inNamespace(key.namespace()).withName(key.name()).delete();
    }
  }

  /** One status write, with the resourceVersion, and none when nothing changed. */
  private void write(
      Project project,
      ProjectObservation seen,
      LifecycleDecision d,
      Instant now,
      Context<Project> c) {
    ProjectStatus next =
        new ProjectStatusBuilder(seen.previous(), project.getMetadata().getGeneration(), now)
            .lastActivity(shownActivity(project))
            .apply(d.status())
            .build();
    StatusRecorder.record(project, next, c);
  }

  @Override
  public ErrorStatusUpdateControl<Project> updateErrorStatus(
      Project project, Context<Project> context, Exception e) {
    return errors.record(project, context, e);
  }

  /** The Projects in the cache (for the dashboard; empty before the event sources exist). */
  List<Project> cached() {
    IndexerResourceCache<Project> cache = primary;
    return cache == null ? List.of() : cache.list().toList();
  }

  /** The admission limits as the caches have them now (for the dashboard). */
  AdmissionLimits limits(Settings s) {
    ProjectCaches c = caches;
    return c == null ? AdmissionLimits.NONE : c.limits(s);
  }

  /** Moves the timers on after a fake clock was moved (tests). */
  public void checkTimersNow() {
    timers.nudge();
  }

  @Override
  public void close() {
    if (timers != null) {
      timers.close();
    }
  }

  /**
   * The activity shown in status: hubs may bump the annotation every few seconds, and mirroring
   * each bump would be a status write each time, so the shown value moves in steps of a minute.
   */
  private static String shownActivity(Project project) {
    Map<String, String> a = project.getMetadata().getAnnotations();
    String current = a == null ? null : a.get(LAST_ACTIVITY);
    String shown = project.getStatus() == null ? null : project.getStatus().getLastActivity();
    Instant c = ProjectObserver.parse(current);
    Instant sh = ProjectObserver.parse(shown);
    return c != null && sh != null && !c.isBefore(sh) && c.isBefore(sh.plusSeconds(60))
        ? shown
        : current;
  }
}
