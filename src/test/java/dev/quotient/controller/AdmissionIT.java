package dev.quotient.controller;

import static dev.quotient.controller.ProjectReconcilerIT.assertCondition;
import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Cluster and namespace quotas, waiting with the bottleneck, auto-wake and the race for the last
 * slot.
 */
class AdmissionIT {

  private static MockCluster clusterWith(String... keyValues) {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    for (int i = 0; i < keyValues.length; i += 2) {
      settings.put(keyValues[i], keyValues[i + 1]);
    }
    return MockCluster.start(settings);
  }

  @Test
  void projectOverTheRunningLimitWaitsWithTheBottleneckAndWakesWhenOneStops() throws Exception {
    try (MockCluster cluster = clusterWith("clusterQuota.runningProjects", "2")) {
      String ns = cluster.namespace("limit");
      cluster.create(project(ns, "a"));
      cluster.create(project(ns, "b"));
      cluster.awaitPhase(ns, "a", ProjectPhase.Running);
      cluster.awaitPhase(ns, "b", ProjectPhase.Running);
      cluster.create(project(ns, "c"));
      Project c = cluster.awaitPhase(ns, "c", ProjectPhase.WaitingForResources);
      assertThat(c.getStatus().getMessage())
          .isEqualTo("Waiting for resources: running projects: 2 of 2 allowed are running");
      assertThat(c.getStatus().getQueuePosition()).isEqualTo(1);
      assertCondition(c, "QuotaAdmitted", "False", "QuotaRejected");
      assertThat(c.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("1Gi");
      assertThat(cluster.pod(ns, "c")).isNull();
      await().until(() -> cluster.hasEvent(ns, "c", "QuotaRejected"));

      cluster.editProject(
          ns,
          "a",
          p -> {
            p.getSpec().setDesiredState(DesiredState.Stopped);
            return p;
          });
      Project woke = cluster.awaitPhase(ns, "c", ProjectPhase.Running);
      assertThat(woke.getStatus().getQueuePosition()).isNull();
      assertCondition(woke, "QuotaAdmitted", "True", "QuotaAdmitted");
      assertThat(cluster.run().operator().ledger().rejectionsByResource())
          .containsEntry("running-projects", 1L);
      cluster.awaitPhase(ns, "a", ProjectPhase.Stopped);
      assertThat(scrape(cluster).lines())
          .contains(
              "quotient_admission_rejections_total{resource=\"running-projects\"} 1.0",
              "quotient_admission_rejections_total{resource=\"cpu\"} 0.0",
              "quotient_running_projects 2.0",
              "quotient_waiting_projects 0.0",
              // a, b at once, c after its wait (seconds here): all three within 10s
              "quotient_admission_latency_seconds_count 3",
              "quotient_admission_latency_seconds_bucket{le=\"10.0\"} 3",
              "quotient_projects{phase=\"Running\"} 2.0",
              "quotient_projects{phase=\"Stopped\"} 1.0",
              "quotient_projects{phase=\"WaitingForResources\"} 0.0")
          .anySatisfy(l -> assertThat(l).startsWith("operator_sdk_reconciliations_started_total{"));
    }
  }

  static String scrape(MockCluster cluster) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(
                    "http://127.0.0.1:" + cluster.run().operator().metricsPort() + "/metrics"))
            .build();
    return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void memoryBottleneckNamesTheNumbersAndARaisedQuotaWakesTheProject() {
    try (MockCluster cluster = clusterWith("clusterQuota.memory", "1Gi")) {
      String ns = cluster.namespace("memory");
      cluster.create(project(ns, "big", s -> s.setAdminQuota(quota(null, "8Gi"))));
      Project big = cluster.awaitPhase(ns, "big", ProjectPhase.WaitingForResources);
      // 1639Mi could not fit even an empty cluster quota of 1Gi: it says so, with the numbers.
      assertThat(big.getStatus().getMessage())
          .isEqualTo(
              "Never fits: never fits the cluster quota, even with nothing else running (memory:"
                  + " needs 1639Mi, 1Gi of 1Gi free); it is retried when the cluster quota changes");
      assertThat(big.getStatus().getQueuePosition()).isNull();
      ProjectReconcilerIT.assertCondition(big, "Ready", "False", "NeverFits");

      Map<String, String> raised = new HashMap<>(EmbeddedRun.SETTINGS);
      raised.put("clusterQuota.memory", "4Gi");
      cluster
          .client()
          .configMaps()
          .inNamespace(EmbeddedRun.NAMESPACE)
          .withName("quotient-settings")
          .edit(
              cm -> {
                cm.setData(raised);
                return cm;
              });
      cluster.awaitPhase(ns, "big", ProjectPhase.Running);
    }
  }

  @Test
  void namespaceResourceQuotaIsASecondLevel() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("nsquota");
      cluster.create(
          new ResourceQuotaBuilder()
              .withNewMetadata()
              .withName("compute")
              .withNamespace(ns)
              .endMetadata()
              .withNewSpec()
              .withHard(
                  Map.of("requests.memory", new Quantity("300Mi"), "count/pods", new Quantity("5")))
              .endSpec()
              .build());
      cluster.create(project(ns, "first"));
      cluster.awaitPhase(ns, "first", ProjectPhase.Running);
      cluster.create(project(ns, "second"));
      Project second = cluster.awaitPhase(ns, "second", ProjectPhase.WaitingForResources);
      assertThat(second.getStatus().getMessage())
          .isEqualTo(
              "Waiting for resources: namespace quota "
                  + ns
                  + "/compute: requests.memory needs 205Mi, 95Mi of 300Mi free");
      // Another namespace is not affected.
      String other = cluster.namespace("free");
      cluster.create(project(other, "p"));
      cluster.awaitPhase(other, "p", ProjectPhase.Running);
      // Raising the ResourceQuota wakes the waiting project.
      cluster
          .client()
          .resourceQuotas()
          .inNamespace(ns)
          .withName("compute")
          .edit(
              q -> {
                q.getSpec().getHard().put("requests.memory", new Quantity("1Gi"));
                return q;
              });
      cluster.awaitPhase(ns, "second", ProjectPhase.Running);
    }
  }

  @Test
  void aQuotaRefusalOfThePodCreateIsAWaitThatReleasesTheLeaseAndRetries() {
    try (MockCluster cluster = clusterWith("clusterQuota.runningProjects", "1")) {
      String ns = cluster.namespace("refused");
      cluster
          .faults()
          .refuse(
              r -> r.equals("POST /api/v1/namespaces/" + ns + "/pods"),
              403,
              "pods \"p-pod\" is forbidden: exceeded quota: compute, requested: requests.memory=205Mi, used: "
                  + "requests.memory=300Mi, limited: requests.memory=300Mi",
              1);
      cluster.create(project(ns, "p"));
      // The refusal is a wait (Warning Event QuotaRejected naming the namespace quota), never a
      // failure; the retry is served and the project starts with one lease and one pod. (The
      // WaitingForResources phase itself may last less than a poll: any wake-up retries it.)
      cluster.awaitPhase(ns, "p", ProjectPhase.Running, java.time.Duration.ofSeconds(45));
      assertThat(cluster.events(ns, "p"))
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo("QuotaRejected");
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getMessage())
                    .startsWith("namespace quota: ")
                    .contains("exceeded quota: compute");
              });
      assertThat(cluster.hasEvent(ns, "p", "PodCreateFailed")).isFalse();
      assertThat(cluster.run().operator().ledger().size()).isEqualTo(1);
      assertThat(cluster.client().pods().inNamespace(ns).list().getItems()).hasSize(1);
    }
  }

  @Test
  void aNamespaceWithoutItsServiceAccountYetDelaysTheStartInsteadOfFailingIt() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("fresh");
      cluster
          .faults()
          .refuse(
              r -> r.equals("POST /api/v1/namespaces/" + ns + "/pods"),
              403,
              "pods \"project-p\" is forbidden: error looking up service account "
                  + ns
                  + "/default: serviceaccount \"default\" not found",
              2);
      cluster.create(project(ns, "p"));
      Project running = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
      assertThat(running.getStatus().getStopReason()).isNull();
      assertThat(cluster.hasEvent(ns, "p", "PodCreateFailed")).isFalse();
    }
  }

  @Test
  void aFailedPodCreateReleasesTheReservationAndIsRetried() {
    try (MockCluster cluster = clusterWith("clusterQuota.runningProjects", "1")) {
      String ns = cluster.namespace("outage");
      cluster
          .faults()
          .refuse(
              r -> r.equals("POST /api/v1/namespaces/" + ns + "/pods"),
              500,
              "etcdserver: request timed out",
              1);
      cluster.create(project(ns, "p"));
      Project running = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
      assertThat(running.getStatus().getPodName()).isNotNull();
      assertThat(cluster.run().operator().ledger().size()).isEqualTo(1);
      assertThat(cluster.client().pods().inNamespace(ns).list().getItems()).hasSize(1);
      assertCondition(running, "Ready", "True", "PodRunning");
    }
  }

  @Test
  void whenRetriesAreExhaustedTheProjectSaysSoAndTheNextEventRetries() {
    // RELIABILITY.md 10.
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("down");
      // Not a 5xx: the client retries those by itself. An error nobody handles, every time.
      cluster
          .faults()
          .refuse(
              r -> r.equals("POST /api/v1/namespaces/" + ns + "/pods"),
              404,
              "the server could not find the requested resource",
              1000);
      cluster.create(project(ns, "p"));
      Project gaveUp =
          cluster.awaitProject(
              ns,
              "p",
              p ->
                  p.getStatus() != null
                      && p.getStatus().getMessage() != null
                      && p.getStatus().getMessage().contains("gave up"),
              java.time.Duration.ofSeconds(60));
      assertCondition(gaveUp, "Ready", "False", "ReconcileError");
      assertThat(gaveUp.getStatus().getMessage())
          .contains("API server answered 404")
          .contains("the next change to the project or its pod retries");
      assertThat(cluster.run().operator().ledger().size()).isZero();

      cluster.faults().refuse(r -> false, 0, null, 0);
      cluster.editProject(
          ns,
          "p",
          p -> {
            p.getMetadata().setAnnotations(new HashMap<>(Map.of("example.com/poke", "1")));
            return p;
          });
      Project running = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
      assertCondition(running, "Ready", "True", "PodRunning");
    }
  }

  @Test
  void dedicatedNodeGroupCapacityIsLeasedAndTheNextGroupInTheListIsTried() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("groups");
      for (String[] g :
          List.of(new String[] {"tiny", "physics-1"}, new String[] {"spare", "gpu-1"})) {
        var group = new dev.quotient.api.DedicatedNodeGroup();
        group.setMetadata(
            new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(g[0]).build());
        var spec = new dev.quotient.api.DedicatedNodeGroupSpec();
        spec.setNodeNames(List.of(g[1]));
        group.setSpec(spec);
        cluster.create(group);
      }
      // Requests of 12 cpu: two fit tiny (32), the third goes to spare (16), the fourth fits none.
      var license =
          dev.quotient.testing.TestResources.license(
              "group-seat",
              10,
              q -> {
                q.setCpu("120");
                q.setMemory("1Gi");
                q.setNodeGroups(List.of("tiny", "spare"));
              });
      cluster.create(license);
      for (String name : List.of("a", "b")) {
        cluster.create(project(ns, name, "group-seat"));
        assertThat(
                cluster
                    .awaitProject(
                        ns, name, p -> p.getStatus() != null && p.getStatus().getPodName() != null)
                    .getStatus()
                    .getEffectiveQuota()
                    .getNodeGroup())
            .isEqualTo("tiny");
      }
      cluster.create(project(ns, "c", "group-seat"));
      Project c =
          cluster.awaitProject(
              ns, "c", p -> p.getStatus() != null && p.getStatus().getPodName() != null);
      assertThat(c.getStatus().getEffectiveQuota().getNodeGroup()).isEqualTo("spare");
      cluster.create(project(ns, "d", "group-seat"));
      Project d = cluster.awaitPhase(ns, "d", ProjectPhase.WaitingForResources);
      assertThat(d.getStatus().getMessage())
          .contains("node group tiny: cpu needs 12, 8 of 32 free");
    }
  }

  @Test
  void hundredsRaceForFiveSlotsAndTheLimitHoldsAtEveryMoment() throws Exception {
    try (MockCluster cluster = clusterWith("clusterQuota.runningProjects", "5")) {
      String ns = cluster.namespace("race");
      AtomicBoolean watching = new AtomicBoolean(true);
      AtomicInteger maxSeen = new AtomicInteger();
      Thread watcher =
          new Thread(
              () -> {
                while (watching.get()) {
                  int live =
                      (int)
                          cluster.client().pods().inNamespace(ns).list().getItems().stream()
                              .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                              .count();
                  maxSeen.accumulateAndGet(live, Math::max);
                  maxSeen.accumulateAndGet(cluster.run().operator().ledger().size(), Math::max);
                }
              });
      watcher.start();
      List<Thread> creators = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        Thread c =
            new Thread(
                () -> {
                  for (int i = offset; i < 120; i += 4) {
                    cluster.create(project(ns, "p" + i));
                  }
                });
        creators.add(c);
        c.start();
      }
      for (Thread c : creators) {
        c.join();
      }
      await()
          .atMost(MockCluster.TIMEOUT.multipliedBy(2))
          .until(
              () -> {
                List<Project> all =
                    cluster.client().resources(Project.class).inNamespace(ns).list().getItems();
                return all.size() == 120
                    && all.stream()
                        .allMatch(
                            p ->
                                p.getStatus() != null
                                    && (p.getStatus().getPhase() == ProjectPhase.Running
                                        || p.getStatus().getPhase()
                                            == ProjectPhase.WaitingForResources));
              });
      watching.set(false);
      watcher.join();
      List<Project> all =
          cluster.client().resources(Project.class).inNamespace(ns).list().getItems();
      assertThat(all.stream().filter(p -> p.getStatus().getPhase() == ProjectPhase.Running))
          .hasSize(5);
      assertThat(maxSeen.get()).isLessThanOrEqualTo(5);
      List<Pod> pods = cluster.client().pods().inNamespace(ns).list().getItems();
      assertThat(pods).hasSize(5);
      assertThat(cluster.run().operator().ledger().size()).isEqualTo(5);
      assertThat(
              all.stream()
                  .filter(p -> p.getStatus().getPhase() == ProjectPhase.WaitingForResources)
                  .map(p -> p.getStatus().getQueuePosition())
                  .distinct()
                  .count())
          .isGreaterThan(1);
    }
  }

  @Test
  void loweringTheLimitBelowUseEvictsNothingAndAdmitsNothingNew() {
    try (MockCluster cluster = clusterWith("clusterQuota.runningProjects", "3")) {
      String ns = cluster.namespace("lower");
      for (String n : List.of("a", "b", "c")) {
        cluster.create(project(ns, n));
        cluster.awaitPhase(ns, n, ProjectPhase.Running);
      }
      Map<String, String> lowered = new HashMap<>(EmbeddedRun.SETTINGS);
      lowered.put("clusterQuota.runningProjects", "1");
      cluster
          .client()
          .configMaps()
          .inNamespace(EmbeddedRun.NAMESPACE)
          .withName("quotient-settings")
          .edit(
              cm -> {
                cm.setData(lowered);
                return cm;
              });
      await()
          .until(() -> cluster.run().operator().settings().clusterQuota().runningProjects() == 1L);
      cluster.create(project(ns, "d"));
      Project d = cluster.awaitPhase(ns, "d", ProjectPhase.WaitingForResources);
      assertThat(d.getStatus().getMessage())
          .contains("running projects: 3 of 1 allowed are running");
      for (String n : List.of("a", "b", "c")) {
        assertThat(cluster.project(ns, n).getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
      }
    }
  }
}
