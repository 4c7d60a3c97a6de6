package dev.quotient.controller;

import dev.quotient.admission.Lease;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.PodLeases;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.Project;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a deleted Project leaves behind: its pod (deleted here rather than left to the garbage
 * collector, so its lease is released when the pod is gone, the same path as every other pod that
 * goes away) and its place in the wait queues. Runs only once the operator reconciles (caches
 * synced, and the leader), since an empty cache would make every pod look orphaned.
 */
final class DeletedProjectSweep implements Runnable {
  /** How often to look: a deleted Project's pod runs at most about this long past its Project. */
  static final Duration EVERY = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(DeletedProjectSweep.class);
  private final Cache<Pod> pods;
  private final Function<ResourceID, Optional<Project>> projects;
  private final LeaseLedger ledger;
  private final KubernetesClient client;
  private volatile boolean reconciling;

  DeletedProjectSweep(
      Cache<Pod> pods,
      Function<ResourceID, Optional<Project>> projects,
      LeaseLedger ledger,
      KubernetesClient client) {
    this.pods = pods;
    this.projects = projects;
    this.ledger = ledger;
    this.client = client;
  }

  /**
   * Called by each reconcile: from now on the caches are complete and this replica leads. The first
   * call, before any decision, drops the leases the start-up rebuild read from pods that belong to
   * no Project (their labels claim what nobody admitted: a forged pod, or the pod of a Project
   * deleted while the operator was away, which the sweep then deletes). The pod informer's rebuild
   * cannot check this itself: the Project cache is complete only once reconciles run.
   */
  void reconciling() {
    if (reconciling) {
      return;
    }
    synchronized (this) {
      if (!reconciling) {
        forgetLeasesOfPodsWithoutProject();
        reconciling = true;
      }
    }
  }

  private void forgetLeasesOfPodsWithoutProject() {
    for (Lease lease : ledger.snapshot().leases()) {
      ProjectKey key = lease.project();
      Pod pod = pods.get(new ResourceID(lease.podName(), key.namespace())).orElse(null);
      if (pod != null
          && !PodLeases.ownedByKnownProject(
              pod,
              k ->
                  projects
                      .apply(new ResourceID(k.name(), k.namespace()))
                      .map(p -> p.getMetadata().getUid()))) {
        ledger.releaseIfPod(key, lease.podName());
        log.warn(
            "pod {}/{} carries the labels of a lease but belongs to no Project: it holds none",
            key.namespace(),
            lease.podName());
      }
    }
  }

  @Override
  public void run() {
    if (!reconciling) {
      return;
    }
    try {
      pods.list().filter(this::orphaned).forEach(this::delete);
      ledger.queue().stream()
          .filter(k -> projects.apply(new ResourceID(k.name(), k.namespace())).isEmpty())
          .forEach(ledger::forget);
    } catch (RuntimeException e) {
      log.warn("sweep for deleted projects failed, trying again in {}: {}", EVERY, e.toString());
    }
  }

  private boolean orphaned(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    OwnerReference owner = projectOwner(pod);
    if (owner == null) {
      return false;
    }
    return projects
        .apply(new ResourceID(owner.getName(), pod.getMetadata().getNamespace()))
        .map(p -> !Objects.equals(p.getMetadata().getUid(), owner.getUid()))
        .orElse(true);
  }

  /**
   * Deletes the pod once the API server confirms its Project is gone. The cache alone is not
   * enough: while the operator stopped, the sweep found two of 10,000 running projects missing from
   * the Project cache (being stopped) while their pods were still cached, and deleted those pods.
   * One read per pod that looks orphaned, which is rare.
   */
  private void delete(Pod pod) {
    ProjectKey key = new ProjectKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    OwnerReference owner = projectOwner(pod);
    Project current =
        client
            .resources(Project.class)
            .inNamespace(key.namespace())
            .withName(owner.getName())
            .get();
    if (current != null && Objects.equals(current.getMetadata().getUid(), owner.getUid())) {
      log.debug("pod {}: its Project {} exists, the cache lags", key, owner.getName());
      return;
    }
    log.info("pod {} belongs to a Project that no longer exists: deleting it", key);
    client.pods().inNamespace(key.namespace()).withName(key.name()).delete();
  }

  private static OwnerReference projectOwner(Pod pod) {
    return pod.getMetadata().getOwnerReferences() == null
        ? null
        : pod.getMetadata().getOwnerReferences().stream()
            .filter(r -> "Project".equals(r.getKind()))
            .findFirst()
            .orElse(null);
  }
}
