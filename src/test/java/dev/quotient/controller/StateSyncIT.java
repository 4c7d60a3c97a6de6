package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** State sync after restart (RELIABILITY.md 2, 3, 12) and churn (15). */
class StateSyncIT {

  private static MockCluster clusterWith(String... keyValues) {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    for (int i = 0; i < keyValues.length; i += 2) {
      settings.put(keyValues[i], keyValues[i + 1]);
    }
    return MockCluster.start(settings);
  }

  private static QuotientOperator restart(MockCluster cluster) {
    cluster.run().operator().close();
    return QuotientOperator.start(
        cluster.run().api().newClient(), OperatorConfig.defaults(EmbeddedRun.NAMESPACE));
  }

  @Test
  void nothingIsAdmittedBeforeTheSlowPodListHasLoaded() {
    try (MockCluster cluster = clusterWith("clusterQuota.runningProjects", "3")) {
      String ns = cluster.namespace("gate");
      for (String n : List.of("a", "b", "c")) {
        cluster.create(project(ns, n));
      }
      for (String n : List.of("a", "b", "c")) {
        cluster.awaitPhase(ns, n, ProjectPhase.Running);
      }
      cluster.run().operator().close();
      cluster.create(project(ns, "late"));
      cluster.faults().delay(r -> r.startsWith("GET /api/v1/pods?"), Duration.ofSeconds(3));
      QuotientOperator restarted =
          QuotientOperator.start(
              cluster.run().api().newClient(), OperatorConfig.defaults(EmbeddedRun.NAMESPACE));
      cluster.faults().delay(null, null);
      try {
        Project late =
            cluster.awaitProject(
                ns,
                "late",
                p ->
                    p.getStatus() != null
                        && p.getStatus().getPhase() != null
                        && p.getStatus().getPhase() != ProjectPhase.Starting);
        assertThat(late.getStatus().getPhase())
            .as(late.getStatus().toString())
            .isEqualTo(ProjectPhase.WaitingForResources);
        assertThat(late.getStatus().getMessage()).contains("running projects: 3 of 3");
        assertThat(cluster.pod(ns, "late")).isNull();
        assertThat(restarted.ledger().size()).isEqualTo(3);
      } finally {
        restarted.close();
      }
    }
  }

  @Test
  void aTooBigProjectStillWaitsAfterARestartAndPodsDeletedMeanwhileAreRecreated() {
    try (MockCluster cluster = clusterWith("clusterQuota.memory", "2Gi")) {
      String ns = cluster.namespace("after");
      cluster.create(project(ns, "small"));
      cluster.awaitPhase(ns, "small", ProjectPhase.Running);
      cluster.create(project(ns, "big", s -> s.setAdminQuota(quota(null, "20Gi"))));
      cluster.awaitPhase(ns, "big", ProjectPhase.WaitingForResources);
      cluster.run().operator().close();
      String oldUid = cluster.pod(ns, "small").getMetadata().getUid();
      cluster.client().pods().inNamespace(ns).withName("project-small").delete();
      await().until(() -> cluster.pod(ns, "small") == null);

      QuotientOperator restarted =
          QuotientOperator.start(
              cluster.run().api().newClient(), OperatorConfig.defaults(EmbeddedRun.NAMESPACE));
      try {
        await()
            .atMost(MockCluster.TIMEOUT)
            .until(
                () ->
                    cluster.pod(ns, "small") != null
                        && !cluster.pod(ns, "small").getMetadata().getUid().equals(oldUid));
        cluster.awaitPhase(ns, "small", ProjectPhase.Running);
        await().until(() -> restarted.ledger().size() == 1);
        assertThat(cluster.project(ns, "big").getStatus().getPhase())
            .isEqualTo(ProjectPhase.WaitingForResources);
        assertThat(cluster.pod(ns, "big")).isNull();
      } finally {
        restarted.close();
      }
    }
  }

  @Test
  void churnLeavesExactlyThePodsAndLeasesDeclared() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("churn");
      for (int i = 0; i < 50; i++) {
        cluster.create(project(ns, "p" + i));
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<java.util.concurrent.Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        work.add(
            pool.submit(
                () ->
                    cluster.editProject(
                        ns,
                        "p" + n,
                        p -> {
                          p.getSpec().setAdminQuota(quota(null, "2Gi"));
                          return p;
                        })));
      }
      for (int i = 20; i < 50; i++) {
        int n = i;
        work.add(
            pool.submit(
                () ->
                    cluster
                        .client()
                        .resources(Project.class)
                        .inNamespace(ns)
                        .withName("p" + n)
                        .delete()));
      }
      for (var f : work) {
        f.get();
      }
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
      await()
          .atMost(MockCluster.TIMEOUT.multipliedBy(2))
          .until(
              () ->
                  cluster.client().pods().inNamespace(ns).list().getItems().size() == 20
                      && cluster.run().operator().ledger().size() == 20
                      && cluster
                          .client()
                          .resources(Project.class)
                          .inNamespace(ns)
                          .list()
                          .getItems()
                          .stream()
                          .allMatch(
                              p ->
                                  p.getStatus() != null
                                      && p.getStatus().getPhase() == ProjectPhase.Running));
      assertThat(cluster.client().pods().inNamespace(ns).list().getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.IntStream.range(0, 20).mapToObj(i -> "project-p" + i).toList());
    }
  }
}
