package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.Lifetime;
import dev.quotient.api.ProjectSpec;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.Resources;
import dev.quotient.settings.ClusterQuotaSettings;
import dev.quotient.settings.Settings;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ephemeral runs in the ledger: their own cluster slots (clusterQuota.ephemeralProjects) beside the
 * workspaces' running-project slots, both against cpu, memory and gpu; a run that does not fit
 * waits in a queue of its own scope and is woken like any waiting project; the rebuild from pods
 * tells runs from workspaces by their label.
 */
class EphemeralRunSlotsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BACKFILL = Duration.ofMinutes(5);
  private static final long GI = 1L << 30;

  /** 1 workspace, 2 runs, 8Gi of memory. */
  private static final AdmissionLimits LIMITS =
      new AdmissionLimits(new Resources(10_000, 8 * GI, 1), 1, Map.of(), Map.of())
          .withMaxEphemeralProjects(2);

  private final LeaseLedger ledger = new LeaseLedger();

  private static AdmissionRequest workspace(String name, long memGi) {
    Resources r = new Resources(100, memGi * GI, 0);
    return new AdmissionRequest(
        new ProjectKey("ns", name),
        "project-" + name,
        r,
        r,
        List.of(),
        List.of(),
        null,
        false,
        false);
  }

  private static AdmissionRequest run(String name, long memGi) {
    Resources r = new Resources(100, memGi * GI, 0);
    return new AdmissionRequest(
        new ProjectKey("ns", name),
        "project-" + name,
        r,
        r,
        List.of(),
        List.of(),
        null,
        true,
        false);
  }

  private AdmissionDecision admit(AdmissionRequest r, Instant now) {
    return admit(r, LIMITS, now);
  }

  private AdmissionDecision admit(AdmissionRequest r, AdmissionLimits limits, Instant now) {
    return ledger.admit(r.project(), slots -> r, limits, now, BACKFILL);
  }

  private static AdmissionDecision.Waiting waiting(AdmissionDecision d) {
    assertThat(d).isInstanceOf(AdmissionDecision.Waiting.class);
    return (AdmissionDecision.Waiting) d;
  }

  @Test
  void runsTakeEphemeralSlotsAndWorkspacesRunningProjectSlots() {
    assertThat(admit(workspace("w1", 1), T0)).isInstanceOf(AdmissionDecision.Admitted.class);
    AdmissionDecision.Waiting w2 = waiting(admit(workspace("w2", 1), T0));
    assertThat(w2.bottleneck())
        .isEqualTo(
            new Bottleneck(
                BottleneckResource.RunningProjects,
                Scope.CLUSTER,
                "running projects: 1 of 1 allowed are running"));
    // The one workspace slot is taken, the runs' slots are not.
    AdmissionDecision r1 = admit(run("r1", 1), T0);
    assertThat(r1).isInstanceOf(AdmissionDecision.Admitted.class);
    assertThat(((AdmissionDecision.Admitted) r1).lease().ephemeral()).isTrue();
    assertThat(admit(run("r2", 1), T0)).isInstanceOf(AdmissionDecision.Admitted.class);
    AdmissionDecision.Waiting r3 = waiting(admit(run("r3", 1), T0));
    assertThat(r3.bottleneck())
        .isEqualTo(
            new Bottleneck(
                BottleneckResource.EphemeralProjects,
                Scope.EPHEMERAL_RUNS,
                "ephemeral runs: 2 of 2 allowed are running"));
    assertThat(r3.position()).isEqualTo(1);
    assertThat(ledger.rejectionsByResource())
        .containsEntry("ephemeral-projects", 1L)
        .containsEntry("running-projects", 1L);
  }

  @Test
  void runsAndWorkspacesShareTheClusterCpuMemoryAndGpu() {
    assertThat(admit(run("r1", 6), T0)).isInstanceOf(AdmissionDecision.Admitted.class);
    AdmissionDecision.Waiting w = waiting(admit(workspace("w", 4), T0));
    assertThat(w.bottleneck().resource()).isEqualTo(BottleneckResource.Memory);
    assertThat(w.bottleneck().message()).isEqualTo("memory: needs 4Gi, 2Gi of 8Gi free");
    AdmissionDecision.Waiting r2 = waiting(admit(run("r2", 4), T0));
    assertThat(r2.bottleneck().resource()).isEqualTo(BottleneckResource.Memory);
  }

  @Test
  void aWaitingRunIsWokenWhenARunsLeaseIsReleasedAndThenStarts() {
    List<List<ProjectKey>> woken = new ArrayList<>();
    ledger.onWake(woken::add);
    admit(run("r1", 1), T0);
    admit(run("r2", 1), T0);
    waiting(admit(run("r3", 1), T0));
    woken.clear();
    ledger.release(new ProjectKey("ns", "r1"));
    assertThat(woken).containsExactly(List.of(new ProjectKey("ns", "r3")));
    assertThat(admit(run("r3", 1), T0.plusSeconds(5)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    assertThat(ledger.queue()).isEmpty();
  }

  @Test
  void aRunWaitingForASlotHoldsBackNoWorkspaceButTheRunsBehindIt() {
    admit(run("r1", 1), T0);
    admit(run("r2", 1), T0);
    waiting(admit(run("r3", 1), T0));
    Instant late = T0.plus(Duration.ofMinutes(10));
    // Past backfillFor r3 holds back its own scope only: a workspace still starts.
    assertThat(admit(workspace("w", 1), late)).isInstanceOf(AdmissionDecision.Admitted.class);
    ledger.release(new ProjectKey("ns", "r1"));
    // A younger run reconciled first waits behind r3, which fits now.
    AdmissionDecision.Waiting r4 = waiting(admit(run("r4", 1), late));
    assertThat(r4.bottleneck().resource()).isEqualTo(BottleneckResource.Queue);
    assertThat(r4.bottleneck().message())
        .isEqualTo(
            "queued behind ns/r3 in the ephemeral run slots of the cluster quota, which has waited"
                + " longer than 5m and starts first");
  }

  @Test
  void noEphemeralSlotsAtAllNeverFits() {
    AdmissionDecision.Waiting w =
        waiting(admit(run("r", 1), LIMITS.withMaxEphemeralProjects(0), T0));
    assertThat(w.neverFits()).isTrue();
    assertThat(w.bottleneck().message())
        .isEqualTo(
            "never fits the ephemeral run slots of the cluster quota, even with nothing else"
                + " running (ephemeral runs: 0 of 0 allowed are running); it is retried when"
                + " clusterQuota.ephemeralProjects changes");
    // A workspace is not affected.
    assertThat(admit(workspace("w", 1), LIMITS.withMaxEphemeralProjects(0), T0))
        .isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void theRebuildFromPodsTellsRunsFromWorkspacesByTheirLabel() {
    Settings s = Settings.defaults();
    EffectiveQuota q =
        new dev.quotient.quota.QuotaCalculator(s.quotaPolicy())
            .calculate(
                new dev.quotient.quota.QuotaInput(
                    "ns", Map.of(), List.of(), Map.of(), null, T0, l -> true))
            .quota();
    List<Lease> leases = new ArrayList<>();
    for (String name : List.of("r1", "r2", "w1")) {
      var project =
          TestResources.project(
              "ns",
              name,
              (ProjectSpec spec) ->
                  spec.setLifetime(
                      name.startsWith("r") ? Lifetime.Ephemeral : Lifetime.Persistent));
      project.getMetadata().setUid("uid-" + name);
      project.setApiVersion("quotient.dev/v1alpha1");
      project.setKind("Project");
      Pod pod = new ProjectPodFactory(s.pod()).desiredPod(project, q).pod();
      leases.add(PodLeases.lease(pod).orElseThrow());
    }
    assertThat(leases).extracting(Lease::ephemeral).containsExactly(true, true, false);
    ledger.rebuild(leases);
    AdmissionLimits limits =
        LimitsFactory.limits(
            new ClusterQuotaSettings(true, 100_000L, 1L << 40, 4L, 1L, 2L),
            List.of(),
            Map.of(),
            "quotient.dev/dedicated-node-group",
            "nvidia.com/gpu",
            List.of());
    assertThat(limits.maxEphemeralProjects()).isEqualTo(2);
    assertThat(waiting(admit(run("r3", 0), limits, T0)).bottleneck().resource())
        .isEqualTo(BottleneckResource.EphemeralProjects);
    assertThat(waiting(admit(workspace("w2", 0), limits, T0)).bottleneck().resource())
        .isEqualTo(BottleneckResource.RunningProjects);
  }
}
