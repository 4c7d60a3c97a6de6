package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.api.DesiredState;
import dev.quotient.api.LicenseState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.StopReason;
import dev.quotient.status.Conditions;
import dev.quotient.testing.MockCluster;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Project reconciler through the real operator on the mock API server. */
class ProjectReconcilerIT {
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void plainProjectRunsWithTheDefaultQuotaOnAProjectNode() {
    String ns = cluster.namespace("plain");
    cluster.create(project(ns, "p"));
    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);

    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("1");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("1Gi");
    assertThat(p.getStatus().getEffectiveQuota().getCpuRequest()).isEqualTo("100m");
    assertThat(p.getStatus().getNodeName()).startsWith("pool-");
    assertThat(p.getStatus().getPodName()).isEqualTo("project-p");
    assertThat(p.getStatus().getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
    assertThat(p.getStatus().getStartedAt()).isNotNull();
    assertCondition(p, "Ready", "True", "PodRunning");
    assertCondition(p, "QuotaAdmitted", "True", "QuotaAdmitted");
    assertCondition(p, "LicensesValid", "True", "LicensesApplied");
    Pod pod = cluster.pod(ns, "p");
    assertThat(
            pod.getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits()
                .get("memory")
                .toString())
        .isEqualTo("1Gi");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(p.getMetadata().getUid()));
    assertThat(cluster.hasEvent(ns, "p", "PodCreated")).isTrue();
  }

  @Test
  void twoLicensesAddUpAndAnExpiredOneIsReported() {
    String ns = cluster.namespace("sum");
    cluster.create(
        license(
            "sum-cpu",
            10,
            q -> {
              q.setCpu("2");
              q.setMemory("4Gi");
            }));
    cluster.create(license("sum-mem", 10, q -> q.setMemory("4Gi")));
    var expired = license("sum-expired", 10, q -> q.setCpu("16"));
    expired.getSpec().setExpires("2020-01-01T00:00:00Z");
    cluster.create(expired);
    cluster.create(project(ns, "p", "sum-cpu", "sum-mem", "sum-expired"));

    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("2");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("8Gi");
    assertThat(p.getStatus().getLicenses())
        .extracting(l -> l.getState())
        .containsExactly(LicenseState.Applied, LicenseState.Applied, LicenseState.Expired);
    assertCondition(p, "LicensesValid", "False", "LicenseExpired");
    await().until(() -> cluster.hasEvent(ns, "p", "LicenseExpired"));
    await()
        .until(
            () ->
                cluster.license("sum-cpu").getStatus() != null
                    && cluster.license("sum-cpu").getStatus().getRunningProjects().getCount() == 1);
    assertThat(cluster.license("sum-cpu").getStatus().getRunningProjects().getNames())
        .containsExactly(ns + "/p");
    assertThat(cluster.license("sum-expired").getStatus().getPhase().name()).isEqualTo("Expired");
  }

  @Test
  void unknownLicenseIsNamedInTheStatusAndTheProjectStillRuns() {
    String ns = cluster.namespace("unknown");
    cluster.create(project(ns, "p", "no-such-license"));
    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(p.getStatus().getLicenses())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.getState()).isEqualTo(LicenseState.NotFound);
              assertThat(l.getMessage())
                  .contains("no-such-license")
                  .contains("kubectl get licenses");
            });
    assertCondition(p, "LicensesValid", "False", "LicenseNotFound");
  }

  @Test
  void dedicatedGroupProjectLandsOnItsLabelledAndTaintedNode() {
    String ns = cluster.namespace("dedicated");
    var group = new dev.quotient.api.DedicatedNodeGroup();
    group.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("bigmem").build());
    var spec = new dev.quotient.api.DedicatedNodeGroupSpec();
    spec.setNodeSelector(java.util.Map.of("hardware", "big-memory"));
    group.setSpec(spec);
    cluster.create(group);
    cluster.create(
        license(
            "bigmem-license",
            5,
            q -> {
              q.setCpu("8");
              q.setMemory("32Gi");
              q.setDedicatedNodeGroup("bigmem");
            }));
    cluster.create(project(ns, "p", "bigmem-license"));

    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(p.getStatus().getNodeName()).isEqualTo("physics-1");
    assertThat(p.getStatus().getEffectiveQuota().getNodeGroup()).isEqualTo("bigmem");
    var node = cluster.client().nodes().withName("physics-1").get();
    assertThat(node.getMetadata().getLabels())
        .containsEntry("quotient.dev/dedicated-node-group", "bigmem");
    assertThat(node.getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("quotient.dev/dedicated-node-group");
              assertThat(t.getValue()).isEqualTo("bigmem");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    await()
        .until(
            () -> {
              var g =
                  cluster
                      .client()
                      .resources(dev.quotient.api.DedicatedNodeGroup.class)
                      .withName("bigmem")
                      .get();
              return g.getStatus() != null
                  && Integer.valueOf(1).equals(g.getStatus().getRunningProjects())
                  && List.of("physics-1").equals(g.getStatus().getNodes());
            });
    // A plain project never lands on the tainted node.
    cluster.create(project(ns, "plain"));
    assertThat(cluster.awaitPhase(ns, "plain", ProjectPhase.Running).getStatus().getNodeName())
        .startsWith("pool-");

    // Deleting the group clears its label and taint from the node.
    cluster
        .client()
        .resources(dev.quotient.api.DedicatedNodeGroup.class)
        .withName("bigmem")
        .delete();
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () -> {
              var n = cluster.client().nodes().withName("physics-1").get();
              return !n.getMetadata().getLabels().containsKey("quotient.dev/dedicated-node-group")
                  && (n.getSpec().getTaints() == null || n.getSpec().getTaints().isEmpty());
            });
  }

  @Test
  void gpuProjectGetsTheGpuLimitAndLandsOnTheGpuNode() {
    String ns = cluster.namespace("gpu");
    cluster.create(
        license(
            "gpu-license",
            5,
            q -> {
              q.setCpu("4");
              var g = TestResources.gpu(1);
              g.setNodeSelector(java.util.Map.of("accelerator", "nvidia-a100"));
              g.setTolerations(
                  List.of(
                      new io.fabric8.kubernetes.api.model.TolerationBuilder()
                          .withKey("nvidia.com/gpu")
                          .withOperator("Exists")
                          .withEffect("NoSchedule")
                          .build()));
              q.setGpu(g);
            }));
    cluster.create(project(ns, "p", "gpu-license"));
    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(p.getStatus().getNodeName()).isEqualTo("gpu-1");
    assertThat(p.getStatus().getEffectiveQuota().getGpu()).isEqualTo(1);
    var resources = cluster.pod(ns, "p").getSpec().getContainers().get(0).getResources();
    assertThat(resources.getLimits().get("nvidia.com/gpu").toString()).isEqualTo("1");
    assertThat(resources.getRequests().get("nvidia.com/gpu").toString()).isEqualTo("1");
  }

  @Test
  void stoppingDeletesThePodAndStartingCreatesItAgain() {
    String ns = cluster.namespace("stop");
    cluster.create(project(ns, "p"));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);

    setDesiredState(ns, "p", DesiredState.Stopped);
    Project stopped = cluster.awaitPhase(ns, "p", ProjectPhase.Stopped);
    assertThat(cluster.pod(ns, "p")).isNull();
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.UserStopped);
    assertThat(stopped.getStatus().getPodName()).isNull();
    assertCondition(stopped, "Ready", "False", "UserStopped");
    assertCondition(stopped, "QuotaAdmitted", "Unknown", "NotRequested");

    setDesiredState(ns, "p", DesiredState.Running);
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(cluster.pod(ns, "p")).isNotNull();
  }

  @Test
  void podDeletedBehindOurBackIsRecreated() {
    String ns = cluster.namespace("recreate");
    cluster.create(project(ns, "p"));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String firstUid = cluster.pod(ns, "p").getMetadata().getUid();

    cluster.client().pods().inNamespace(ns).withName("project-p").delete();
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () -> {
              Pod pod = cluster.pod(ns, "p");
              return pod != null && !pod.getMetadata().getUid().equals(firstUid);
            });
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    await().until(() -> cluster.hasEvent(ns, "p", "PodDeleted"));
  }

  @Test
  void changingLicensesOfARunningProjectRestartsItWithTheNewQuota() {
    String ns = cluster.namespace("change");
    cluster.create(license("change-big", 5, q -> q.setMemory("6Gi")));
    cluster.create(project(ns, "p"));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);

    cluster.editProject(
        ns,
        "p",
        p -> {
          p.getSpec().setLicenses(List.of("change-big"));
          return p;
        });
    await()
        .atMost(MockCluster.TIMEOUT)
        .ignoreExceptions()
        .until(
            () ->
                cluster
                    .pod(ns, "p")
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getResources()
                    .getLimits()
                    .get("memory")
                    .toString()
                    .equals("6Gi"));
    Project p =
        cluster.awaitProject(
            ns,
            "p",
            x ->
                x.getStatus().getPhase() == ProjectPhase.Running
                    && "6Gi".equals(x.getStatus().getEffectiveQuota().getMemoryLimit()));
    assertThat(p.getStatus().getLicenses())
        .extracting(l -> l.getState())
        .containsExactly(LicenseState.Applied);
    assertThat(cluster.hasEvent(ns, "p", "LicenseChangeRestart")).isTrue();
  }

  @Test
  void editingALicenseWaitsForTheNextStart() {
    String ns = cluster.namespace("edit");
    cluster.create(license("edit-me", 5, q -> q.setMemory("2Gi")));
    cluster.create(project(ns, "p", "edit-me"));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    cluster
        .client()
        .resources(dev.quotient.api.License.class)
        .withName("edit-me")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"quota\":{\"memory\":\"3Gi\"}}}");
    // The running pod keeps its quota ...
    await()
        .during(java.time.Duration.ofSeconds(1))
        .atMost(MockCluster.TIMEOUT)
        .until(
            () ->
                "2Gi"
                    .equals(
                        cluster.project(ns, "p").getStatus().getEffectiveQuota().getMemoryLimit()));
    // ... and the next start gets the new one.
    setDesiredState(ns, "p", DesiredState.Stopped);
    cluster.awaitPhase(ns, "p", ProjectPhase.Stopped);
    setDesiredState(ns, "p", DesiredState.Running);
    cluster.awaitProject(
        ns,
        "p",
        x ->
            x.getStatus().getPhase() == ProjectPhase.Running
                && "3Gi".equals(x.getStatus().getEffectiveQuota().getMemoryLimit()));
  }

  @Test
  void malformedLicenseQuantityIsReportedOnLicenseAndProject() {
    String ns = cluster.namespace("malformed");
    // The mock does not enforce the CRD schema, so the bad quantity reaches the operator.
    cluster.create(license("malformed", 5, q -> q.setMemory("8GB")));
    cluster.create(project(ns, "p", "malformed"));
    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(p.getStatus().getLicenses())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.getState()).isEqualTo(LicenseState.Invalid);
              assertThat(l.getMessage()).contains("8GB");
            });
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("1Gi");
    await()
        .until(
            () -> {
              var l = cluster.license("malformed");
              return l.getStatus() != null
                  && Conditions.find(l.getStatus().getConditions(), "Valid") != null
                  && "False"
                      .equals(Conditions.find(l.getStatus().getConditions(), "Valid").getStatus());
            });
    assertThat(
            Conditions.find(cluster.license("malformed").getStatus().getConditions(), "Valid")
                .getMessage())
        .contains("spec.quota.memory '8GB'");
  }

  @Test
  void malformedAdminQuotaFailsTheProjectWithAClearMessageAndRecoversWhenFixed() {
    String ns = cluster.namespace("badadmin");
    cluster.create(project(ns, "p", s -> s.setAdminQuota(quota("2", "lots"))));
    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Failed);
    assertThat(p.getStatus().getMessage()).contains("spec.adminQuota.memory 'lots'");
    assertThat(cluster.pod(ns, "p")).isNull();
    cluster.editProject(
        ns,
        "p",
        x -> {
          x.getSpec().getAdminQuota().setMemory("2Gi");
          return x;
        });
    Project fixed = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(fixed.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("2Gi");
  }

  @Test
  void podPatchesApplyOrAreRefusedWithAReason() throws Exception {
    String ns = cluster.namespace("patch");
    ObjectMapper json = new ObjectMapper();
    var good = license("patch-good", 5, q -> {});
    good.getSpec()
        .setPodPatch(
            json.readTree(
                "{\"spec\":{\"containers\":[{\"name\":\"project\",\"env\":[{\"name\":\"JUPYTER_ENABLE_LAB\",\"value\":\"yes\"}]}]}}"));
    var root = license("patch-root", 5, q -> {});
    root.getSpec()
        .setPodPatch(
            json.readTree(
                "{\"spec\":{\"securityContext\":{\"runAsUser\":0,\"runAsNonRoot\":false}}}"));
    cluster.create(good);
    cluster.create(root);
    cluster.create(project(ns, "p", "patch-good", "patch-root"));

    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(cluster.pod(ns, "p").getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> assertThat(e.getName()).isEqualTo("JUPYTER_ENABLE_LAB"));
    assertThat(cluster.pod(ns, "p").getSpec().getSecurityContext().getRunAsUser()).isEqualTo(2001L);
    assertCondition(p, "LicensesValid", "False", "PodPatchRejected");
    assertThat(Conditions.find(p.getStatus().getConditions(), "LicensesValid").getMessage())
        .contains("patch-root")
        .contains("root");
    await().until(() -> cluster.hasEvent(ns, "p", "PodPatchRejected"));
  }

  @Test
  void podPatchesThatMoveThePodOrOutgrowItsLeaseAreRefused() throws Exception {
    String ns = cluster.namespace("patch-acct");
    ObjectMapper json = new ObjectMapper();
    var move = license("patch-move", 5, q -> {});
    move.getSpec()
        .setPodPatch(json.readTree("{\"spec\":{\"nodeSelector\":{\"hardware\":\"big-memory\"}}}"));
    var greedy = license("patch-greedy", 5, q -> {});
    greedy
        .getSpec()
        .setPodPatch(
            json.readTree(
                "{\"spec\":{\"containers\":[{\"name\":\"miner\",\"image\":\"quay.io/jupyter/base-notebook:latest\","
                    + "\"resources\":{\"requests\":{\"cpu\":\"4\"}}}]}}"));
    cluster.create(move);
    cluster.create(greedy);
    cluster.create(project(ns, "p", "patch-move", "patch-greedy"));

    Project p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    var pod = cluster.pod(ns, "p");
    assertThat(pod.getSpec().getNodeSelector()).doesNotContainKey("hardware");
    assertThat(pod.getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("project");
    assertThat(p.getStatus().getNodeName()).startsWith("pool-");
    assertCondition(p, "LicensesValid", "False", "PodPatchRejected");
    assertThat(Conditions.find(p.getStatus().getConditions(), "LicensesValid").getMessage())
        .contains("patch-move", "placement (spec.nodeSelector)")
        .contains("patch-greedy", "more cpu than its lease");
    await()
        .until(
            () ->
                cluster.events(ns, "p").stream()
                        .filter(e -> "PodPatchRejected".equals(e.getReason()))
                        .count()
                    == 2);
  }

  @Test
  void projectThatFitsNowhereShowsTheSchedulerMessage() {
    String ns = cluster.namespace("huge");
    // 40Gi of requests fits the cluster quota but no single project node (32Gi each).
    cluster.create(project(ns, "p", s -> s.setAdminQuota(quota("2", "200Gi"))));
    Project p =
        cluster.awaitProject(
            ns,
            "p",
            x ->
                x.getStatus() != null
                    && x.getStatus().getMessage() != null
                    && x.getStatus().getMessage().contains("Insufficient memory"));
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Starting);
    assertThat(p.getStatus().getMessage()).startsWith("Unschedulable: 0/4 nodes are available:");
    assertCondition(p, "Ready", "False", "Unschedulable");
  }

  @Test
  void runLimitLetsOneProjectHoldTheLicenseAndTheOtherRunsWithoutIt() {
    String ns = cluster.namespace("runlimit");
    cluster.create(license("single-seat", 1, q -> q.setMemory("3Gi")));
    cluster.create(project(ns, "a", "single-seat"));
    cluster.awaitPhase(ns, "a", ProjectPhase.Running);
    cluster.create(project(ns, "b", "single-seat"));
    Project b = cluster.awaitPhase(ns, "b", ProjectPhase.Running);
    assertThat(b.getStatus().getLicenses())
        .singleElement()
        .satisfies(l -> assertThat(l.getState()).isEqualTo(LicenseState.RunLimitReached));
    assertThat(b.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("1Gi");
    assertThat(cluster.project(ns, "a").getStatus().getEffectiveQuota().getMemoryLimit())
        .isEqualTo("3Gi");

    // When the holder is deleted, its slot frees and the next start of b gets the upgrade.
    cluster.client().resources(Project.class).inNamespace(ns).withName("a").delete();
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () -> cluster.license("single-seat").getStatus().getRunningProjects().getCount() == 0);
    setDesiredState(ns, "b", DesiredState.Stopped);
    cluster.awaitPhase(ns, "b", ProjectPhase.Stopped);
    setDesiredState(ns, "b", DesiredState.Running);
    cluster.awaitProject(
        ns,
        "b",
        x ->
            x.getStatus().getPhase() == ProjectPhase.Running
                && "3Gi".equals(x.getStatus().getEffectiveQuota().getMemoryLimit()));
  }

  private static void setDesiredState(String ns, String name, DesiredState state) {
    cluster.setDesiredState(ns, name, state);
  }

  static void assertCondition(Project p, String type, String status, String reason) {
    Condition c = Conditions.find(p.getStatus().getConditions(), type);
    assertThat(c).as("condition " + type + " in " + p.getStatus().getConditions()).isNotNull();
    assertThat(c.getStatus()).as(type + ".status").isEqualTo(status);
    assertThat(c.getReason()).as(type + ".reason").isEqualTo(reason);
    assertThat(c.getMessage()).as(type + ".message").isNotBlank();
    assertThat(c.getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
    assertThat(c.getLastTransitionTime()).isNotBlank();
  }
}
