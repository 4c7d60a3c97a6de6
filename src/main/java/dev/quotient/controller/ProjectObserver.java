package dev.quotient.controller;

import static dev.quotient.api.QuotientLabels.GPU_LAST_ACTIVITY;
import static dev.quotient.api.QuotientLabels.LAST_ACTIVITY;
import static dev.quotient.api.QuotientLabels.REQUESTED_LICENSES;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DesiredState;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.lifecycle.Lifecycle;
import dev.quotient.lifecycle.PodState;
import dev.quotient.lifecycle.ProjectObservation;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.QuotaCalculator;
import dev.quotient.quota.QuotaInput;
import dev.quotient.quota.QuotaOutcome;
import dev.quotient.quota.Timestamps;
import dev.quotient.settings.Settings;
import dev.quotient.status.PodObservation;
import dev.quotient.status.StartRecord;
import dev.quotient.timers.GpuActivityTracker;
import dev.quotient.timers.PodRef;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads everything the lifecycle decides on for one Project into a {@link ProjectObservation}: from
 * the informer caches, and from the API server only where the cache may lack an event that matters
 * (a pod we asked to delete, a pod the ledger holds a lease for that the cache has not seen). A pod
 * that turns out to be gone gives up its lease here, whatever made it go: every way a pod goes away
 * takes this one path.
 */
final class ProjectObserver {
  private static final Logger log = LoggerFactory.getLogger(ProjectObserver.class);
  private static final java.util.Set<ProjectPhase> POD_SHOULD_BE_GONE =
      java.util.EnumSet.of(
          ProjectPhase.Stopping, ProjectPhase.Stopped, ProjectPhase.Failed, ProjectPhase.Succeeded);

  private final ProjectPodEventSource pods;
  private final ProjectCaches caches;
  private final LeaseLedger ledger;
  private final KubernetesClient client;
  private final HomeClaims homes;
  private final StartRecords records = new StartRecords();
  private final OverdueReads overdueReads = new OverdueReads();
  private final GpuActivityTracker gpus;

  ProjectObserver(
      ProjectPodEventSource pods,
      ProjectCaches caches,
      HomeClaims homes,
      LeaseLedger ledger,
      KubernetesClient client,
      GpuActivityTracker gpus) {
    this.gpus = gpus;
    this.pods = pods;
    this.homes = homes;
    this.caches = caches;
    this.ledger = ledger;
    this.client = client;
  }

  ProjectObservation observe(Project project, Settings s, Instant now) {
    ProjectKey key = key(project);
    String podName = ProjectPodFactory.podName(key.name());
    ProjectStatus prev = project.getStatus() == null ? new ProjectStatus() : project.getStatus();
    Pod pod = pods.get(new ResourceID(podName, key.namespace())).orElse(null);
    // A pod we asked to delete that the cache shows terminating is in step: its DELETED event
    // comes, and overdue() covers one that was lost. Reading it from the server on every look
    // while it terminated was most of a churn's requests.
    boolean verify =
        pod == null
            ? ledger.lease(key).filter(l -> l.podName().equals(podName)).isPresent()
            : (POD_SHOULD_BE_GONE.contains(prev.getPhase())
                    && pod.getMetadata().getDeletionTimestamp() == null)
                || (overdue(pod, now)
                    && overdueReads.due(
                        key + "/" + pod.getMetadata().getUid(),
                        parse(pod.getMetadata().getDeletionTimestamp()),
                        now));
    if (verify) {
      pod = client.pods().inNamespace(key.namespace()).withName(podName).get();
      if (pod == null && ledger.releaseIfPod(key, podName).isPresent()) {
        log.info(
            "project {}: pod {} is gone although the cache still had it; lease released",
            key,
            podName);
      }
    }
    List<String> requested = requested(project);
    Map<String, License> known = caches.licensesByName(requested);
    QuotaOutcome preview = null;
    String problem = null;
    try {
      preview =
          quota(
              project,
              key,
              known,
              caches.namespaceLabels(key.namespace()),
              s,
              now,
              lic -> ledger.licenseUse(lic, key) < runLimit(known.get(lic)));
    } catch (InvalidQuantityException e) {
      problem = "spec.adminQuota cannot be used: " + e.getMessage();
    }
    return new ProjectObservation(
        key,
        project.getMetadata().getGeneration(),
        parse(project.getMetadata().getCreationTimestamp()),
        project.getSpec() == null ? DesiredState.Running : project.getSpec().getDesiredState(),
        requested,
        requested.stream().filter(n -> !known.containsKey(n)).distinct().toList(),
        prev,
        annotation(project.getMetadata().getAnnotations(), LAST_ACTIVITY),
        // The annotation a GPU agent writes, or the exporter's last busy time, whichever is later.
        GpuActivityTracker.later(
            annotation(project.getMetadata().getAnnotations(), GPU_LAST_ACTIVITY),
            gpus.lastBusy(new PodRef(key.namespace(), podName))),
        pod == null ? null : podState(pod, project, records),
        preview,
        problem,
        // Only a start asks who owns the home; reading the index for every running project was a
        // tenth of a timer pass.
        pod == null ? homes.conflict(project) : null,
        specProblem(project),
        project.getSpec() != null && project.getSpec().isEphemeral(),
        s.pod().imageRefusal(project.getSpec() == null ? null : project.getSpec().getImage()),
        ledger.preemption(key).orElse(null));
  }

  /** What of the spec was read leniently because this operator does not know it. */
  private static String specProblem(Project project) {
    if (project.getSpec() != null && project.getSpec().problem() != null) {
      return project.getSpec().problem();
    }
    String lifetime = project.getSpec() == null ? null : project.getSpec().getUnknownLifetime();
    if (lifetime != null) {
      return "spec.lifetime '"
          + lifetime
          + "' is not one this operator knows ("
          + java.util.Arrays.stream(dev.quotient.api.Lifetime.values())
              .map(Enum::name)
              .collect(java.util.stream.Collectors.joining(", "))
          + ")";
    }
    String unknown = project.getSpec() == null ? null : project.getSpec().getUnknownDesiredState();
    return unknown == null
        ? null
        : "spec.desiredState '"
            + unknown
            + "' is not one this operator knows ("
            + java.util.Arrays.stream(DesiredState.values())
                .map(Enum::name)
                .collect(java.util.stream.Collectors.joining(", "))
            + ")";
  }

  /** The quota a start of this project gets, with the given license run slots. */
  static QuotaOutcome quota(
      Project project,
      ProjectKey key,
      Map<String, License> known,
      Map<String, String> nsLabels,
      Settings s,
      Instant now,
      Predicate<String> runSlotFree) {
    return new QuotaCalculator(s.quotaPolicy())
        .calculate(
            new QuotaInput(
                key.namespace(),
                nsLabels,
                requested(project),
                known,
                project.getSpec() == null ? null : project.getSpec().getAdminQuota(),
                now,
                runSlotFree));
  }

  static PodState podState(Pod pod, Project project, StartRecords records) {
    PodObservation seen = PodObservation.of(pod);
    var status = pod.getStatus();
    StartRecord record =
        records
            .of(annotation(pod.getMetadata().getAnnotations(), StartRecord.ANNOTATION))
            .orElse(null);
    // The operator's own clock says when it created the pod, and a run starts no earlier.
    Instant created = record == null ? null : parse(record.createdAt());
    if (created == null) {
      created = parse(pod.getMetadata().getCreationTimestamp());
    }
    Instant started = parse(seen.startedAt());
    if (started != null && created != null && started.isBefore(created)) {
      started = created;
    }
    return new PodState(
        pod.getMetadata().getName(),
        pod.getMetadata().getOwnerReferences() != null
            && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Objects.equals(r.getUid(), project.getMetadata().getUid())),
        seen,
        created,
        started,
        parse(pod.getMetadata().getDeletionTimestamp()),
        record,
        annotation(pod.getMetadata().getAnnotations(), REQUESTED_LICENSES),
        status == null ? null : status.getReason(),
        dev.quotient.status.ContainerExit.of(pod).orElse(null));
  }

  /** A pod whose deletion deadline passed a while ago: its DELETED event may have been lost. */
  private static boolean overdue(Pod pod, Instant now) {
    Instant deadline = parse(pod.getMetadata().getDeletionTimestamp());
    return deadline != null && deadline.plus(Lifecycle.DELETION_OVERDUE).isBefore(now);
  }

  static ProjectKey key(Project project) {
    return new ProjectKey(project.getMetadata().getNamespace(), project.getMetadata().getName());
  }

  static List<String> requested(Project project) {
    return project.getSpec() == null || project.getSpec().getLicenses() == null
        ? List.of()
        : project.getSpec().getLicenses();
  }

  static int runLimit(License license) {
    return license == null || license.getSpec() == null || license.getSpec().getRunLimit() == null
        ? 0
        : license.getSpec().getRunLimit();
  }

  private static String annotation(Map<String, String> a, String key) {
    return a == null ? null : a.get(key);
  }

  static Instant parse(String text) {
    return Timestamps.parseOrNull(text);
  }
}
