package dev.quotient.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectSpec;
import dev.quotient.pod.ProjectPodFactory;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code quotient benchmark --projects N}: starts N projects (default quota, no licenses) against
 * the real control plane and prints ONE JSON line: control-plane start time, time until all are
 * Running, p50/p99 from Project create to its pod appearing, and the operator's API requests per
 * project (counted in its client). Progress goes to stderr.
 */
public final class Benchmark {
  static final String NAMESPACE = "bench";

  /** Pods per pool node (kubelet's default maxPods). */
  static final int PODS_PER_NODE = 110;

  private Benchmark() {}

  /** The figures the benchmark prints. */
  public record Result(
      int projects,
      int nodes,
      double controlPlaneStartSeconds,
      double createSeconds,
      double allRunningSeconds,
      long createToPodP50Ms,
      long createToPodP99Ms,
      double apiRequestsPerProject,
      Map<String, Long> apiRequestsByMethod) {}

  public static void main(String[] args) throws Exception {
    int projects = 500;
    Path logFile =
        Path.of(System.getProperty("java.io.tmpdir"), "quotient-benchmark", "control-plane.log");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--projects" -> projects = Integer.parseInt(args[++i]);
        case "--log" -> logFile = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + " (options: --projects N, --log FILE)");
      }
    }
    Result r = run(projects, logFile);
    System.out.println(new ObjectMapper().writeValueAsString(r));
  }

  public static Result run(int projects, Path logFile) throws Exception {
    // The default nodes hold about 128 default-quota projects: size a pool for N, with a spare
    // node.
    int nodes = (projects + PODS_PER_NODE - 1) / PODS_PER_NODE + 1;
    Path nodesFile = poolNodes(nodes);
    RequestCounter requests = new RequestCounter();
    try (LocalCluster cluster =
        LocalCluster.start(
            LocalCluster.Options.defaults(logFile)
                .withNodesFile(nodesFile)
                .withOperatorRequests(requests))) {
      KubernetesClient admin = cluster.admin();
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
      awaitDefaultServiceAccount(admin, NAMESPACE);

      Map<String, Long> created = new ConcurrentHashMap<>();
      Map<String, Long> podSeen = new ConcurrentHashMap<>();
      Map<String, Long> running = new ConcurrentHashMap<>();
      SharedIndexInformer<Pod> pods =
          admin
              .pods()
              .inNamespace(NAMESPACE)
              .inform(
                  onAddOrUpdate(
                      p -> {
                        podSeen.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
                      }));
      SharedIndexInformer<Project> projectInformer =
          admin
              .resources(Project.class)
              .inNamespace(NAMESPACE)
              .inform(
                  onAddOrUpdate(
                      p -> {
                        if (p.getStatus() != null
                            && p.getStatus().getPhase() == ProjectPhase.Running) {
                          running.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
                        }
                      }));
      long before = requests.total();
      Map<String, Long> beforeByMethod = requests.byMethod();
      System.err.printf(
          "control plane up in %.1f s; creating %d projects%n",
          cluster.controlPlane().startTime().toMillis() / 1000.0, projects);
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      for (int i = 0; i < projects; i++) {
        String name = String.format("p-%04d", i);
        pool.execute(
            () -> {
              created.put(name, System.nanoTime());
              admin
                  .resources(Project.class)
                  .inNamespace(NAMESPACE)
                  .resource(project(name))
                  .create();
            });
      }
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.MINUTES);
      long createdAll = System.nanoTime();
      long deadline = t0 + TimeUnit.MINUTES.toNanos(15);
      while (running.size() < projects) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "only " + running.size() + " of " + projects + " projects Running after 15 min");
        }
        Thread.sleep(100);
      }
      long lastRunning = running.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      long used = requests.total() - before;
      Map<String, Long> byMethod = new LinkedHashMap<>();
      requests
          .byMethod()
          .forEach(
              (m, n) -> {
                long d = n - beforeByMethod.getOrDefault(m, 0L);
                if (d > 0) {
                  byMethod.put(m, d);
                }
              });
      List<Long> latencies = new ArrayList<>();
      created.forEach(
          (name, at) ->
              latencies.add(
                  TimeUnit.NANOSECONDS.toMillis(
                      podSeen.get(ProjectPodFactory.podName(name)) - at)));
      latencies.sort(null);
      pods.close();
      projectInformer.close();
      return new Result(
          projects,
          nodes,
          round(cluster.controlPlane().startTime().toMillis() / 1000.0),
          round((createdAll - t0) / 1e9),
          round((lastRunning - t0) / 1e9),
          percentile(latencies, 0.50),
          percentile(latencies, 0.99),
          round((double) used / projects),
          byMethod);
    }
  }

  static long percentile(List<Long> sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static Project project(String name) {
    Project p = new Project();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    ProjectSpec spec = new ProjectSpec();
    spec.setDesiredState(DesiredState.Running);
    p.setSpec(spec);
    return p;
  }

  /**
   * N nodes of a general project pool (the label the local settings' project-node selector wants).
   */
  static Path poolNodes(int n) throws IOException {
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
    for (int i = 1; i <= n; i++) {
      yaml.append(
          """
          - apiVersion: v1
            kind: Node
            metadata:
              name: pool-%d
              labels: {kubernetes.io/hostname: pool-%d, quotient.dev/project-node: "true"}
            status:
              capacity: {cpu: "32", memory: 128Gi, pods: "%d"}
              allocatable: {cpu: "32", memory: 128Gi, pods: "%d"}
          """
              .formatted(i, i, PODS_PER_NODE, PODS_PER_NODE));
    }
    Path file = Files.createTempFile("quotient-bench-nodes-", ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(file, yaml);
    return file;
  }

  /**
   * Pods need their namespace's default ServiceAccount, which the controller-manager creates a few
   * seconds late.
   */
  static void awaitDefaultServiceAccount(KubernetesClient client, String namespace)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (client.serviceAccounts().inNamespace(namespace).withName("default").get() == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no default ServiceAccount in namespace " + namespace + " after 60s");
      }
      Thread.sleep(100);
    }
  }

  private static <T> ResourceEventHandler<T> onAddOrUpdate(java.util.function.Consumer<T> seen) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        seen.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        seen.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }
}
