package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.License;
import dev.quotient.api.Project;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The framework's copy of a resource keeps what its spec could not read. */
class UnreadableKeepingClonerTest {
  private final KubernetesSerialization json = new KubernetesSerialization();
  private final UnreadableKeepingCloner cloner = new UnreadableKeepingCloner(json);

  @Test
  void aCopyOfAnUnreadableSpecIsUnreadableToo() {
    Project p =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p", "namespace": "ns"}, "spec": "run it please"}""",
            Project.class);
    // a plain JSON copy would read as a readable empty spec: a project asking for the defaults
    assertThat(json.clone(p).getSpec().problem()).isNull();
    Project copy = cloner.clone(p);
    assertThat(copy).isNotSameAs(p);
    assertThat(copy.getSpec().problem())
        .isEqualTo("spec is \"run it please\" (text) where an object belongs");
    assertThat(copy.getSpec().raw()).isEqualTo(p.getSpec().raw());
  }

  @Test
  void aReadableResourceIsCopiedAsUsual() {
    License l =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "License", "metadata": {"name": "l"},
             "spec": {"runLimit": 2, "quota": {"cpu": "2"}}}""",
            License.class);
    License copy = cloner.clone(l);
    assertThat(copy).isEqualTo(l).isNotSameAs(l);
    assertThat(copy.getSpec().problem()).isNull();
  }
}
