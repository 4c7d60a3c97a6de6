package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.createNodes;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupSpec;
import dev.quotient.controller.NodePatcher;
import dev.quotient.nodegroup.NodeGroupMembership;
import dev.quotient.nodegroup.NodePatch;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Node labelling against the real API server's PATCH: a node whose status changes all the time is
 * still labelled (no resourceVersion, so no 409), and a patch computed from a stale read is refused
 * by its tests (422), so what someone changed meanwhile stays.
 */
class NodeGroupKubeIT {
  private static final String KEY = "quotient.dev/dedicated-node-group";

  /** Someone else's taint (not one the node lifecycle controller manages and might take away). */
  private static final Taint MAINTENANCE =
      new TaintBuilder()
          .withKey("example.com/maintenance")
          .withValue("soon")
          .withEffect("NoSchedule")
          .build();

  @Test
  void aNodeWhoseStatusChangesAllTheTimeIsStillLabelledAndTainted() throws Exception {
    String group = unique("busy");
    createNodes(group, "8Gi");
    AtomicBoolean beating = new AtomicBoolean(true);
    AtomicInteger beats = new AtomicInteger();
    Thread kubelet =
        new Thread(
            () -> {
              while (beating.get()) {
                try {
                  admin()
                      .nodes()
                      .withName(group + "-a")
                      .editStatus(
                          n -> {
                            List<NodeCondition> c = n.getStatus().getConditions();
                            c.removeIf(x -> "ExampleHeartbeat".equals(x.getType()));
                            c.add(
                                new NodeConditionBuilder()
                                    .withType("ExampleHeartbeat")
                                    .withStatus("True")
                                    .withLastHeartbeatTime(Instant.now().toString())
                                    .build());
                            return n;
                          });
                  beats.incrementAndGet();
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                } catch (RuntimeException e) {
                  // kwok writes the status too: a conflict here is the point, go on
                }
              }
            },
            "heartbeat-" + group);
    kubelet.setDaemon(true);
    kubelet.start();
    try {
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
      await()
          .atMost(RealCluster.TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  isMember(admin().nodes().withName(group + "-a").get(), group)
                      && isMember(admin().nodes().withName(group + "-b").get(), group));
      await()
          .atMost(RealCluster.TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> statusNodes(group).equals(List.of(group + "-a", group + "-b")));
      assertThat(beats.get()).as("the node's status kept changing").isGreaterThan(10);
    } finally {
      beating.set(false);
      kubelet.join(5_000);
      RealCluster.deleteGroupAndItsNodes(group);
    }
  }

  @Test
  void aPatchFromAStaleReadIsRefusedAndWhatChangedMeanwhileStays() {
    String group = unique("stale");
    createNodes(group, "1Gi");
    // A group object the cluster does not have, so the operator leaves these nodes alone.
    DedicatedNodeGroup g = new DedicatedNodeGroup();
    g.setMetadata(new ObjectMetaBuilder().withName(group).build());
    DedicatedNodeGroupSpec spec = new DedicatedNodeGroupSpec();
    spec.setNodeNames(List.of(group + "-a", group + "-b"));
    g.setSpec(spec);
    try {
      // New nodes carry node.kubernetes.io/not-ready until kwok reports them Ready and the node
      // lifecycle controller takes it away: wait for that, so only this test changes the taints.
      await()
          .atMost(RealCluster.TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  admin().nodes().withLabel("test-group", group).list().getItems().stream()
                      .allMatch(n -> n.getSpec().getTaints().isEmpty()));
      // A first write to a node without taints tests its whole spec, as the server returns it.
      Node b = admin().nodes().withName(group + "-b").get();
      assertThat(NodePatcher.apply(admin(), b, patch(b, g))).isEqualTo(NodePatcher.Result.APPLIED);
      assertThat(isMember(admin().nodes().withName(group + "-b").get(), group)).isTrue();

      Node stale = admin().nodes().withName(group + "-a").get();
      admin()
          .nodes()
          .withName(group + "-a")
          .edit(
              n -> {
                n.getSpec().getTaints().add(MAINTENANCE);
                return n;
              });
      assertThat(NodePatcher.apply(admin(), stale, patch(stale, g)))
          .isEqualTo(NodePatcher.Result.CHANGED_MEANWHILE);
      assertThat(admin().nodes().withName(group + "-a").get().getSpec().getTaints())
          .as("the taint added meanwhile is there, ours is not")
          .containsExactly(MAINTENANCE);

      // From a fresh read it applies (now testing the taint list), keeping the other taint.
      Node fresh = admin().nodes().withName(group + "-a").get();
      assertThat(NodePatcher.apply(admin(), fresh, patch(fresh, g)))
          .isEqualTo(NodePatcher.Result.APPLIED);
      Node labelled = admin().nodes().withName(group + "-a").get();
      assertThat(isMember(labelled, group)).isTrue();
      assertThat(labelled.getSpec().getTaints()).contains(MAINTENANCE).hasSize(2);

      // Leaving, from a read that misses a label someone changed meanwhile: refused, theirs stays.
      Node member = admin().nodes().withName(group + "-b").get();
      admin()
          .nodes()
          .withName(group + "-b")
          .edit(
              n -> {
                n.getMetadata().getLabels().put(KEY, "manual");
                return n;
              });
      assertThat(
              NodePatcher.apply(
                  admin(), member, NodeGroupMembership.patch(member, null, KEY).orElseThrow()))
          .isEqualTo(NodePatcher.Result.CHANGED_MEANWHILE);
      assertThat(admin().nodes().withName(group + "-b").get().getMetadata().getLabels())
          .containsEntry(KEY, "manual");
    } finally {
      admin().nodes().withLabel("test-group", group).delete();
    }
  }

  private static NodePatch patch(Node node, DedicatedNodeGroup group) {
    return NodeGroupMembership.patch(node, group, KEY).orElseThrow();
  }

  private static List<String> statusNodes(String group) {
    DedicatedNodeGroup g = admin().resources(DedicatedNodeGroup.class).withName(group).get();
    return g == null || g.getStatus() == null || g.getStatus().getNodes() == null
        ? List.of()
        : g.getStatus().getNodes();
  }

  private static boolean isMember(Node n, String group) {
    return group.equals(n.getMetadata().getLabels().get(KEY))
        && n.getSpec().getTaints().stream()
            .anyMatch(
                t ->
                    KEY.equals(t.getKey())
                        && group.equals(t.getValue())
                        && "NoSchedule".equals(t.getEffect()));
  }
}
