package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitPhase;
import static dev.quotient.realcluster.RealCluster.createNodes;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** What the controller-manager does for us: garbage collection and node loss. */
class LifecycleKubeIT {
  @Test
  void garbageCollectorRemovesTheDeletedProjectsPod() {
    String ns = RealCluster.namespace("gc");
    admin()
        .resource(
            """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: doomed, namespace: %s}
        spec: {desiredState: Running}
        """
                .formatted(ns))
        .create();
    Project p = awaitPhase(ns, "doomed", ProjectPhase.Running);
    Pod pod = RealCluster.pod(ns, "doomed");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(p.getMetadata().getUid()));

    admin().resources(Project.class).inNamespace(ns).withName("doomed").delete();

    // Nothing in the operator deletes pods of deleted Projects: the owner reference does.
    await()
        .atMost(RealCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> RealCluster.pod(ns, "doomed") == null);
  }

  @Test
  void deletedNodeFailsItsPodsAndAnAlwaysRunningProjectRestartsOnAnotherNode() throws Exception {
    // Two nodes of our own (a group no other test uses), so losing one disturbs nobody else.
    String group = unique("loss");
    createNodes(group, "16Gi");
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
    admin()
        .resource(
            """
        apiVersion: quotient.dev/v1alpha1
        kind: License
        metadata: {name: %1$s}
        spec: {runLimit: 1, quota: {cpu: "1", memory: 2Gi, alwaysRunning: true, dedicatedNodeGroup: %1$s}}
        """
                .formatted(group))
        .create();
    String ns = RealCluster.namespace("node-loss");
    admin()
        .resource(
            """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: survivor, namespace: %s}
        spec: {desiredState: Running, licenses: [%s]}
        """
                .formatted(ns, group))
        .create();
    try {
      Project first = awaitPhase(ns, "survivor", ProjectPhase.Running);
      String lostNode = first.getStatus().getNodeName();
      assertThat(lostNode).startsWith(group + "-");
      Pod lostPod = RealCluster.pod(ns, "survivor");
      Set<String> failedPods = ConcurrentHashMap.newKeySet();
      try (Watch w =
          admin()
              .pods()
              .inNamespace(ns)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                      if (pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase())) {
                        failedPods.add(pod.getMetadata().getUid());
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  })) {
        admin().nodes().withName(lostNode).delete();

        // The pod GC marks pods of a vanished node Failed and deletes them (after a 40 s
        // quarantine); the operator then starts the always-running project on the other node.
        Project restarted =
            await()
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                    () -> RealCluster.project(ns, "survivor"),
                    p ->
                        p.getStatus().getPhase() == ProjectPhase.Running
                            && p.getStatus().getNodeName() != null
                            && !p.getStatus().getNodeName().equals(lostNode));
        assertThat(restarted.getStatus().getNodeName()).startsWith(group + "-");
        assertThat(RealCluster.pod(ns, "survivor").getMetadata().getUid())
            .isNotEqualTo(lostPod.getMetadata().getUid());
        assertThat(failedPods).contains(lostPod.getMetadata().getUid());
      }
    } finally {
      admin().resources(Project.class).inNamespace(ns).withName("survivor").delete();
      RealCluster.deleteGroupAndItsNodes(group);
    }
  }
}
