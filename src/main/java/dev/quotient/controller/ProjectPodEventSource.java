package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.PodLeases;
import dev.quotient.api.Project;
import dev.quotient.api.QuotientLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/**
 * The informer on project pods. Besides triggering Project reconciles it keeps the {@link
 * LeaseLedger} in step with the pods: its initial list rebuilds the ledger at start-up (before any
 * reconcile runs), and a pod that finishes or goes away releases its lease even when its Project is
 * already gone.
 */
public final class ProjectPodEventSource extends InformerEventSource<Pod, Project> {
  private final LeaseLedger ledger;
  private volatile LedgerRebuild rebuild = LedgerRebuild.PENDING;

  public ProjectPodEventSource(EventSourceContext<Project> context, LeaseLedger ledger) {
    super(
        InformerEventSourceConfiguration.from(Pod.class, Project.class)
            .withName("project-pods")
            .withLabelSelector(QuotientLabels.MANAGED_BY + "=" + QuotientLabels.MANAGED_BY_VALUE)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Project.class))
            .withItemStore(PrunedStore.pods())
            .build(),
        context);
    this.ledger = ledger;
  }

  /**
   * When the informer has synced its store is complete, but its onAdd callbacks may still be
   * queued: rebuild the ledger from the store itself, so the first decision never sees a partial
   * ledger (the bug class of KubeSpawner PR #742). Later callbacks are idempotent.
   */
  @Override
  public synchronized void start() {
    super.start();
    try {
      ledger.rebuild(list().map(PodLeases::lease).flatMap(java.util.Optional::stream).toList());
      rebuild = LedgerRebuild.DONE;
    } catch (RuntimeException e) {
      rebuild = LedgerRebuild.failed(e);
      throw e;
    }
  }

  /** Whether the ledger has been rebuilt from this informer's pods (the health probes ask). */
  LedgerRebuild ledgerRebuild() {
    return rebuild;
  }

  /**
   * Where the start-up rebuild of the ledger stands.
   *
   * @param failure why it failed, or null
   */
  record LedgerRebuild(boolean done, String failure) {
    static final LedgerRebuild PENDING = new LedgerRebuild(false, null);
    static final LedgerRebuild DONE = new LedgerRebuild(true, null);

    static LedgerRebuild failed(RuntimeException e) {
      return new LedgerRebuild(false, e.toString());
    }
  }

  @Override
  public void onAdd(Pod pod) {
    track(pod);
    super.onAdd(pod);
  }

  @Override
  public void onUpdate(Pod oldPod, Pod newPod) {
    track(newPod);
    super.onUpdate(oldPod, newPod);
  }

  @Override
  public void onDelete(Pod pod, boolean unknownFinalState) {
    PodLeases.owner(pod).ifPresent(key -> ledger.releaseIfPod(key, pod.getMetadata().getName()));
    super.onDelete(pod, unknownFinalState);
  }

  private void track(Pod pod) {
    var lease = PodLeases.lease(pod);
    if (lease.isPresent()) {
      ledger.observe(lease.get());
    } else {
      PodLeases.owner(pod).ifPresent(key -> ledger.releaseIfPod(key, pod.getMetadata().getName()));
    }
  }
}
