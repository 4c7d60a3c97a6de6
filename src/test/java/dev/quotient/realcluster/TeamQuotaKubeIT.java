package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitProject;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.StopReason;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * Reclaim by preemption with the real kube-scheduler: two kwok nodes of 4 cpus make a group of 8
 * that guarantees team a 4 cpus and team b 2 (the 2 left over are the unassigned part). Team b's
 * preemptible projects borrow a's idle share until the nodes are full; when a's project comes, the
 * youngest borrower is preempted and a's pod is scheduled where it ran.
 */
class TeamQuotaKubeIT {

  @Test
  void theOwningTeamGetsItsShareBackByPreemptingTheYoungestBorrower() {
    String a = RealCluster.namespace("team-a");
    String b = RealCluster.namespace("team-b");
    String other = RealCluster.namespace("no-team");
    String group = unique("teams");
    String license = unique("teams");
    RealCluster.createNodes(group, "16Gi");
    try {
      // The CRD's CEL rule: team names are unique.
      assertThatThrownBy(
              () ->
                  admin()
                      .resource(
                          """
                          apiVersion: quotient.dev/v1alpha1
                          kind: DedicatedNodeGroup
                          metadata: {name: %s-twice}
                          spec:
                            nodeSelector: {test-group: %s}
                            teams:
                            - {name: a, namespaces: [x], share: {cpu: "1"}}
                            - {name: a, namespaces: [y], share: {cpu: "1"}}
                          """
                              .formatted(group, group))
                      .create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("team names must be unique");
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: DedicatedNodeGroup
              metadata: {name: %1$s}
              spec:
                nodeSelector: {test-group: %1$s}
                teams:
                - {name: a, namespaces: [%2$s], share: {cpu: "4"}}
                - {name: b, namespaces: [%3$s], share: {cpu: "2"}}
                overQuota: {enabled: true}
              """
                  .formatted(group, a, b))
          .create();
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: License
              metadata: {name: %s}
              spec: {runLimit: 10, quota: {cpu: "20", memory: 2Gi, dedicatedNodeGroup: %s}}
              """
                  .formatted(license, group))
          .create();
      // 2 cpus each: b-1 within b's share, b-2 and b-3 borrowing, u-1 in the unassigned part.
      project(b, "b-1", false, license);
      RealCluster.awaitPhase(b, "b-1", ProjectPhase.Running);
      project(b, "b-2", true, license);
      RealCluster.awaitPhase(b, "b-2", ProjectPhase.Running);
      project(b, "b-3", true, license);
      RealCluster.awaitPhase(b, "b-3", ProjectPhase.Running);
      project(other, "u-1", false, license);
      RealCluster.awaitPhase(other, "u-1", ProjectPhase.Running);
      Pod borrowed = RealCluster.pod(b, "b-3");
      assertThat(borrowed.getMetadata().getLabels())
          .containsEntry("quotient.dev/team", "b")
          .containsEntry("quotient.dev/borrowed", "true");
      String freedNode = borrowed.getSpec().getNodeName();

      project(a, "a-1", false, license);
      Project preempted =
          awaitProject(
              b,
              "b-3",
              p ->
                  p.getStatus() != null
                      && p.getStatus().getStopReason() == StopReason.Preempted
                      && p.getStatus().getPhase() == ProjectPhase.WaitingForResources);
      assertThat(preempted.getStatus().getMessage())
          .startsWith(
              "Preempted: " + a + "/a-1 (team a) reclaims its share of node group " + group);
      Project owner = RealCluster.awaitPhase(a, "a-1", ProjectPhase.Running);
      assertThat(owner.getStatus().getNodeName()).isEqualTo(freedNode);
      for (String[] kept : new String[][] {{b, "b-1"}, {b, "b-2"}, {other, "u-1"}}) {
        assertThat(RealCluster.project(kept[0], kept[1]).getStatus().getPhase())
            .as(kept[1])
            .isEqualTo(ProjectPhase.Running);
      }
      assertThat(
              admin().v1().events().inNamespace(b).list().getItems().stream()
                  .filter(e -> "Preempted".equals(e.getReason()))
                  .map(e -> e.getInvolvedObject().getName() + ": " + e.getMessage()))
          .containsExactly(
              "b-3: Preempted: "
                  + a
                  + "/a-1 (team a) reclaims its share of node group "
                  + group
                  + ", which this project borrowed; it starts again when there is room");
    } finally {
      for (String ns : new String[] {a, b, other}) {
        admin().resources(Project.class).inNamespace(ns).delete();
      }
      admin().resources(License.class).withName(license).delete();
      RealCluster.deleteGroupAndItsNodes(group);
    }
  }

  private static void project(String ns, String name, boolean preemptible, String license) {
    admin()
        .resource(
            """
            apiVersion: quotient.dev/v1alpha1
            kind: Project
            metadata: {name: %s, namespace: %s}
            spec: {licenses: [%s], preemptible: %s}
            """
                .formatted(name, ns, license, preemptible))
        .create();
  }
}
