package dev.quotient.controller;

import static dev.quotient.api.QuotientLabels.LAST_ACTIVITY;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.lifecycle.Lifecycle;
import dev.quotient.lifecycle.LifecycleDecision;
import dev.quotient.lifecycle.Notice;
import dev.quotient.lifecycle.ProjectObservation;
import dev.quotient.lifecycle.Step;
import dev.quotient.settings.Settings;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.status.Reason;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each Project as its spec asks, in one sequence: observe (caches), decide (the pure {@link
 * Lifecycle}), act (start, or delete the pod), record (Events and one status write), and look again
 * when the decision says. Also called for deleted Projects, so their pods and queue places go with
 * them.
 */
@ControllerConfiguration(name = "project", generationAwareEventProcessing = false)
public final class ProjectReconciler implements Reconciler<Project>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProjectReconciler.class);
  static final String BY_LICENSE = "byLicense";

  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;
  private ProjectObserver observer;
  private ProjectStarter starter;
  private ProjectTimerDriver timers;
  private DeletedProjectSweep sweep;
  private KubernetesClient client;

  public ProjectReconciler(
      SettingsStore settings, LeaseLedger ledger, EventRecorder events, Clock clock) {
    this.settings = settings;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Project>> prepareEventSources(EventSourceContext<Project> context) {
    var primary = context.getPrimaryCache();
    client = context.getClient();
    primary.addIndexers(Map.of(BY_LICENSE, ProjectObserver::requested));
    var pods = new ProjectPodEventSource(context, ledger);
    var licenses =
        informer(context, License.class, "licenses", l -> byLicense(context, l.getMetadata()));
    var namespaces = informer(context, Namespace.class, "namespaces", ns -> Set.of());
    // Nodes and ResourceQuotas change the limits: wake the waiting projects they may concern.
    var nodes = informer(context, Node.class, "nodes", n -> waiting(null));
    var quotas =
        informer(
            context,
            ResourceQuota.class,
            "resourcequotas",
            q -> waiting(q.getMetadata().getNamespace()));
    SimpleInboundEventSource<Project> wake = new SimpleInboundEventSource<>("wake");
    timers = new ProjectTimerDriver(clock, wake::propagateEvent);
    ledger.onWake(keys -> keys.forEach(k -> wake.propagateEvent(id(k))));
    settings.onChange(next -> waiting(null).forEach(wake::propagateEvent));
    ProjectCaches caches = new ProjectCaches(licenses, namespaces, nodes, quotas);
    observer = new ProjectObserver(pods, caches, ledger, context.getClient());
    starter = new ProjectStarter(ledger, context.getClient(), caches);
    sweep = new DeletedProjectSweep(pods, primary, ledger, client);
    timers.every(DeletedProjectSweep.EVERY, sweep);
    ledger.restoreQueueFrom(
        () ->
            primary
                .list()
                .filter(p -> p.getStatus() != null && p.getStatus().getWaitingSince() != null)
                .filter(p -> p.getStatus().getPhase() == ProjectPhase.WaitingForResources)
                .map(p -> restored(p, caches))
                .flatMap(java.util.Optional::stream)
                .toList());
    return List.of(pods, licenses, namespaces, nodes, quotas, wake);
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
    if (log.isDebugEnabled()) {
      log.debug(
          "project {}: {} (pod {}) -> {} {} next look {}",
          seen.key(),
          seen.previous().getPhase(),
          seen.pod() == null ? "none" : seen.pod().seen().phase(),
          decision.step(),
          decision.notices(),
          decision.nextLook());
    }
    decision.notices().forEach(n -> notify(project, n));
    if (decision.status() != null) {
      write(project, seen, decision, now, context);
    }
    timers.schedule(ResourceID.fromResource(project), decision.nextLook());
    return UpdateControl.noUpdate();
  }

  private void act(ProjectKey key, Step step) {
    ledger.forget(key);
    if (step instanceof Step.DeletePod delete) {
      log.info("project {}: deleting pod {} ({})", key, delete.podName(), delete.reason());
      client.pods().inNamespace(key.namespace()).withName(delete.podName()).delete();
    }
  }

  private void notify(Project project, Notice n) {
    if (n.warning()) {
      events.warning(project, n.reason(), n.message());
    } else {
      events.normal(project, n.reason(), n.message());
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
    if (!next.equals(project.getStatus())) {
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          project,
          c,
          p -> {
            p.setStatus(next);
            return p;
          });
    }
  }

  /**
   * A reconcile that threw (the API server down, a conflict that kept coming back): the user sees
   * Ready=False with reason ReconcileError and what went wrong, and an Event; JOSDK retries with
   * backoff, and once its retries are exhausted the next event on the project retries.
   */
  @Override
  public ErrorStatusUpdateControl<Project> updateErrorStatus(
      Project project, Context<Project> context, Exception e) {
    if (e instanceof KubernetesClientException gone
        && gone.getCode() == 404
        && context
                .getClient()
                .resources(Project.class)
                .inNamespace(project.getMetadata().getNamespace())
                .withName(project.getMetadata().getName())
                .get()
            == null) {
      // The project was deleted while we reconciled it (its status write found nothing).
      log.debug("project {} was deleted during its reconcile", ProjectObserver.key(project));
      return ErrorStatusUpdateControl.<Project>noStatusUpdate().withNoRetry();
    }
    int attempt = context.getRetryInfo().map(RetryInfo::getAttemptCount).orElse(1);
    boolean last = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
    String cause =
        e instanceof KubernetesClientException ke
                && ke.getStatus() != null
                && ke.getStatus().getMessage() != null
            ? "API server answered " + ke.getCode() + ": " + ke.getStatus().getMessage()
            : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    String msg =
        "The operator could not reconcile this project ("
            + cause
            + "); "
            + (last
                ? "gave up after "
                    + attempt
                    + " attempt(s): the next change to the project or its pod retries"
                : "retrying (attempt " + attempt + ")");
    log.warn("project {}: {}", ProjectObserver.key(project), msg, e);
    events.warning(project, Reason.ReconcileError, msg);
    ProjectStatus prev = project.getStatus();
    ProjectPhase phase =
        prev == null || prev.getPhase() == null ? ProjectPhase.Starting : prev.getPhase();
    ProjectStatus next =
        new ProjectStatusBuilder(prev, project.getMetadata().getGeneration(), clock.instant())
            .phase(phase, Reason.ReconcileError, msg)
            .build();
    try {
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          project,
          context,
          p -> {
            p.setStatus(next);
            return p;
          });
    } catch (RuntimeException writeFailed) {
      log.warn(
          "project {}: could not write the error status either: {}",
          ProjectObserver.key(project),
          writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
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

  private java.util.Optional<dev.quotient.admission.LeaseLedger.RestoredWait> restored(
      Project p, ProjectCaches caches) {
    Instant since = ProjectObserver.parse(p.getStatus().getWaitingSince());
    try {
      return since == null
          ? java.util.Optional.empty()
          : java.util.Optional.of(
              new LeaseLedger.RestoredWait(
                  ProjectObserver.key(p),
                  since,
                  ProjectStarter.restoredRequest(p, caches, settings.current(), clock.instant())));
    } catch (RuntimeException unusable) {
      return java.util.Optional.empty();
    }
  }

  /** Waiting projects (of one namespace, or all when null), in wake-up order. */
  private Set<ResourceID> waiting(String namespace) {
    return ledger.queue().stream()
        .filter(k -> namespace == null || k.namespace().equals(namespace))
        .map(ProjectReconciler::id)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static ResourceID id(ProjectKey k) {
    return new ResourceID(k.name(), k.namespace());
  }

  private static Set<ResourceID> byLicense(
      EventSourceContext<Project> context, io.fabric8.kubernetes.api.model.ObjectMeta license) {
    return context.getPrimaryCache().byIndex(BY_LICENSE, license.getName()).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSource<R, Project> informer(
          EventSourceContext<Project> context,
          Class<R> type,
          String name,
          java.util.function.Function<R, Set<ResourceID>> toProjects) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, Project.class)
            .withName(name)
            .withSecondaryToPrimaryMapper(toProjects::apply)
            .build(),
        context);
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
