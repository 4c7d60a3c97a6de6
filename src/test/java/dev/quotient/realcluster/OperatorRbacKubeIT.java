package dev.quotient.realcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.local.LocalCluster;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator of every real-cluster test runs with a token of its ServiceAccount, bound only to
 * operator/'s ClusterRole and Role: the other tests' scenarios are what shows the rules suffice;
 * these show who it is and that it holds no more than it needs.
 */
class OperatorRbacKubeIT {
  private static KubernetesClient operator() {
    return RealCluster.get().operatorClient();
  }

  private static boolean operatorMay(String verb, String group, String resource, String namespace) {
    return operator()
        .authorization()
        .v1()
        .selfSubjectAccessReview()
        .create(
            new SelfSubjectAccessReviewBuilder()
                .withNewSpec()
                .withNewResourceAttributes()
                .withVerb(verb)
                .withGroup(group)
                .withResource(resource)
                .withNamespace(namespace)
                .endResourceAttributes()
                .endSpec()
                .build())
        .getStatus()
        .getAllowed();
  }

  @Test
  void operatorAuthenticatesAsItsServiceAccountNotAsAdmin() {
    SelfSubjectReview me =
        operator().authentication().v1().selfSubjectReviews().create(new SelfSubjectReview());
    assertThat(me.getStatus().getUserInfo().getUsername()).isEqualTo(LocalCluster.operatorUser());
    assertThat(me.getStatus().getUserInfo().getGroups()).doesNotContain("system:masters");
  }

  @ParameterizedTest(name = "may {0} {2}")
  @CsvSource({
    "create, '', pods, research",
    "delete, '', pods, research",
    "patch, '', nodes, ''",
    "update, quotient.dev, projects/status, research",
    "update, quotient.dev, licenses/status, ''",
    "update, quotient.dev, dedicatednodegroups/status, ''",
    "create, '', events, research",
    // the dashboard's rejection history: an informer on the Projects' Events
    "list, '', events, ''",
    "watch, '', events, ''",
  })
  void operatorMayDoWhatItsReconcilersDo(
      String verb, String group, String resource, String namespace) {
    assertThat(operatorMay(verb, group, resource, namespace.isEmpty() ? null : namespace)).isTrue();
  }

  @ParameterizedTest(name = "may not {0} {2}")
  @CsvSource({
    "get, '', secrets, kube-system",
    "create, rbac.authorization.k8s.io, clusterrolebindings, ''",
    "delete, '', namespaces, ''",
    "delete, '', nodes, ''",
    "update, '', nodes, ''",
    "create, quotient.dev, licenses, ''",
    "create, quotient.dev, projects, research",
    "update, quotient.dev, projects, research",
    "create, admissionregistration.k8s.io, validatingadmissionpolicies, ''",
  })
  void operatorMayNotDoWhatOnlyAdminsAndUsersDo(
      String verb, String group, String resource, String namespace) {
    assertThat(operatorMay(verb, group, resource, namespace.isEmpty() ? null : namespace))
        .isFalse();
  }
}
