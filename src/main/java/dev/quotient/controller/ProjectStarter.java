package dev.quotient.controller;

import dev.quotient.admission.AdmissionDecision;
import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.AdmissionRequest;
import dev.quotient.admission.BottleneckResource;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.admission.TeamLabels;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.lifecycle.StartOutcome;
import dev.quotient.pod.PodPlan;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.QuotaOutcome;
import dev.quotient.settings.Settings;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.status.StartRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting a project, Kueue-style: admission decides and reserves the lease in one call under the
 * ledger's lock; the pod is built and created outside it, and the lease released if the create
 * fails. Two projects can never take the same last slot, and one slow create does not hold up the
 * others.
 */
final class ProjectStarter {
  private static final Logger log = LoggerFactory.getLogger(ProjectStarter.class);
  private final LeaseLedger ledger;
  private final KubernetesClient client;
  private final ProjectCaches caches;
  private final OperatorMetrics metrics;

  ProjectStarter(
      LeaseLedger ledger, KubernetesClient client, ProjectCaches caches, OperatorMetrics metrics) {
    this.metrics = metrics;
    this.ledger = ledger;
    this.client = client;
    this.caches = caches;
  }

  /** Throws for API errors that a retry with backoff may cure (5xx, timeouts). */
  StartOutcome start(Project project, Settings s, Instant now) {
    ProjectKey key = ProjectObserver.key(project);
    Map<String, License> known = caches.licensesByName(ProjectObserver.requested(project));
    Map<String, String> nsLabels = caches.namespaceLabels(key.namespace());
    AdmissionLimits limits = caches.limits(s);
    List<String> skipped =
        project.getStatus() == null || project.getStatus().getSkippedNodeGroups() == null
            ? List.of()
            : project.getStatus().getSkippedNodeGroups();
    // Read before admit, which takes the project out of the queue.
    Instant requested =
        ledger.waiting(key).map(dev.quotient.admission.WaitingProject::since).orElse(now);
    AdmissionDecision decision;
    try {
      decision =
          ledger.admit(
              key,
              slots ->
                  request(
                      project,
                      skipped,
                      ProjectObserver.quota(
                              project,
                              key,
                              known,
                              nsLabels,
                              s,
                              now,
                              lic ->
                                  slots.heldByOthers(lic)
                                      < ProjectObserver.runLimit(known.get(lic)))
                          .quota()),
              limits,
              now,
              s.backfillFor());
    } catch (InvalidQuantityException e) {
      ledger.forget(key);
      return new StartOutcome.InvalidSpec(e.getMessage());
    }
    if (decision instanceof AdmissionDecision.Waiting waiting) {
      QuotaOutcome shown =
          ProjectObserver.quota(
              project,
              key,
              known,
              nsLabels,
              s,
              now,
              lic -> ledger.licenseUse(lic, key) < ProjectObserver.runLimit(known.get(lic)));
      return new StartOutcome.Waiting(shown, waiting);
    }
    var lease = ((AdmissionDecision.Admitted) decision).lease();
    metrics.admitted(java.time.Duration.between(requested, now));
    // The same quota admission computed: the licenses that got a run slot are the lease's.
    QuotaOutcome outcome =
        ProjectObserver.quota(project, key, known, nsLabels, s, now, lease.licenses()::contains);
    EffectiveQuota q = outcome.quota();
    QuotaOutcome placed =
        new QuotaOutcome(
            q.nodeGroups().isEmpty() ? q : q.onNodeGroup(lease.nodeGroup()), outcome.verdicts());
    PodPlan plan = new ProjectPodFactory(s.pod()).desiredPod(project, placed.quota());
    plan.pod()
        .getMetadata()
        .getAnnotations()
        .put(
            StartRecord.ANNOTATION,
            new StartRecord(
                    ProjectStatusBuilder.toStatus(placed.quota()),
                    ProjectStatusBuilder.toResults(placed.verdicts()),
                    plan.rejectedPatches(),
                    now.toString())
                .toJson());
    TeamLabels.apply(plan.pod(), lease.team());
    try {
      client.pods().inNamespace(key.namespace()).resource(plan.pod()).create();
      log.info(
          "project {} starting: pod {} with {}", key, lease.podName(), placed.quota().limits());
      return new StartOutcome.Started(placed, lease.podName(), plan.rejectedPatches());
    } catch (RuntimeException e) {
      ledger.releaseIfPod(key, lease.podName());
      PodCreateErrors.Kind kind = PodCreateErrors.classify(e);
      String said =
          e instanceof io.fabric8.kubernetes.client.KubernetesClientException ke
              ? PodCreateErrors.message(ke)
              : String.valueOf(e.getMessage());
      return switch (kind) {
        case AlreadyExists -> new StartOutcome.AlreadyExists(placed);
        case NamespaceQuota ->
            new StartOutcome.Waiting(
                placed,
                ledger.waitOutside(
                    request(project, List.of(), placed.quota()),
                    BottleneckResource.NamespaceQuota,
                    "namespace quota: " + said,
                    now));
        case ServiceAccountMissing -> {
          String msg =
              "Waiting for the namespace's ServiceAccount before creating pod "
                  + lease.podName()
                  + ": "
                  + said;
          log.info("project {}: {}", key, msg);
          yield new StartOutcome.RetrySoon(msg);
        }
        case Refused ->
            new StartOutcome.Refused("The API server refused pod " + lease.podName() + ": " + said);
        case Transient -> throw e;
      };
    }
  }

  /**
   * What admission is asked for; node groups the pod could not be scheduled in are passed over
   * while others remain (when none remains, the whole list is tried again).
   */
  private static AdmissionRequest request(
      Project project, List<String> skippedGroups, EffectiveQuota q) {
    ProjectKey key = ProjectObserver.key(project);
    List<String> groups = q.nodeGroups().stream().filter(g -> !skippedGroups.contains(g)).toList();
    return new AdmissionRequest(
        key,
        ProjectPodFactory.podName(key.name()),
        q.requests(),
        q.limits(),
        q.appliedLicenses(),
        groups.isEmpty() ? q.nodeGroups() : groups,
        q.gpuResource(),
        project.getSpec() != null && project.getSpec().isEphemeral(),
        preemptible(project) || q.preemptible());
  }

  /** spec.preemptible, read at each start (a license or adminQuota may make it so too). */
  static boolean preemptible(Project project) {
    return project.getSpec() != null && Boolean.TRUE.equals(project.getSpec().getPreemptible());
  }

  /** The request a waiting project made, for rebuilding the queues after a restart. */
  static AdmissionRequest restoredRequest(
      Project project, ProjectCaches caches, Settings s, Instant now) {
    ProjectKey key = ProjectObserver.key(project);
    Map<String, License> known = caches.licensesByName(ProjectObserver.requested(project));
    return request(
        project,
        List.of(),
        ProjectObserver.quota(
                project, key, known, caches.namespaceLabels(key.namespace()), s, now, lic -> true)
            .quota());
  }
}
