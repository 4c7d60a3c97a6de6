package dev.quotient.realcluster;

import static org.awaitility.Awaitility.await;

import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.local.Kubectl;
import dev.quotient.local.LocalCluster;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.settings.Settings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The one shared helper for tests on the real control plane: started once per test JVM (the first
 * test that asks), stopped by a shutdown hook. The operator runs in this JVM through its
 * ServiceAccount token (operator/'s RBAC), so every scenario also checks that RBAC. Tests share the
 * nodes and the cluster-scoped objects, so each uses its own namespace and object names.
 */
public final class RealCluster {
  public static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static LocalCluster cluster;

  private RealCluster() {}

  /** The shared cluster; fails (never skips) when the binaries are missing. */
  public static synchronized LocalCluster get() {
    if (cluster == null) {
      LocalCluster started =
          LocalCluster.start(
              LocalCluster.Options.defaults(Path.of("target/kube/control-plane.log")));
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "real-cluster-stop"));
      cluster = started;
    }
    return cluster;
  }

  public static KubernetesClient admin() {
    return get().admin();
  }

  public static Kubectl kubectl() {
    return get().kubectl();
  }

  /** A unique name for cluster-scoped objects (Licenses, groups) of one test. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  /**
   * A fresh namespace whose default ServiceAccount exists: pods (the operator's too) are refused
   * before the controller-manager has created it.
   */
  public static String namespace(String prefix) {
    String name =
        prefix
            + "-"
            + NAMESPACES.incrementAndGet()
            + "-"
            + UUID.randomUUID().toString().substring(0, 4);
    admin()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> admin().serviceAccounts().inNamespace(name).withName("default").get() != null);
    return name;
  }

  public static <T extends HasMetadata> T create(T object) {
    return admin().resource(object).create();
  }

  public static Project project(String namespace, String name) {
    return admin().resources(Project.class).inNamespace(namespace).withName(name).get();
  }

  public static License license(String name) {
    return admin().resources(License.class).withName(name).get();
  }

  public static Pod pod(String namespace, String projectName) {
    return admin()
        .pods()
        .inNamespace(namespace)
        .withName(ProjectPodFactory.podName(projectName))
        .get();
  }

  public static Project awaitProject(String namespace, String name, Predicate<Project> condition) {
    try {
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(() -> condition.test(project(namespace, name)));
    } catch (ConditionTimeoutException e) {
      Project p = project(namespace, name);
      throw new AssertionError(
          "Project "
              + namespace
              + "/"
              + name
              + " did not get there within "
              + TIMEOUT.toSeconds()
              + "s; its status: "
              + (p == null ? "(no such project)" : Serialization.asYaml(p.getStatus())),
          e);
    }
    return project(namespace, name);
  }

  /** Waits until the projects of a namespace satisfy a condition, and returns them. */
  public static java.util.List<Project> awaitProjects(
      String namespace, Predicate<java.util.List<Project>> condition) {
    try {
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () ->
                  condition.test(
                      admin().resources(Project.class).inNamespace(namespace).list().getItems()));
    } catch (ConditionTimeoutException e) {
      StringBuilder states = new StringBuilder();
      admin()
          .resources(Project.class)
          .inNamespace(namespace)
          .list()
          .getItems()
          .forEach(
              p ->
                  states
                      .append("\n")
                      .append(p.getMetadata().getName())
                      .append(": ")
                      .append(Serialization.asYaml(p.getStatus())));
      throw new AssertionError(
          "the projects of "
              + namespace
              + " did not get there within "
              + TIMEOUT.toSeconds()
              + "s:"
              + states,
          e);
    }
    return admin().resources(Project.class).inNamespace(namespace).list().getItems();
  }

  public static Project awaitPhase(String namespace, String name, ProjectPhase phase) {
    return awaitProject(
        namespace, name, p -> p.getStatus() != null && p.getStatus().getPhase() == phase);
  }

  /**
   * Two kwok nodes of a test's own, {@code <group>-a} and {@code <group>-b}, labelled {@code
   * test-group=<group>} (4 cpu each and the given memory), so the test disturbs no other.
   */
  public static void createNodes(String group, String memory) {
    for (String suffix : new String[] {"a", "b"}) {
      admin()
          .resource(
              """
          apiVersion: v1
          kind: Node
          metadata:
            name: %1$s-%2$s
            labels: {kubernetes.io/hostname: %1$s-%2$s, test-group: %1$s}
          status:
            capacity: {cpu: "4", memory: %3$s, pods: "110"}
            allocatable: {cpu: "4", memory: %3$s, pods: "110"}
          """
                  .formatted(group, suffix, memory))
          .create();
    }
  }

  /**
   * Removes a test's DedicatedNodeGroup, then (once the operator has released its members) the
   * nodes labelled {@code test-group=<group>}.
   */
  public static void deleteGroupAndItsNodes(String group) {
    var groups = admin().resources(dev.quotient.api.DedicatedNodeGroup.class);
    groups.withName(group).delete();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> groups.withName(group).get() == null);
    admin().nodes().withLabel("test-group", group).delete();
  }

  /**
   * Changes the operator's settings ConfigMap as an admin would (flat keys win over its {@code
   * settings.yaml}; a null value removes the key) and waits until the operator in this JVM has
   * reloaded them, i.e. until {@code reloaded} holds.
   */
  public static void editSettings(Map<String, String> flatKeys, Predicate<Settings> reloaded) {
    admin()
        .configMaps()
        .inNamespace(LocalCluster.NAMESPACE)
        .withName(LocalCluster.SETTINGS_CONFIG_MAP)
        .edit(
            cm -> {
              Map<String, String> data =
                  new HashMap<>(cm.getData() == null ? Map.of() : cm.getData());
              flatKeys.forEach(
                  (k, v) -> {
                    if (v == null) {
                      data.remove(k);
                    } else {
                      data.put(k, v);
                    }
                  });
              cm.setData(data);
              return cm;
            });
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> reloaded.test(get().operator().settings()));
  }

  /**
   * Edits a Project like a user would, retrying when the operator's status write raced it (409).
   */
  public static Project editProject(String namespace, String name, UnaryOperator<Project> edit) {
    for (int attempt = 0; ; attempt++) {
      try {
        return admin().resources(Project.class).inNamespace(namespace).withName(name).edit(edit);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt > 20) {
          throw e;
        }
      }
    }
  }
}
