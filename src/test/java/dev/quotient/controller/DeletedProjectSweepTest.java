package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.api.Project;
import dev.quotient.embedded.MockApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep deletes a pod whose Project is gone, and only once the API server says so: a cache that
 * lacks the Project (an informer stopping as the operator shuts down) is not enough.
 */
class DeletedProjectSweepTest {
  private MockApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    api = MockApiServer.start(0);
    client = api.client();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void aPodWhoseProjectTheCacheLacksButTheServerHasIsKept() {
    Pod pod = createPod("thesis", createProject("thesis"));
    DeletedProjectSweep sweep = sweep(pod, id -> Optional.empty());

    sweep.run();

    assertThat(client.pods().inNamespace("course").withName("project-thesis").get()).isNotNull();
  }

  @Test
  void aPodWhoseProjectIsGoneOrRecreatedIsDeleted() {
    Pod gone = createPod("essay", "uid-2");
    createProject("report");
    Pod recreated = createPod("report", "uid-of-an-earlier-report");

    sweep(gone, id -> Optional.empty()).run();
    sweep(recreated, id -> Optional.empty()).run();

    assertThat(client.pods().inNamespace("course").withName("project-essay").get()).isNull();
    assertThat(client.pods().inNamespace("course").withName("project-report").get()).isNull();
  }

  private DeletedProjectSweep sweep(
      Pod cached, java.util.function.Function<ResourceID, Optional<Project>> projects) {
    DeletedProjectSweep sweep =
        new DeletedProjectSweep(new OnePod(cached), projects, new LeaseLedger(), client);
    sweep.reconciling();
    return sweep;
  }

  /** Its uid, as the server gave it. */
  private String createProject(String name) {
    Project p = new Project();
    p.setMetadata(new ObjectMetaBuilder().withNamespace("course").withName(name).build());
    return client.resource(p).create().getMetadata().getUid();
  }

  private Pod createPod(String project, String projectUid) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("course")
            .withName("project-" + project)
            .addNewOwnerReference()
            .withApiVersion("quotient.dev/v1alpha1")
            .withKind("Project")
            .withName(project)
            .withUid(projectUid)
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();
    return client.resource(pod).create();
  }

  /** A pod cache holding one pod. */
  private record OnePod(Pod pod) implements Cache<Pod> {
    @Override
    public Optional<Pod> get(ResourceID id) {
      return ResourceID.fromResource(pod).equals(id) ? Optional.of(pod) : Optional.empty();
    }

    @Override
    public Stream<ResourceID> keys() {
      return Stream.of(ResourceID.fromResource(pod));
    }

    @Override
    public Stream<Pod> list(Predicate<Pod> predicate) {
      return Stream.of(pod).filter(predicate);
    }
  }
}
