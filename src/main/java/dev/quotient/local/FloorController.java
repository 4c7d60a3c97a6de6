package dev.quotient.local;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.QuotaCalculator;
import dev.quotient.quota.QuotaInput;
import dev.quotient.settings.Settings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor the benchmark measures the operator against: a bare controller with the operator's
 * client and identity that makes, for each Project, exactly the writes the operator cannot avoid
 * (the same pod create, one status write once the pod runs) and nothing else: no quota, no ledger,
 * no Events, as many requests in flight as helps.
 */
final class FloorController implements AutoCloseable {
  private final KubernetesClient client;
  private final ProjectPodFactory pods;
  private final EffectiveQuota quota;
  private final ExecutorService writers;
  private final Set<String> created = ConcurrentHashMap.newKeySet();
  private final Set<String> written = ConcurrentHashMap.newKeySet();
  private final Map<String, Project> projects = new ConcurrentHashMap<>();
  private final LongAdder failures = new LongAdder();
  private final SharedIndexInformer<Project> projectInformer;
  private final SharedIndexInformer<Pod> podInformer;

  FloorController(KubernetesClient client, String namespace, Settings settings, int threads) {
    this.client = client;
    this.pods = new ProjectPodFactory(settings.pod());
    // Every benchmark project asks for the default quota: the same pod the operator builds.
    this.quota =
        new QuotaCalculator(settings.quotaPolicy())
            .calculate(
                new QuotaInput(
                    namespace, Map.of(), List.of(), Map.of(), null, Instant.now(), l -> true))
            .quota();
    this.writers = Executors.newFixedThreadPool(threads);
    this.podInformer =
        client.pods().inNamespace(namespace).inform(SeenHandler.of(this::podSeen, this::podSeen));
    this.projectInformer =
        client
            .resources(Project.class)
            .inNamespace(namespace)
            .inform(SeenHandler.of(this::projectSeen, this::projectSeen));
  }

  long failures() {
    return failures.sum();
  }

  private void projectSeen(Project p) {
    String name = p.getMetadata().getName();
    projects.put(name, p);
    if (created.add(name)) {
      writers.execute(
          () -> {
            try {
              client.pods().resource(pods.desiredPod(p, quota).pod()).create();
            } catch (RuntimeException e) {
              failures.increment();
            }
          });
    }
  }

  private void podSeen(Pod pod) {
    if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
      return;
    }
    String project = projectOf(pod);
    Project p = project == null ? null : projects.get(project);
    if (p != null && written.add(project)) {
      writers.execute(
          () -> {
            try {
              ProjectStatus status = new ProjectStatus();
              status.setPhase(ProjectPhase.Running);
              status.setPodName(pod.getMetadata().getName());
              status.setNodeName(pod.getSpec().getNodeName());
              // A copy: the informer's object stays as the server sent it.
              Project update = new Project();
              update.setMetadata(p.getMetadata());
              update.setSpec(p.getSpec());
              update.setStatus(status);
              client.resource(update).updateStatus();
            } catch (RuntimeException e) {
              failures.increment();
            }
          });
    }
  }

  private static String projectOf(Pod pod) {
    var refs = pod.getMetadata().getOwnerReferences();
    return refs == null || refs.isEmpty() ? null : refs.get(0).getName();
  }

  @Override
  public void close() {
    projectInformer.close();
    podInformer.close();
    writers.shutdown();
    try {
      writers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
