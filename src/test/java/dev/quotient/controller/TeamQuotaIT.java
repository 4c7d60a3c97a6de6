package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupSpec;
import dev.quotient.api.OverQuotaSpec;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ShareSpec;
import dev.quotient.api.StopReason;
import dev.quotient.api.TeamShareSpec;
import dev.quotient.api.TeamShareStatus;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Team shares of a node group through the operator on the mock API server: the group "physics"
 * (physics-1, 32 cpus) guarantees team a 16 cpus and team b 8, and lends idle share to preemptible
 * projects. Every project here asks for 8 cpus (a license of 80 cpus at cpuOvercommit 10).
 */
class TeamQuotaIT {
  private static MockCluster cluster() {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("defaultQuota.idleTimeout", "");
    settings.put("pendingTimeout", "2h");
    return MockCluster.startOnFakeClock(settings);
  }

  static TeamShareSpec team(String name, String cpu, String... namespaces) {
    TeamShareSpec t = new TeamShareSpec();
    t.setName(name);
    t.setNamespaces(List.of(namespaces));
    t.setShare(new ShareSpec(cpu, null, null));
    return t;
  }

  static void group(MockCluster c, boolean overQuota, TeamShareSpec... teams) {
    DedicatedNodeGroup g = new DedicatedNodeGroup();
    g.setMetadata(new ObjectMetaBuilder().withName("physics").build());
    DedicatedNodeGroupSpec spec = new DedicatedNodeGroupSpec();
    spec.setNodeNames(List.of("physics-1"));
    spec.setTeams(List.of(teams));
    spec.setOverQuota(new OverQuotaSpec(overQuota));
    g.setSpec(spec);
    c.create(g);
    c.create(
        license(
            "physics-8",
            100,
            q -> {
              q.setCpu("80");
              q.setDedicatedNodeGroup("physics");
            }));
  }

  static Project preemptible(String ns, String name) {
    Project p = project(ns, name, "physics-8");
    p.getSpec().setPreemptible(true);
    return p;
  }

  /** Awaits the phase; a timeout says where the project is instead. */
  static Project phase(MockCluster c, String ns, String name, ProjectPhase phase) {
    try {
      return c.awaitPhase(ns, name, phase);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      Project p = c.project(ns, name);
      throw new AssertionError(
          ns
              + "/"
              + name
              + " is not "
              + phase
              + ": "
              + (p == null || p.getStatus() == null
                  ? "no status"
                  : p.getStatus().getPhase() + ": " + p.getStatus().getMessage()),
          e);
    }
  }

  static List<TeamShareStatus> teams(MockCluster c) {
    return teams(c, "physics");
  }

  static List<TeamShareStatus> teams(MockCluster c, String group) {
    DedicatedNodeGroup g = c.client().resources(DedicatedNodeGroup.class).withName(group).get();
    return g == null || g.getStatus() == null ? null : g.getStatus().getTeams();
  }

  @Test
  void aTeamIsHeldToItsShareAndANonPreemptibleProjectNeverBorrows() {
    try (MockCluster c = cluster()) {
      String a = c.namespace("team-a");
      String b = c.namespace("team-b");
      group(c, true, team("a", "16", a), team("b", "8", b));
      c.create(project(b, "b-1", "physics-8"));
      phase(c, b, "b-1", ProjectPhase.Running);
      c.create(project(b, "b-2", "physics-8"));
      Project waiting = phase(c, b, "b-2", ProjectPhase.WaitingForResources);
      assertThat(waiting.getStatus().getMessage())
          .isEqualTo(
              "Waiting for resources: team share b of node group physics: cpu needs 8, 0 of 8"
                  + " free; only preemptible projects (spec.preemptible, or a license's"
                  + " quota.preemptible) borrow idle share of other teams");
      assertThat(waiting.getStatus().getQueuePosition()).isEqualTo(1);
      // Team a's 16 stay its own: its two projects start though b waits, and the group is not full.
      c.create(project(a, "a-1", "physics-8"));
      c.create(project(a, "a-2", "physics-8"));
      phase(c, a, "a-1", ProjectPhase.Running);
      phase(c, a, "a-2", ProjectPhase.Running);
      c.advance(Duration.ofMinutes(10));
      c.run().operator().checkTimersNow();
      assertThat(c.project(b, "b-2").getStatus().getPhase())
          .isEqualTo(ProjectPhase.WaitingForResources);
      assertThat(c.pod(b, "b-1").getMetadata().getLabels())
          .containsEntry("quotient.dev/team", "b")
          .doesNotContainKey("quotient.dev/borrowed");
    }
  }

  @Test
  void aPreemptibleProjectBorrowsIdleShareAndIsPreemptedWhenTheOwnerNeedsItBack() {
    try (MockCluster c = cluster()) {
      String a = c.namespace("team-a");
      String b = c.namespace("team-b");
      String other = c.namespace("other");
      group(c, true, team("a", "16", a), team("b", "8", b));
      // b uses its share, then borrows twice; a project in no team uses the unassigned 8.
      c.create(project(b, "b-1", "physics-8"));
      phase(c, b, "b-1", ProjectPhase.Running);
      c.create(preemptible(b, "b-2"));
      phase(c, b, "b-2", ProjectPhase.Running);
      c.advance(Duration.ofMinutes(1));
      c.create(preemptible(b, "b-3"));
      phase(c, b, "b-3", ProjectPhase.Running);
      c.create(project(other, "u-1", "physics-8"));
      phase(c, other, "u-1", ProjectPhase.Running);
      Pod borrowed = c.pod(b, "b-3");
      assertThat(borrowed.getMetadata().getLabels())
          .containsEntry("quotient.dev/team", "b")
          .containsEntry("quotient.dev/borrowed", "true");
      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(teams(c))
                      .extracting(
                          TeamShareStatus::getName,
                          t -> t.getUsed().getCpu(),
                          t -> t.getBorrowing().getCpu(),
                          t -> t.getLent().getCpu())
                      .containsExactly(
                          tuple("a", "0", "0", "16"),
                          tuple("b", "8", "16", "0"),
                          tuple("unassigned", "8", "0", "0")));

      // Team a needs 8 of its share back: the youngest borrower goes, nobody else.
      c.create(project(a, "a-1", "physics-8"));
      Project victim =
          c.awaitProject(
              b,
              "b-3",
              p -> p.getStatus() != null && p.getStatus().getStopReason() == StopReason.Preempted);
      assertThat(victim.getStatus().getMessage())
          .startsWith("Preempted: " + a + "/a-1 (team a) reclaims its share of node group physics");
      phase(c, a, "a-1", ProjectPhase.Running);
      Project waits =
          c.awaitProject(
              b,
              "b-3",
              p ->
                  p.getStatus().getPhase() == ProjectPhase.WaitingForResources
                      && p.getStatus().getMessage().contains("0 of 32 free"));
      assertThat(waits.getStatus().getStopReason()).isEqualTo(StopReason.Preempted);
      assertThat(waits.getStatus().getMessage())
          .startsWith(
              "Preempted: "
                  + a
                  + "/a-1 (team a) reclaims its share of node group physics; Waiting for"
                  + " resources: node group physics: cpu needs 8, 0 of 32 free");
      List<Event> told = c.events(b, "b-3");
      assertThat(told)
          .filteredOn(e -> "Preempted".equals(e.getReason()))
          .extracting(Event::getType, Event::getMessage)
          .containsExactly(
              tuple(
                  "Warning",
                  "Preempted: "
                      + a
                      + "/a-1 (team a) reclaims its share of node group physics, which this"
                      + " project borrowed; it starts again when there is room"));
      for (String[] kept : new String[][] {{b, "b-1"}, {b, "b-2"}, {other, "u-1"}}) {
        assertThat(c.project(kept[0], kept[1]).getStatus().getPhase())
            .as(kept[1])
            .isEqualTo(ProjectPhase.Running);
      }

      // Team a's project stops: the preempted one starts again on the freed share.
      c.setDesiredState(a, "a-1", dev.quotient.api.DesiredState.Stopped);
      Project back = phase(c, b, "b-3", ProjectPhase.Running);
      assertThat(back.getStatus().getStopReason()).isNull();
    }
  }

  @Test
  void aLicenseThatSaysPreemptibleLetsItsProjectsBorrowAndBePreempted() {
    try (MockCluster c = cluster()) {
      String a = c.namespace("team-a");
      String b = c.namespace("team-b");
      group(c, true, team("a", "16", a), team("b", "8", b));
      c.create(
          license(
              "physics-burst",
              100,
              q -> {
                q.setCpu("80");
                q.setDedicatedNodeGroup("physics");
                q.setPreemptible(true);
              }));
      c.create(project(b, "b-1", "physics-8"));
      phase(c, b, "b-1", ProjectPhase.Running);
      // b's share is used up; b-2 is not spec.preemptible, its license makes it so.
      c.create(project(b, "b-2", "physics-burst"));
      Project borrowing = phase(c, b, "b-2", ProjectPhase.Running);
      assertThat(borrowing.getSpec().getPreemptible()).isNull();
      assertThat(borrowing.getStatus().getEffectiveQuota().getPreemptibleBy())
          .isEqualTo("license 'physics-burst'");
      assertThat(c.pod(b, "b-2").getMetadata().getLabels())
          .containsEntry("quotient.dev/borrowed", "true");
      assertThat(c.project(b, "b-1").getStatus().getEffectiveQuota().getPreemptibleBy()).isNull();
      String other = c.namespace("other");
      c.create(project(other, "u-1", "physics-8"));
      phase(c, other, "u-1", ProjectPhase.Running);

      // The group is full; team a takes its 16: the borrower goes, the project within b's share
      // stays.
      c.create(project(a, "a-1", "physics-8"));
      c.create(project(a, "a-2", "physics-8"));
      c.awaitProject(
          b,
          "b-2",
          p -> p.getStatus() != null && p.getStatus().getStopReason() == StopReason.Preempted);
      phase(c, a, "a-1", ProjectPhase.Running);
      phase(c, a, "a-2", ProjectPhase.Running);
      assertThat(c.project(b, "b-1").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
      assertThat(c.project(other, "u-1").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    }
  }

  @Test
  void aPreemptedEphemeralRunRunsAgainFromTheStartWhenThereIsRoom() {
    try (MockCluster c = cluster()) {
      String a = c.namespace("team-a");
      String b = c.namespace("team-b");
      String other = c.namespace("other");
      group(c, true, team("a", "16", a), team("b", "8", b));
      c.create(project(b, "b-1", "physics-8"));
      phase(c, b, "b-1", ProjectPhase.Running);
      c.create(project(other, "u-1", "physics-8"));
      phase(c, other, "u-1", ProjectPhase.Running);
      Project run = preemptible(b, "sweep");
      run.getSpec().setLifetime(dev.quotient.api.Lifetime.Ephemeral);
      run.getSpec().setCommand(List.of("sh", "-c", "sleep 36000"));
      c.create(run);
      phase(c, b, "sweep", ProjectPhase.Running);
      String firstPod = c.pod(b, "sweep").getMetadata().getUid();
      assertThat(c.pod(b, "sweep").getMetadata().getLabels())
          .containsEntry("quotient.dev/borrowed", "true");

      c.create(project(a, "a-1", "physics-8"));
      phase(c, a, "a-1", ProjectPhase.Running);
      c.create(project(a, "a-2", "physics-8"));
      c.awaitProject(
          b,
          "sweep",
          p -> p.getStatus() != null && p.getStatus().getStopReason() == StopReason.Preempted);
      phase(c, a, "a-2", ProjectPhase.Running);
      Project waiting = phase(c, b, "sweep", ProjectPhase.WaitingForResources);
      assertThat(waiting.getStatus().getFinishedAt()).as("it did not finish").isNull();

      c.setDesiredState(a, "a-2", dev.quotient.api.DesiredState.Stopped);
      phase(c, b, "sweep", ProjectPhase.Running);
      assertThat(c.pod(b, "sweep").getMetadata().getUid()).isNotEqualTo(firstPod);
    }
  }

  @Test
  void preemptionStopsOnlyBorrowedProjectsAndNotMoreThanNeeded() {
    try (MockCluster c = cluster()) {
      String a = c.namespace("team-a");
      String b = c.namespace("team-b");
      group(c, true, team("a", "24", a), team("b", "8", b));
      // a holds 8 of its 24; b's preemptible projects: one within b's share, two borrowing.
      c.create(project(a, "a-1", "physics-8"));
      phase(c, a, "a-1", ProjectPhase.Running);
      c.create(preemptible(b, "b-1"));
      phase(c, b, "b-1", ProjectPhase.Running);
      c.create(preemptible(b, "b-2"));
      phase(c, b, "b-2", ProjectPhase.Running);
      c.advance(Duration.ofMinutes(1));
      c.create(preemptible(b, "b-3"));
      phase(c, b, "b-3", ProjectPhase.Running);
      assertThat(c.pod(b, "b-1").getMetadata().getLabels())
          .doesNotContainKey("quotient.dev/borrowed");

      c.create(project(a, "a-2", "physics-8"));
      phase(c, a, "a-2", ProjectPhase.Running);
      assertThat(c.project(b, "b-3").getStatus().getStopReason()).isEqualTo(StopReason.Preempted);
      assertThat(c.project(b, "b-2").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
      assertThat(c.project(b, "b-1").getStatus().getPhase())
          .as("within its team's share: never preempted, preemptible or not")
          .isEqualTo(ProjectPhase.Running);
    }
  }

  @Test
  void withoutOverQuotaNobodyBorrowsAndSharesAboveTheCapacityAreTold() {
    try (MockCluster c = cluster()) {
      String a = c.namespace("team-a");
      String b = c.namespace("team-b");
      group(c, false, team("a", "24", a), team("b", "16", b));
      c.create(project(b, "b-1", "physics-8"));
      phase(c, b, "b-1", ProjectPhase.Running);
      c.create(project(b, "b-2", "physics-8"));
      phase(c, b, "b-2", ProjectPhase.Running);
      c.create(preemptible(b, "b-3"));
      Project b3 = phase(c, b, "b-3", ProjectPhase.WaitingForResources);
      assertThat(b3.getStatus().getMessage())
          .isEqualTo(
              "Waiting for resources: team share b of node group physics: cpu needs 8, 0 of 16"
                  + " free");
      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () -> {
                DedicatedNodeGroup g =
                    c.client().resources(DedicatedNodeGroup.class).withName("physics").get();
                assertThat(g.getStatus().getConditions())
                    .filteredOn(x -> x.getType().equals("TeamShares"))
                    .extracting(x -> x.getStatus(), x -> x.getReason())
                    .containsExactly(tuple("False", "SharesExceedCapacity"));
              });
    }
  }

  /** examples/team-quotas as the README walks through it. */
  @Test
  void theExampleGroupWithTwoTeams() throws Exception {
    try (MockCluster c = cluster()) {
      apply(c, "examples/team-quotas/00-nodes.yaml", "examples/team-quotas/10-group.yaml");
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(() -> teams(c, "lab") != null && Integer.valueOf(2).equals(nodeCount(c)));
      apply(c, "examples/team-quotas/20-licenses.yaml", "examples/team-quotas/30-projects.yaml");
      phase(c, "nlp", "train", ProjectPhase.Running);
      phase(c, "nlp", "sweep", ProjectPhase.Running);
      assertThat(c.pod("nlp", "sweep").getMetadata().getLabels())
          .containsEntry("quotient.dev/team", "nlp")
          .containsEntry("quotient.dev/borrowed", "true");
      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(teams(c, "lab"))
                      .extracting(
                          TeamShareStatus::getName,
                          t -> t.getShare().getCpu(),
                          t -> t.getUsed().getCpu(),
                          t -> t.getBorrowing().getCpu(),
                          t -> t.getLent().getCpu())
                      .containsExactly(
                          tuple("vision", "4", "0", "0", "2"),
                          tuple("nlp", "2", "2", "4", "0"),
                          tuple("unassigned", "2", "0", "0", "2")));

      apply(c, "examples/team-quotas/reclaim/vision-notebook.yaml");
      phase(c, "vision", "notebook", ProjectPhase.Running);
      Project sweep =
          c.awaitProject(
              "nlp",
              "sweep",
              p ->
                  p.getStatus().getPhase() == ProjectPhase.WaitingForResources
                      && p.getStatus().getMessage().contains("cpu needs 4, 2 of 8 free"));
      assertThat(sweep.getStatus().getStopReason()).isEqualTo(StopReason.Preempted);
      assertThat(sweep.getStatus().getMessage())
          .isEqualTo(
              "Preempted: vision/notebook (team vision) reclaims its share of node group lab;"
                  + " Waiting for resources: node group lab: cpu needs 4, 2 of 8 free");
      assertThat(c.events("nlp", "sweep"))
          .filteredOn(e -> "Preempted".equals(e.getReason()))
          .hasSize(1);
      assertThat(c.project("nlp", "train").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    }
  }

  private static Integer nodeCount(MockCluster c) {
    DedicatedNodeGroup g = c.client().resources(DedicatedNodeGroup.class).withName("lab").get();
    return g == null || g.getStatus() == null ? null : g.getStatus().getNodeCount();
  }

  /** Creates what the files hold, as kubectl apply would on the mock (a Node's status too). */
  private static void apply(MockCluster c, String... files) throws Exception {
    for (String f : files) {
      try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(f))) {
        for (var item : c.client().load(in).items()) {
          var created = c.client().resource(item).create();
          if (item instanceof io.fabric8.kubernetes.api.model.Node n) {
            ((io.fabric8.kubernetes.api.model.Node) created).setStatus(n.getStatus());
            c.client().resource((io.fabric8.kubernetes.api.model.Node) created).updateStatus();
          }
        }
      }
    }
  }
}
