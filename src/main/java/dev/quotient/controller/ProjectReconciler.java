package dev.quotient.controller;

import static dev.quotient.api.QuotientLabels.LAST_ACTIVITY;
import static dev.quotient.api.QuotientLabels.REQUESTED_LICENSES;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DesiredState;
import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.Durations;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.QuotaOutcome;
import dev.quotient.settings.Settings;
import dev.quotient.status.PodObservation;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.status.Reason;
import dev.quotient.status.StartRecord;
import dev.quotient.timers.ProjectTimers;
import dev.quotient.timers.TimerDecision;
import dev.quotient.timers.TimerInput;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each Project as its spec asks: observe (pod, licenses, namespace from the caches), decide
 * (quota, admission, desired pod: pure code), act (create or delete one pod), then write the status
 * once, and not at all when nothing changed.
 */
@ControllerConfiguration(name = "project", generationAwareEventProcessing = false)
public final class ProjectReconciler implements Reconciler<Project> {
  private static final Logger log = LoggerFactory.getLogger(ProjectReconciler.class);
  static final String BY_LICENSE = "byLicense";
  private static final Set<String> STOP_REASONS_THAT_HOLD =
      Set.of("PodFailed", "IdleTimeout", "MaxDuration", "PendingTimeout");

  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;
  private ProjectPodEventSource pods;
  private KubernetesClient client;
  private ProjectStarter starter;

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
    primary.addIndexers(
        Map.of(
            BY_LICENSE,
            p ->
                p.getSpec() == null || p.getSpec().getLicenses() == null
                    ? List.of()
                    : p.getSpec().getLicenses()));
    client = context.getClient();
    pods = new ProjectPodEventSource(context, ledger);
    var licenses =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(License.class, Project.class)
                .withName("licenses")
                .withSecondaryToPrimaryMapper(
                    l ->
                        primary.byIndex(BY_LICENSE, l.getMetadata().getName()).stream()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    var namespaces =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Namespace.class, Project.class)
                .withName("namespaces")
                .withSecondaryToPrimaryMapper(ns -> Set.of())
                .build(),
            context);
    // Nodes and ResourceQuotas change the limits: wake the waiting projects they may concern.
    var nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, Project.class)
                .withName("nodes")
                .withSecondaryToPrimaryMapper(n -> waiting(null))
                .build(),
            context);
    var quotas =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ResourceQuota.class, Project.class)
                .withName("resourcequotas")
                .withSecondaryToPrimaryMapper(q -> waiting(q.getMetadata().getNamespace()))
                .build(),
            context);
    SimpleInboundEventSource<Project> wake = new SimpleInboundEventSource<>("wake");
    ledger.onRelease(lease -> waiting(null).forEach(wake::propagateEvent));
    settings.onChange(next -> waiting(null).forEach(wake::propagateEvent));
    ProjectCaches caches = new ProjectCaches(licenses, namespaces, nodes, quotas);
    starter =
        new ProjectStarter(
            ledger,
            client,
            caches,
            k -> primary.get(new ResourceID(k.name(), k.namespace())).isPresent());
    return List.of(pods, licenses, namespaces, nodes, quotas, wake);
  }

  /** Waiting projects (of one namespace, or all when null), in wake-up order. */
  private Set<ResourceID> waiting(String namespace) {
    return ledger.queue().stream()
        .filter(k -> namespace == null || k.namespace().equals(namespace))
        .map(k -> new ResourceID(k.name(), k.namespace()))
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  @Override
  public UpdateControl<Project> reconcile(Project project, Context<Project> context) {
    Instant now = clock.instant();
    Settings s = settings.current();
    ProjectKey key =
        new ProjectKey(project.getMetadata().getNamespace(), project.getMetadata().getName());
    String podName = ProjectPodFactory.podName(key.name());
    Pod pod = pods.get(new ResourceID(podName, key.namespace())).orElse(null);
    if (pod == null && ledger.lease(key).isPresent()) {
      // The ledger holds a lease for a pod our cache has not seen: the cache may be older than
      // our own create (a lagging watch). Ask the API server rather than start a second time.
      pod = client.pods().inNamespace(key.namespace()).withName(podName).get();
    }
    boolean wantRunning =
        project.getSpec() == null || project.getSpec().getDesiredState() != DesiredState.Stopped;
    boolean stopping =
        !wantRunning
            && project.getStatus() != null
            && project.getStatus().getPhase() == ProjectPhase.Stopping;
    if (pod != null && (overdue(pod, now) || stopping)) {
      // We asked for its deletion already, or it is terminating well past its deadline: the
      // DELETED event may never come (an unobserved state), so ask the API server; a pod it no
      // longer has holds nothing.
      Pod live = client.pods().inNamespace(key.namespace()).withName(podName).get();
      if (live == null) {
        log.info(
            "project {}: pod {} is gone although our cache still had it; releasing its lease",
            key,
            podName);
        ledger.releaseIfPod(key, podName);
      }
      pod = live;
    }
    ProjectStatusBuilder status =
        new ProjectStatusBuilder(project.getStatus(), project.getMetadata().getGeneration(), now)
            .lastActivity(shownActivity(project));

    if (pod != null && !ownedBy(pod, project)) {
      status.phase(
          ProjectPhase.Stopping,
          Reason.Stopping,
          "Waiting for pod " + podName + " of an earlier project with the same name to go away");
      return write(project, status.build(), Duration.ofSeconds(5), context);
    }
    if (!wantRunning) {
      // While its pod terminates, look again now and then: the pod's DELETED event is what
      // normally finishes the stop, and an event can be lost.
      return write(
          project,
          stop(project, pod, status, now, s),
          pod == null ? null : Duration.ofSeconds(15),
          context);
    }
    if (pod != null) {
      Observed observed = observeRunning(project, pod, status, now, s);
      return write(project, observed.status(), observed.recheck(), context);
    }
    if (heldStopped(project, now, s)) {
      ProjectStatus prev = project.getStatus();
      ProjectPhase phase =
          prev.getPhase() == ProjectPhase.Failed ? ProjectPhase.Failed : ProjectPhase.Stopped;
      String message =
          prev.getPhase() == phase && prev.getMessage() != null
              ? prev.getMessage()
              : "Stopped ("
                  + prev.getStopReason()
                  + ") at "
                  + prev.getStoppedAt()
                  + "; new activity (annotation "
                  + LAST_ACTIVITY
                  + ") or a spec change starts it again";
      status
          .phase(phase, Reason.valueOf(prev.getStopReason()), message)
          .pod(null, null, null)
          .notRequested();
      Instant stoppedAt = parseTime(prev.getStoppedAt());
      Duration retry =
          "PendingTimeout".equals(prev.getStopReason()) && stoppedAt != null
              ? Duration.between(now, stoppedAt.plus(s.pendingTimeout())).plusMillis(50)
              : null;
      return write(project, status.build(), retry, context);
    }
    ProjectStatus started = start(project, key, status, now, s);
    // A waiting project is retried on every release, limit change and at least this often.
    Duration retry =
        started.getPhase() == ProjectPhase.WaitingForResources
            ? Duration.ofSeconds(15)
            : started.getPodName() == null ? Duration.ofSeconds(2) : Duration.ofSeconds(30);
    return write(project, started, retry, context);
  }

  private ProjectStatus stop(
      Project project, Pod pod, ProjectStatusBuilder status, Instant now, Settings s) {
    ledger.forget(
        new ProjectKey(project.getMetadata().getNamespace(), project.getMetadata().getName()));
    previewQuota(project, status, now, s);
    status.notRequested();
    if (pod != null) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        deletePod(pod);
        events.normal(
            project, Reason.Stopping, "Stopping: deleting pod " + pod.getMetadata().getName());
      }
      return status
          .phase(
              ProjectPhase.Stopping,
              Reason.Stopping,
              "Stopping: pod " + pod.getMetadata().getName() + " is being deleted")
          .build();
    }
    ProjectStatus prev = project.getStatus();
    boolean alreadyStopped =
        prev != null
            && prev.getPhase() == ProjectPhase.Stopped
            && "UserStopped".equals(prev.getStopReason());
    return status
        .phase(ProjectPhase.Stopped, Reason.UserStopped, "Stopped: desiredState is Stopped")
        .pod(null, null, null)
        .stopped(
            alreadyStopped && prev.getStoppedAt() != null
                ? Instant.parse(prev.getStoppedAt())
                : now,
            "UserStopped")
        .build();
  }

  /** A status to write and when to look again (null: on the next event only). */
  private record Observed(ProjectStatus status, Duration recheck) {}

  private Observed observeRunning(
      Project project, Pod pod, ProjectStatusBuilder status, Instant now, Settings s) {
    PodObservation seen = PodObservation.of(pod);
    String podName = pod.getMetadata().getName();
    if (seen.phase() == ProjectPhase.Stopping) {
      return new Observed(
          status.phase(ProjectPhase.Stopping, Reason.Stopping, seen.message()).build(), null);
    }
    StartRecord record = StartRecord.fromJson(annotation(pod, StartRecord.ANNOTATION)).orElse(null);
    EffectiveQuotaStatus quota =
        record != null
            ? record.quota()
            : project.getStatus() == null ? null : project.getStatus().getEffectiveQuota();
    boolean always = quota != null && Boolean.TRUE.equals(quota.getAlwaysRunning());
    if (seen.phase() == ProjectPhase.Failed) {
      deletePod(pod);
      if (always) {
        events.warning(
            project, Reason.PodFailed, seen.message() + "; alwaysRunning: restarting it");
        return new Observed(
            status
                .phase(
                    ProjectPhase.Starting,
                    Reason.PodFailed,
                    seen.message() + "; restarting (alwaysRunning)")
                .pod(null, null, null)
                .build(),
            null);
      }
      events.warning(project, Reason.PodFailed, seen.message());
      return new Observed(
          status
              .phase(
                  ProjectPhase.Failed,
                  Reason.PodFailed,
                  seen.message()
                      + "; new activity (annotation "
                      + LAST_ACTIVITY
                      + ") or a spec change starts it again")
              .pod(null, null, null)
              .stopped(now, "PodFailed")
              .build(),
          null);
    }
    String started = annotation(pod, REQUESTED_LICENSES);
    String requested = String.join(",", ProjectStarter.requested(project));
    if (started != null && !started.equals(requested)) {
      if (s.restartOnLicenseChange()) {
        deletePod(pod);
        events.normal(
            project,
            Reason.LicenseChangeRestart,
            "spec.licenses changed from ["
                + started
                + "] to ["
                + requested
                + "]: restarting so the new quota applies");
        return new Observed(
            status
                .phase(
                    ProjectPhase.Stopping,
                    Reason.LicenseChangeRestart,
                    "Restarting to apply the changed licenses")
                .build(),
            null);
      }
      status.licenseNote(
          "spec.licenses changed from ["
              + started
              + "] to ["
              + requested
              + "]; the change takes effect at the next start");
    }
    TimerDecision timer =
        ProjectTimers.evaluate(
            new TimerInput(
                now,
                parseTime(pod.getMetadata().getCreationTimestamp()),
                seen.phase() == ProjectPhase.Running
                    ? firstNonNull(parseTime(seen.startedAt()), now)
                    : null,
                lastActivity(project),
                duration(quota == null ? null : quota.getIdleTimeout()),
                duration(quota == null ? null : quota.getMaxDuration()),
                always,
                s.pendingTimeout()));
    if (timer instanceof TimerDecision.Stop stop) {
      return new Observed(stopByTimer(project, pod, status, stop, always, now, seen), null);
    }
    if (record != null) {
      status.startRecord(record);
    }
    status.admitted(true, Reason.QuotaAdmitted, "Admitted: the project holds its quota");
    ProjectStatus next =
        status
            .phase(seen.phase(), seen.reason(), seen.message())
            .pod(podName, seen.nodeName(), seen.startedAt())
            .stopped(null, null)
            .build();
    Instant due = ((TimerDecision.NotDue) timer).nextDue();
    Duration recheck = s.idleCheckInterval();
    if (due != null && Duration.between(now, due).compareTo(recheck) < 0) {
      recheck = Duration.between(now, due).plusMillis(50);
    }
    return new Observed(next, recheck);
  }

  private ProjectStatus stopByTimer(
      Project project,
      Pod pod,
      ProjectStatusBuilder status,
      TimerDecision.Stop stop,
      boolean always,
      Instant now,
      PodObservation seen) {
    deletePod(pod);
    Reason reason = Reason.valueOf(stop.reason());
    if (stop.reason().equals("PendingTimeout")) {
      String msg =
          stop.message()
              + " ("
              + seen.message()
              + "); its lease is released and it retries after the same time,"
              + " or at once on new activity or a spec change";
      events.warning(project, reason, msg);
      return status
          .phase(ProjectPhase.Failed, reason, msg)
          .pod(null, null, null)
          .stopped(now, stop.reason())
          .build();
    }
    if (always) {
      events.normal(project, reason, stop.message() + "; alwaysRunning: restarting it");
      return status
          .phase(ProjectPhase.Stopping, reason, stop.message() + "; restarting (alwaysRunning)")
          .build();
    }
    events.normal(project, reason, stop.message() + "; stopping it");
    return status
        .phase(ProjectPhase.Stopping, reason, stop.message() + "; stopping")
        .stopped(now, stop.reason())
        .build();
  }

  private ProjectStatus start(
      Project project, ProjectKey key, ProjectStatusBuilder status, Instant now, Settings s) {
    ProjectStatus prev = project.getStatus();
    if (prev != null
        && prev.getPodName() != null
        && prev.getStopReason() == null
        && (prev.getPhase() == ProjectPhase.Running || prev.getPhase() == ProjectPhase.Starting)) {
      events.warning(
          project,
          Reason.PodDeleted,
          "Pod "
              + prev.getPodName()
              + " disappeared while the project should run; creating it again");
    }
    ProjectStarter.Outcome outcome;
    try {
      outcome = starter.start(project, key, s, now);
    } catch (InvalidQuantityException e) {
      events.warning(project, Reason.PodCreateFailed, "Cannot start: " + e.getMessage());
      return status
          .phase(
              ProjectPhase.Failed,
              Reason.PodCreateFailed,
              "Cannot start: " + e.getMessage() + "; fix the project's spec")
          .admitted(false, Reason.PodCreateFailed, e.getMessage())
          .build();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403
          && e.getMessage() != null
          && e.getMessage().contains("service account")) {
        // A namespace created a moment ago has no default ServiceAccount yet (the
        // controller-manager adds it within seconds): retry shortly, this is not the user's fault.
        String msg =
            "Waiting for the namespace's ServiceAccount before creating pod "
                + ProjectPodFactory.podName(key.name())
                + ": "
                + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
        log.info("project {}: {}", key, msg);
        return status
            .phase(ProjectPhase.Starting, Reason.PodCreateFailed, msg)
            .pod(null, null, null)
            .build();
      }
      if (e.getCode() == 400 || e.getCode() == 422 || e.getCode() == 403) {
        String msg =
            "The API server refused pod "
                + ProjectPodFactory.podName(key.name())
                + ": "
                + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
        events.warning(project, Reason.PodCreateFailed, msg);
        return status
            .phase(ProjectPhase.Failed, Reason.PodCreateFailed, msg)
            .admitted(false, Reason.PodCreateFailed, msg)
            .build();
      }
      throw e;
    }
    if (outcome instanceof ProjectStarter.Outcome.AwaitingLicenses a) {
      return status
          .phase(
              ProjectPhase.Starting,
              Reason.LicenseNotFound,
              "Waiting up to "
                  + ProjectStarter.LICENSE_GRACE.toSeconds()
                  + "s after creation for License(s) "
                  + a.missing()
                  + " to appear; then it starts without them")
          .build();
    }
    status.quota(outcome.quota().quota()).licenses(outcome.quota().verdicts());
    if (outcome instanceof ProjectStarter.Outcome.Waiting w) {
      String msg = "Waiting for resources: " + w.decision().message();
      events.warning(project, Reason.QuotaRejected, w.decision().message());
      return status
          .phase(ProjectPhase.WaitingForResources, Reason.QuotaRejected, msg)
          .queuePosition(w.decision().queuePosition())
          .admitted(false, Reason.QuotaRejected, msg)
          .pod(null, null, null)
          .build();
    }
    if (outcome instanceof ProjectStarter.Outcome.AlreadyExists) {
      return status
          .phase(
              ProjectPhase.Starting,
              Reason.PodCreated,
              "Pod already exists; waiting for it to show up")
          .build();
    }
    ProjectStarter.Outcome.Started started = (ProjectStarter.Outcome.Started) outcome;
    EffectiveQuota q = started.quota().quota();
    Pod created = started.pod();
    started
        .plan()
        .rejectedPatches()
        .forEach(
            r ->
                events.warning(
                    project,
                    Reason.PodPatchRejected,
                    "Pod patch of license '" + r.license() + "' not applied: " + r.reason()));
    started.quota().verdicts().stream()
        .filter(v -> !v.applied())
        .forEach(v -> events.warning(project, Reason.forLicenseState(v.state()), v.message()));
    events.normal(
        project,
        Reason.PodCreated,
        "Created pod "
            + created.getMetadata().getName()
            + " ("
            + q.limits()
            + " limits"
            + (q.nodeGroups().isEmpty() ? "" : ", node group " + q.nodeGroups().get(0))
            + ")");
    log.info(
        "project {} starting: pod {} with {}", key, created.getMetadata().getName(), q.limits());
    return status
        .phase(ProjectPhase.Starting, Reason.PodCreated, "Pod created, waiting for the scheduler")
        .rejectedPatches(started.plan().rejectedPatches())
        .admitted(true, Reason.QuotaAdmitted, "Admitted: " + q.requests() + " requested")
        .pod(created.getMetadata().getName(), null, null)
        .stopped(null, null)
        .build();
  }

  /** For a project that is not running: show what its next start would get. */
  private void previewQuota(Project project, ProjectStatusBuilder status, Instant now, Settings s) {
    ProjectKey key =
        new ProjectKey(project.getMetadata().getNamespace(), project.getMetadata().getName());
    try {
      QuotaOutcome outcome = starter.preview(project, key, s, now);
      status.quota(outcome.quota()).licenses(outcome.verdicts());
    } catch (InvalidQuantityException e) {
      status.licenseNote("spec.adminQuota cannot be used: " + e.getMessage());
    }
  }

  private boolean heldStopped(Project project, Instant now, Settings s) {
    ProjectStatus prev = project.getStatus();
    if (prev == null
        || prev.getStopReason() == null
        || !STOP_REASONS_THAT_HOLD.contains(prev.getStopReason())) {
      return false;
    }
    Instant stoppedAt = parseTime(prev.getStoppedAt());
    if ("PendingTimeout".equals(prev.getStopReason())
        && stoppedAt != null
        && !now.isBefore(stoppedAt.plus(s.pendingTimeout()))) {
      return false;
    }
    if (!Objects.equals(prev.getObservedGeneration(), project.getMetadata().getGeneration())) {
      return false;
    }
    Instant activity = parseTime(lastActivity(project));
    Instant stopped = parseTime(prev.getStoppedAt());
    return stopped != null && (activity == null || !activity.isAfter(stopped));
  }

  /**
   * Writes the status only when it changed, with optimistic locking, and caches the result so the
   * next reconcile never decides on a status older than this write.
   */
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
      // The project was deleted while we reconciled it (its status write found nothing): not an
      // error.
      log.debug(
          "project {}/{} was deleted during its reconcile",
          project.getMetadata().getNamespace(),
          project.getMetadata().getName());
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
    log.warn(
        "project {}/{}: {}",
        project.getMetadata().getNamespace(),
        project.getMetadata().getName(),
        msg,
        e);
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
          "project {}/{}: could not write the error status either: {}",
          project.getMetadata().getNamespace(),
          project.getMetadata().getName(),
          writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private UpdateControl<Project> write(
      Project project, ProjectStatus next, Duration reschedule, Context<Project> context) {
    if (!next.equals(project.getStatus())) {
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          project,
          context,
          p -> {
            p.setStatus(next);
            return p;
          });
    }
    UpdateControl<Project> control = UpdateControl.noUpdate();
    return reschedule == null ? control : control.rescheduleAfter(reschedule);
  }

  private void deletePod(Pod pod) {
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .delete();
  }

  /**
   * A pod whose deletion deadline (deletionTimestamp = request + grace period) passed 10 s ago or
   * more.
   */
  private static boolean overdue(Pod pod, Instant now) {
    Instant deadline = parseTime(pod.getMetadata().getDeletionTimestamp());
    return deadline != null && deadline.plusSeconds(10).isBefore(now);
  }

  private static boolean ownedBy(Pod pod, Project project) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> Objects.equals(r.getUid(), project.getMetadata().getUid()));
  }

  private static Duration duration(String text) {
    try {
      return text == null ? null : Durations.parse("duration", text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Instant firstNonNull(Instant a, Instant b) {
    return a != null ? a : b;
  }

  private static String annotation(Pod pod, String key) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /**
   * The activity shown in status: hubs may bump the annotation every few seconds, and mirroring
   * each bump would be a status write each time, so the shown value moves in steps of a minute.
   */
  private static String shownActivity(Project project) {
    String current = lastActivity(project);
    String shown = project.getStatus() == null ? null : project.getStatus().getLastActivity();
    Instant c = parseTime(current);
    Instant sh = parseTime(shown);
    return c != null && sh != null && !c.isBefore(sh) && c.isBefore(sh.plusSeconds(60))
        ? shown
        : current;
  }

  static String lastActivity(Project project) {
    Map<String, String> a = project.getMetadata().getAnnotations();
    return a == null ? null : a.get(LAST_ACTIVITY);
  }

  private static Instant parseTime(String text) {
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
