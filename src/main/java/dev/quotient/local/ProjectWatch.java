package dev.quotient.local;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The benchmark's own eyes on one namespace (its admin client, not the controller under test): when
 * each pod first appeared and when each Project first showed Running, in {@link System#nanoTime}.
 */
final class ProjectWatch implements AutoCloseable {
  private final Map<String, Long> podAdded = new ConcurrentHashMap<>();
  private final Map<String, Long> running = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Project> projects;

  ProjectWatch(KubernetesClient admin, String namespace) {
    pods =
        admin
            .pods()
            .inNamespace(namespace)
            .inform(
                SeenHandler.of(
                    p -> podAdded.put(p.getMetadata().getName(), System.nanoTime()),
                    p -> podAdded.putIfAbsent(p.getMetadata().getName(), System.nanoTime())));
    Consumer<Project> seen =
        p -> {
          if (p.getStatus() != null && p.getStatus().getPhase() == ProjectPhase.Running) {
            running.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
          }
        };
    projects =
        admin.resources(Project.class).inNamespace(namespace).inform(SeenHandler.of(seen, seen));
  }

  /** When a pod of this name was last added (a new pod of the same name replaces the time). */
  Long podAdded(String podName) {
    return podAdded.get(podName);
  }

  /** When this Project first showed Running. */
  Long running(String project) {
    return running.get(project);
  }

  int runningCount() {
    return running.size();
  }

  long lastRunning() {
    return running.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  @Override
  public void close() {
    pods.close();
    projects.close();
  }
}
