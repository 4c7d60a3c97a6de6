package dev.quotient.controller;

import dev.quotient.admission.AdmissionDecision;
import dev.quotient.admission.AdmissionRequest;
import dev.quotient.admission.Bottleneck;
import dev.quotient.admission.Lease;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.pod.PodPlan;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.QuotaCalculator;
import dev.quotient.quota.QuotaInput;
import dev.quotient.quota.QuotaOutcome;
import dev.quotient.settings.Settings;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.status.StartRecord;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Starting a project, Kueue-style: inside the ledger's lock compute the quota, ask admission and
 * reserve the lease; then create the pod outside the lock and release the reservation if the create
 * fails. Two projects can therefore never take the same last slot, however many reconcile at once,
 * and one slow create does not hold up the others.
 */
final class ProjectStarter {
  /** What a start attempt came to. */
  sealed interface Outcome {
    QuotaOutcome quota();

    record Started(QuotaOutcome quota, PodPlan plan, Pod pod) implements Outcome {}

    record Waiting(QuotaOutcome quota, AdmissionDecision.Waiting decision) implements Outcome {}

    /**
     * A named License does not exist yet; a new project waits a little for it (GitOps applies in
     * any order).
     */
    record AwaitingLicenses(List<String> missing) implements Outcome {
      @Override
      public QuotaOutcome quota() {
        return null;
      }
    }

    /** The pod exists already (our cache had not seen it yet). */
    record AlreadyExists(QuotaOutcome quota) implements Outcome {}
  }

  /**
   * How long a new project waits for the Licenses it names to appear before starting without them.
   */
  static final java.time.Duration LICENSE_GRACE = java.time.Duration.ofSeconds(15);

  private final LeaseLedger ledger;
  private final KubernetesClient client;
  private final ProjectCaches caches;
  private final Predicate<ProjectKey> projectExists;
  private Instant lastSweep; // guarded by the ledger's lock

  ProjectStarter(
      LeaseLedger ledger,
      KubernetesClient client,
      ProjectCaches caches,
      Predicate<ProjectKey> projectExists) {
    this.ledger = ledger;
    this.client = client;
    this.caches = caches;
    this.projectExists = projectExists;
  }

  /**
   * Throws InvalidQuantityException for an unusable spec and KubernetesClientException for other
   * API errors.
   */
  Outcome start(Project project, ProjectKey key, Settings s, Instant now) {
    Map<String, License> known = caches.licensesByName(requested(project));
    List<String> missing =
        requested(project).stream().filter(n -> !known.containsKey(n)).distinct().toList();
    if (!missing.isEmpty() && young(project, now)) {
      return new Outcome.AwaitingLicenses(missing);
    }
    Map<String, String> nsLabels = caches.namespaceLabels(key.namespace());
    Object decided =
        ledger.decide(
            l -> {
              forgetUnknownProjects(l, now);
              QuotaOutcome outcome = quota(project, key, known, nsLabels, s, now, l);
              EffectiveQuota q = outcome.quota();
              AdmissionDecision decision =
                  l.admit(
                      new AdmissionRequest(
                          key, q.requests(), q.limits(), q.nodeGroups(), q.gpuResource()),
                      caches.limits(s),
                      now,
                      s.backfillFor());
              if (decision instanceof AdmissionDecision.Waiting waiting) {
                return new Outcome.Waiting(outcome, waiting);
              }
              String group = ((AdmissionDecision.Admitted) decision).nodeGroup();
              QuotaOutcome placed =
                  new QuotaOutcome(
                      q.nodeGroups().isEmpty() ? q : q.onNodeGroup(group), outcome.verdicts());
              PodPlan plan = new ProjectPodFactory(s.pod()).desiredPod(project, placed.quota());
              plan.pod()
                  .getMetadata()
                  .getAnnotations()
                  .put(
                      StartRecord.ANNOTATION,
                      new StartRecord(
                              ProjectStatusBuilder.toStatus(placed.quota()),
                              ProjectStatusBuilder.toResults(placed.verdicts()),
                              plan.rejectedPatches())
                          .toJson());
              Lease lease =
                  new Lease(
                      key,
                      plan.pod().getMetadata().getName(),
                      placed.quota().requests(),
                      placed.quota().appliedLicenses(),
                      group);
              l.reserve(lease);
              return new Reservation(placed, plan, lease);
            });
    if (decided instanceof Outcome waiting) {
      return waiting;
    }
    // The lease is reserved, so no other start can take this slot; the pod is created outside
    // the ledger's lock so that starts of other projects do not queue behind this API call.
    Reservation r = (Reservation) decided;
    try {
      Pod created = client.pods().inNamespace(key.namespace()).resource(r.plan().pod()).create();
      return new Outcome.Started(r.placed(), r.plan(), created);
    } catch (RuntimeException e) {
      return ledger.decide(
          l -> {
            l.releaseIfPod(key, r.lease().podName());
            if (e instanceof KubernetesClientException ke && ke.getCode() == 409) {
              return new Outcome.AlreadyExists(r.placed());
            }
            if (e instanceof KubernetesClientException ke
                && ke.getCode() == 403
                && ke.getMessage() != null
                && ke.getMessage().contains("exceeded quota")) {
              return new Outcome.Waiting(
                  r.placed(),
                  l.waitOutside(
                      key,
                      new Bottleneck(
                          "namespace-quota", "namespace quota: " + ke.getStatus().getMessage()),
                      now));
            }
            throw e;
          });
    }
  }

  /** A lease reserved in the ledger whose pod is yet to be created. */
  private record Reservation(QuotaOutcome placed, PodPlan plan, Lease lease) {}

  /**
   * Leases and queue places of projects that no longer exist (deleted, their pods about to be
   * collected, or pods forged for a project that never was) stop counting. At most every few
   * seconds: it walks the whole ledger.
   */
  private void forgetUnknownProjects(LeaseLedger l, Instant now) {
    if (lastSweep != null && lastSweep.plusSeconds(5).isAfter(now)) {
      return;
    }
    lastSweep = now;
    l.queue().stream().filter(k -> !projectExists.test(k)).forEach(l::forget);
    l.snapshot().stream()
        .filter(lease -> !projectExists.test(lease.project()))
        .forEach(lease -> l.releaseIfPod(lease.project(), lease.podName()));
  }

  /** The quota the next start would get, without admitting anything (for stopped projects). */
  QuotaOutcome preview(Project project, ProjectKey key, Settings s, Instant now) {
    return quota(
        project,
        key,
        caches.licensesByName(requested(project)),
        caches.namespaceLabels(key.namespace()),
        s,
        now,
        ledger);
  }

  private static QuotaOutcome quota(
      Project project,
      ProjectKey key,
      Map<String, License> known,
      Map<String, String> nsLabels,
      Settings s,
      Instant now,
      LeaseLedger l) {
    return new QuotaCalculator(s.quotaPolicy())
        .calculate(
            new QuotaInput(
                key.namespace(),
                nsLabels,
                requested(project),
                known,
                project.getSpec() == null ? null : project.getSpec().getAdminQuota(),
                now,
                lic -> l.licenseUse(lic, key) < runLimit(known.get(lic))));
  }

  private static boolean young(Project project, Instant now) {
    String created = project.getMetadata().getCreationTimestamp();
    try {
      return created != null
          && java.time.OffsetDateTime.parse(created).toInstant().plus(LICENSE_GRACE).isAfter(now);
    } catch (RuntimeException e) {
      return false;
    }
  }

  static List<String> requested(Project project) {
    return project.getSpec() == null || project.getSpec().getLicenses() == null
        ? List.of()
        : project.getSpec().getLicenses();
  }

  private static int runLimit(License license) {
    return license == null || license.getSpec() == null || license.getSpec().getRunLimit() == null
        ? 0
        : license.getSpec().getRunLimit();
  }
}
