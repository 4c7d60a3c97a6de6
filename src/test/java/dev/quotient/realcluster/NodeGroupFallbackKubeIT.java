package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitProject;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With the real kube-scheduler: a project whose first node group has room by the ledger's sums but
 * whose nodes are full of other pods is moved to the next group of its license's list at
 * pendingTimeout, and runs there.
 */
class NodeGroupFallbackKubeIT {

  @Test
  void aPodTheSchedulerCannotPlaceInTheFirstGroupRunsInTheSecond() {
    String ns = RealCluster.namespace("fallback");
    String full = unique("full");
    String free = unique("free");
    String license = unique("fallback");
    RealCluster.createNodes(full, "16Gi");
    RealCluster.createNodes(free, "16Gi");
    Duration before = RealCluster.get().operator().settings().pendingTimeout();
    RealCluster.editSettings(
        Map.of("pendingTimeout", "15s"), s -> s.pendingTimeout().equals(Duration.ofSeconds(15)));
    try {
      for (String group : new String[] {full, free}) {
        admin()
            .resource(
                """
                apiVersion: quotient.dev/v1alpha1
                kind: DedicatedNodeGroup
                metadata: {name: %1$s}
                spec: {nodeSelector: {test-group: %1$s}}
                """
                    .formatted(group))
            .create();
      }
      // Pods that are not projects fill both nodes of the first group (3.5 of 4 cpu each).
      for (String node : new String[] {full + "-a", full + "-b"}) {
        admin()
            .resource(
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: filler-%2$s, namespace: %1$s}
                spec:
                  nodeName: %2$s
                  containers:
                  - name: filler
                    image: busybox
                    resources: {requests: {cpu: 3500m}}
                """
                    .formatted(ns, node))
            .create();
      }
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: License
              metadata: {name: %s}
              spec: {runLimit: 1, quota: {cpu: "20", memory: 2Gi, nodeGroups: [%s, %s]}}
              """
                  .formatted(license, full, free))
          .create();
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: Project
              metadata: {name: p, namespace: %s}
              spec: {licenses: [%s]}
              """
                  .formatted(ns, license))
          .create();

      Project unschedulable =
          awaitProject(
              ns,
              "p",
              x ->
                  x.getStatus() != null
                      && x.getStatus().getMessage() != null
                      && x.getStatus().getMessage().startsWith("Unschedulable: "));
      assertThat(unschedulable.getStatus().getEffectiveQuota().getNodeGroup()).isEqualTo(full);

      Project moved =
          awaitProject(
              ns,
              "p",
              x ->
                  x.getStatus() != null
                      && x.getStatus().getPhase() == ProjectPhase.Running
                      && x.getStatus().getNodeName() != null
                      && x.getStatus().getNodeName().startsWith(free));
      assertThat(moved.getStatus().getEffectiveQuota().getNodeGroup()).isEqualTo(free);
      assertThat(moved.getStatus().getStopReason()).isNull();
      assertThat(
              admin().v1().events().inNamespace(ns).list().getItems().stream()
                  .filter(e -> "NodeGroupFallback".equals(e.getReason()))
                  .map(e -> e.getMessage()))
          .anySatisfy(m -> assertThat(m).contains("moving to node group " + free).contains(full));
    } finally {
      admin().resources(Project.class).inNamespace(ns).withName("p").delete();
      admin().resources(License.class).withName(license).delete();
      admin().pods().inNamespace(ns).delete();
      RealCluster.editSettings(
          Collections.singletonMap("pendingTimeout", null), s -> s.pendingTimeout().equals(before));
      RealCluster.deleteGroupAndItsNodes(full);
      RealCluster.deleteGroupAndItsNodes(free);
    }
  }
}
