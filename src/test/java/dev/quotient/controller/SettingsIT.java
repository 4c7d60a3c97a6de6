package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.embedded.MockApiServer;
import dev.quotient.settings.InvalidSettingsException;
import dev.quotient.testing.MockCluster;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings from the ConfigMap: refused at start with every problem named, kept on a bad reload. */
class SettingsIT {

  @Test
  void invalidSettingsAtStartStopTheOperatorWithEveryProblemNamed() {
    try (MockApiServer api = MockApiServer.start(0)) {
      api.client()
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName("ops").endMetadata().build())
          .create();
      api.client()
          .configMaps()
          .inNamespace("ops")
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("quotient-settings")
                  .endMetadata()
                  .withData(
                      Map.of(
                          "cpuOvercommit",
                          "0.5",
                          "defaultQuota.memory",
                          "1GB",
                          "cpuOvercomit",
                          "3"))
                  .build())
          .create();
      assertThatThrownBy(
              () -> QuotientOperator.start(api.newClient(), OperatorConfig.defaults("ops")))
          .isInstanceOf(InvalidSettingsException.class)
          .satisfies(
              e ->
                  assertThat(((InvalidSettingsException) e).problems())
                      .anySatisfy(
                          p -> assertThat(p).contains("cpuOvercommit must be a number >= 1"))
                      .anySatisfy(p -> assertThat(p).contains("defaultQuota.memory '1GB'"))
                      .anySatisfy(p -> assertThat(p).contains("did you mean 'cpuOvercommit'")));
    }
  }

  @Test
  void aBrokenReloadKeepsTheLastGoodSettingsAndAGoodOneApplies() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("reload");
      Map<String, String> good = new HashMap<>(EmbeddedRun.SETTINGS);
      good.put("defaultQuota.memory", "2Gi");
      editSettings(cluster, good);
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  cluster.run().operator().settings().quotaPolicy().defaultQuota().memoryBytes()
                      == 2L << 30);

      Map<String, String> bad = new HashMap<>(good);
      bad.put("memoryOvercommit", "zero");
      editSettings(cluster, bad);
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  cluster.hasEvent(EmbeddedRun.NAMESPACE, "quotient-settings", "SettingsInvalid"));
      assertThat(cluster.run().operator().settings().quotaPolicy().memoryOvercommit())
          .isEqualTo(5.0);

      cluster.create(TestResources.project(ns, "p"));
      var p = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
      assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("2Gi");
    }
  }

  private static void editSettings(MockCluster cluster, Map<String, String> data) {
    cluster
        .client()
        .configMaps()
        .inNamespace(EmbeddedRun.NAMESPACE)
        .withName("quotient-settings")
        .edit(
            cm -> {
              cm.setData(data);
              return cm;
            });
  }
}
