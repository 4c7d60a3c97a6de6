package dev.quotient.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.admission.Lease;
import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectSpec;
import dev.quotient.api.QuotientLabels;
import dev.quotient.controller.OperatorConfig;
import dev.quotient.controller.ProjectReconciler;
import dev.quotient.controller.QuotientOperator;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * {@code quotient benchmark}: scenarios on the real control plane, one JSON line each on stdout
 * (progress on stderr). In one run, in this order:
 *
 * <ol>
 *   <li>{@code floor}: the N Projects handled by {@link FloorController} (one pod create and one
 *       status write each, nothing else), with the operator's client and identity;
 *   <li>{@code startStorm}: the same N Projects created at the offered rate and started by the
 *       operator; time until all are Running, create-to-pod latency, API requests by verb, and
 *       {@code ratio = floorSeconds / operatorSeconds};
 *   <li>{@code steadyMemory}: the heap after a full GC with the N projects running, less the heap
 *       before the operator started, per project (the benchmark's own watches closed first);
 *   <li>{@code timerPass}: the CPU time of one look at every project, as the timers take them;
 *   <li>{@code coldStart}: the operator stopped and started again over the N running projects: time
 *       until the ledger is rebuilt and every project reconciled once, and the writes it made;
 *   <li>{@code churn}: a share of the projects stopped and started again every second; time from a
 *       start request to its pod (admission latency).
 * </ol>
 *
 * Every scenario that changes the cluster is followed by a correctness check (all Running, no
 * project with two pods, the ledger equal to the pods); problems are printed and fail the run.
 */
public final class Benchmark {
  static final String NAMESPACE = "bench";
  static final String FLOOR_NAMESPACE = "floor";

  /** Pods per pool node (kubelet's default maxPods). */
  static final int PODS_PER_NODE = 110;

  private static final Duration DEADLINE = Duration.ofMinutes(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The scenarios, by the names {@code --scenarios} takes. */
  public enum Scenario {
    floor,
    startStorm,
    steadyMemory,
    timerPass,
    coldStart,
    churn
  }

  /**
   * @param rate offered Project creates per second (null: as fast as four client threads go)
   * @param churnPercent share of the projects stopped (and as many started) each second
   */
  public record Options(
      int projects,
      Double rate,
      Set<Scenario> scenarios,
      Duration churnFor,
      double churnPercent,
      int reconcileThreads,
      Path logFile) {
    public static Options defaults(int projects, Path logFile) {
      return new Options(
          projects, null, EnumSet.allOf(Scenario.class), Duration.ofSeconds(60), 1.0, 50, logFile);
    }

    public Options withProjects(int n) {
      return new Options(n, rate, scenarios, churnFor, churnPercent, reconcileThreads, logFile);
    }

    public Options withRate(Double r) {
      return new Options(projects, r, scenarios, churnFor, churnPercent, reconcileThreads, logFile);
    }

    public Options withScenarios(Set<Scenario> s) {
      return new Options(projects, rate, s, churnFor, churnPercent, reconcileThreads, logFile);
    }

    public Options withChurnFor(Duration d) {
      return new Options(projects, rate, scenarios, d, churnPercent, reconcileThreads, logFile);
    }

    public Options withChurnPercent(double p) {
      return new Options(projects, rate, scenarios, churnFor, p, reconcileThreads, logFile);
    }

    public Options withReconcileThreads(int t) {
      return new Options(projects, rate, scenarios, churnFor, churnPercent, t, logFile);
    }

    public Options withLogFile(Path f) {
      return new Options(projects, rate, scenarios, churnFor, churnPercent, reconcileThreads, f);
    }
  }

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    Path logFile =
        Path.of(System.getProperty("java.io.tmpdir"), "quotient-benchmark", "control-plane.log");
    Options o = Options.defaults(500, logFile);
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--projects" -> o = o.withProjects(Integer.parseInt(v));
        case "--rate" -> o = o.withRate(Double.valueOf(v));
        case "--scenarios" -> o = o.withScenarios(scenarios(v));
        case "--churn-seconds" -> o = o.withChurnFor(Duration.ofSeconds(Long.parseLong(v)));
        case "--churn-percent" -> o = o.withChurnPercent(Double.parseDouble(v));
        case "--reconcile-threads" -> o = o.withReconcileThreads(Integer.parseInt(v));
        case "--log" -> o = o.withLogFile(Path.of(v));
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + " (options: --projects N, --rate R, --scenarios a,b,..., --churn-seconds S,"
                    + " --churn-percent P, --reconcile-threads T, --log FILE)");
      }
      i++;
    }
    List<String> problems =
        run(
            o,
            line -> {
              try {
                System.out.println(JSON.writeValueAsString(line));
                System.out.flush();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    if (!problems.isEmpty()) {
      System.err.println("benchmark found " + problems.size() + " problems:");
      problems.forEach(p -> System.err.println("  " + p));
      System.exit(1);
    }
    // The operator's non-daemon threads (JOSDK's executors) must not keep the JVM up.
    System.exit(0);
  }

  static Set<Scenario> scenarios(String list) {
    Set<Scenario> s = EnumSet.noneOf(Scenario.class);
    for (String name : list.split(",")) {
      s.add(Scenario.valueOf(name.trim()));
    }
    // The later scenarios need the running projects a start storm leaves.
    if (s.stream().anyMatch(x -> x.compareTo(Scenario.startStorm) > 0)) {
      s.add(Scenario.startStorm);
    }
    return s;
  }

  /**
   * Runs the scenarios of {@code o}, handing each one's figures to {@code out} as it finishes;
   * returns the problems the correctness checks found (empty when all held).
   */
  public static List<String> run(Options o, Consumer<Map<String, Object>> out) throws Exception {
    int n = o.projects();
    boolean floor = o.scenarios().contains(Scenario.floor);
    int nodes = (n + PODS_PER_NODE - 1) / PODS_PER_NODE + 1;
    Path nodesFile = poolNodes(nodes);
    List<String> problems = new ArrayList<>();
    try (LocalCluster cluster =
        LocalCluster.start(
            LocalCluster.Options.defaults(o.logFile())
                .withNodesFile(nodesFile)
                .withoutOperator())) {
      KubernetesClient admin = cluster.admin();
      progress(
          "control plane with %d nodes up in %.1f s",
          nodes, cluster.controlPlane().startTime().toMillis() / 1000.0);
      Settings settings = settings(admin);
      Double floorSeconds = null;
      if (floor) {
        createNamespace(admin, FLOOR_NAMESPACE);
        RequestCounter requests = new RequestCounter();
        try (KubernetesClient client = cluster.newOperatorClient(requests);
            FloorController controller =
                new FloorController(client, FLOOR_NAMESPACE, settings, 64);
            ProjectWatch watch = new ProjectWatch(admin, FLOOR_NAMESPACE)) {
          Storm s = storm(admin, watch, FLOOR_NAMESPACE, o, requests);
          floorSeconds = s.allRunningSeconds;
          Map<String, Object> line = s.line("floor", n);
          line.put("failedWrites", controller.failures());
          out.accept(line);
        }
        // Gone before the operator starts, so it neither sees them nor shares nodes with them.
        deleteNamespace(admin, FLOOR_NAMESPACE);
      }
      createNamespace(admin, NAMESPACE);
      long heapBefore = heapAfterGc();
      RequestCounter requests = new RequestCounter();
      KubernetesClient client = cluster.newOperatorClient(requests);
      QuotientOperator operator = startOperator(client, o);
      long heapIdle = heapAfterGc();
      try {
        Storm s;
        try (ProjectWatch watch = new ProjectWatch(admin, NAMESPACE)) {
          s = storm(admin, watch, NAMESPACE, o, requests);
        }
        Map<String, Object> line = s.line("startStorm", n);
        line.put("offeredRate", o.rate());
        line.put("reconcileThreads", o.reconcileThreads());
        if (floorSeconds != null) {
          line.put("floorSeconds", floorSeconds);
          line.put("ratio", round(floorSeconds / s.allRunningSeconds));
        }
        List<String> found = check(admin, operator, n);
        line.put("problems", found.size());
        problems.addAll(found);
        out.accept(line);

        if (o.scenarios().contains(Scenario.steadyMemory)) {
          // Steady means the Events and status writes of the storm are out, not queued.
          double quietAfter = awaitQuiet(requests);
          long heapAfter = heapAfterGc();
          Map<String, Object> m = line("steadyMemory", n);
          m.put("heapBytesBeforeOperator", heapBefore);
          m.put("heapBytesOperatorIdle", heapIdle);
          m.put("heapBytesWithProjects", heapAfter);
          m.put("bytesPerProject", (heapAfter - heapIdle) / n);
          m.put("quietAfterSeconds", quietAfter);
          out.accept(m);
          String histogram = System.getProperty("quotient.benchmark.histogram");
          if (histogram != null) {
            Files.writeString(Path.of(histogram), classHistogram());
          }
        }
        if (o.scenarios().contains(Scenario.timerPass)) {
          out.accept(timerPass(operator, n));
        }
        if (o.scenarios().contains(Scenario.coldStart)) {
          operator.close();
          client.close();
          requests = new RequestCounter();
          client = cluster.newOperatorClient(requests);
          long t0 = System.nanoTime();
          operator = startOperator(client, o);
          long deadline = t0 + DEADLINE.toNanos();
          while (!operator.health().readiness().ok() || operator.reconciledOnce() < n) {
            if (System.nanoTime() > deadline) {
              problems.add(
                  "cold start: only " + operator.reconciledOnce() + " of " + n + " reconciled");
              break;
            }
            Thread.sleep(20);
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          // Writes that follow the first round (a status touched late) count too.
          Thread.sleep(5_000);
          Map<String, Long> byVerb = requests.byMethod();
          long writes =
              byVerb.entrySet().stream()
                  .filter(e -> !e.getKey().equals("GET"))
                  .mapToLong(Map.Entry::getValue)
                  .sum();
          Map<String, Object> c = line("coldStart", n);
          c.put("seconds", round(seconds));
          c.put("writes", writes);
          c.put("requestsByVerb", byVerb);
          out.accept(c);
          problems.addAll(check(admin, operator, n));
        }
        if (o.scenarios().contains(Scenario.churn)) {
          out.accept(churn(admin, o, requests, problems));
          problems.addAll(check(admin, operator, n));
        }
      } finally {
        operator.close();
        client.close();
      }
    }
    return problems;
  }

  /** What one start storm measured. */
  private record Storm(
      double createSeconds,
      double allRunningSeconds,
      List<Long> createToPodMs,
      long requests,
      Map<String, Long> requestsByVerb) {
    Map<String, Object> line(String scenario, int n) {
      Map<String, Object> l = Benchmark.line(scenario, n);
      l.put("createSeconds", createSeconds);
      l.put("allRunningSeconds", allRunningSeconds);
      l.put("projectsPerSecond", round(n / allRunningSeconds));
      l.put("createToPodP50Ms", percentile(createToPodMs, 0.50));
      l.put("createToPodP99Ms", percentile(createToPodMs, 0.99));
      l.put("requestsPerProject", round((double) requests / n));
      l.put("requestsByVerb", requestsByVerb);
      return l;
    }
  }

  private static Storm storm(
      KubernetesClient admin, ProjectWatch watch, String ns, Options o, RequestCounter requests)
      throws InterruptedException {
    int n = o.projects();
    long before = requests.total();
    Map<String, Long> beforeByVerb = requests.byMethod();
    progress("%s: creating %d projects%s", ns, n, o.rate() == null ? "" : " at " + o.rate() + "/s");
    Map<String, Long> created = new ConcurrentHashMap<>();
    long t0 = System.nanoTime();
    createAtRate(
        n,
        o.rate(),
        i -> {
          String name = projectName(i);
          return () -> {
            created.put(name, System.nanoTime());
            admin.resources(Project.class).inNamespace(ns).resource(project(ns, name)).create();
          };
        });
    long createdAll = System.nanoTime();
    long deadline = t0 + DEADLINE.toNanos();
    int last = -1;
    while (watch.runningCount() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + watch.runningCount() + " of " + n + " projects Running in " + ns);
      }
      int now = watch.runningCount();
      if (now / 1000 != last / 1000) {
        progress("%s: %d Running", ns, now);
        last = now;
      }
      Thread.sleep(50);
    }
    List<Long> latencies = new ArrayList<>();
    created.forEach(
        (name, at) -> {
          Long pod = watch.podAdded(ProjectPodFactory.podName(name));
          latencies.add(TimeUnit.NANOSECONDS.toMillis((pod == null ? at : pod) - at));
        });
    latencies.sort(null);
    return new Storm(
        round((createdAll - t0) / 1e9),
        round((watch.lastRunning() - t0) / 1e9),
        latencies,
        requests.total() - before,
        delta(beforeByVerb, requests.byMethod()));
  }

  /**
   * Runs task i for i in [0, n): paced at {@code rate} per second when given (on enough threads
   * that a slow request does not hold the pace back), else as fast as four threads go.
   */
  static void createAtRate(int n, Double rate, IntFunction<Runnable> task)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(rate == null ? 4 : 32);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (rate != null) {
        long due = t0 + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      pool.execute(task.apply(i));
    }
    pool.shutdown();
    if (!pool.awaitTermination(DEADLINE.toMinutes(), TimeUnit.MINUTES)) {
      throw new IllegalStateException("creating " + n + " projects took over " + DEADLINE);
    }
  }

  private static Map<String, Object> timerPass(QuotientOperator operator, int n) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Long> cpu = new ArrayList<>();
    List<Long> wall = new ArrayList<>();
    ProjectReconciler.LookPass pass = null;
    int passes = Integer.getInteger("quotient.benchmark.timerPasses", 7);
    for (int i = 0; i < passes; i++) {
      long c0 = threads.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      pass = operator.lookAtAll();
      wall.add(System.nanoTime() - w0);
      cpu.add(threads.getCurrentThreadCpuTime() - c0);
    }
    Map<String, Object> l = line("timerPass", n);
    l.put("firstCpuMillis", round(cpu.get(0) / 1e6));
    cpu.sort(null);
    wall.sort(null);
    l.put("cpuMillis", round(cpu.get(cpu.size() / 2) / 1e6));
    l.put("wallMillis", round(wall.get(wall.size() / 2) / 1e6));
    l.put("projectsLooked", pass.projects());
    l.put("wouldAct", pass.wouldAct());
    l.put("wouldWriteStatus", pass.wouldWriteStatus());
    return l;
  }

  /**
   * Every second, stops a share of the running projects and starts again those stopped a few
   * seconds before; measures from each start request to its new pod.
   */
  private static Map<String, Object> churn(
      KubernetesClient admin, Options o, RequestCounter requests, List<String> problems)
      throws InterruptedException {
    int n = o.projects();
    int perSecond = Math.max(1, (int) Math.round(n * o.churnPercent() / 100));
    int seconds = (int) o.churnFor().toSeconds();
    int restartAfter = 5;
    progress(
        "churn: %d projects stop and %d start each second for %d s", perSecond, perSecond, seconds);
    long before = requests.total();
    Map<String, Long> beforeByVerb = requests.byMethod();
    Map<String, Long> startRequested = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (ProjectWatch watch = new ProjectWatch(admin, NAMESPACE)) {
      long t0 = System.nanoTime();
      int next = 0;
      List<List<String>> stopped = new ArrayList<>();
      for (int second = 0; second < seconds + restartAfter; second++) {
        long due = t0 + TimeUnit.SECONDS.toNanos(second);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (second < seconds) {
          List<String> batch = new ArrayList<>();
          for (int k = 0; k < perSecond; k++) {
            batch.add(projectName(next++ % n));
          }
          stopped.add(batch);
          batch.forEach(
              name -> pool.execute(() -> desire(admin, name, DesiredState.Stopped, failed)));
        }
        if (second >= restartAfter) {
          for (String name : stopped.get(second - restartAfter)) {
            pool.execute(
                () -> {
                  startRequested.put(name, System.nanoTime());
                  desire(admin, name, DesiredState.Running, failed);
                });
          }
        }
      }
      pool.shutdown();
      pool.awaitTermination(5, TimeUnit.MINUTES);
      // The last starts get time to land.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<Long> latencies = new ArrayList<>();
      int notStarted;
      do {
        latencies.clear();
        notStarted = 0;
        for (var e : startRequested.entrySet()) {
          Long pod = watch.podAdded(ProjectPodFactory.podName(e.getKey()));
          if (pod != null && pod > e.getValue()) {
            latencies.add(TimeUnit.NANOSECONDS.toMillis(pod - e.getValue()));
          } else {
            notStarted++;
          }
        }
        if (notStarted > 0) {
          Thread.sleep(200);
        }
      } while (notStarted > 0 && System.nanoTime() < deadline);
      latencies.sort(null);
      if (notStarted > 0) {
        problems.add("churn: " + notStarted + " projects asked to start got no new pod in 60 s");
      }
      Map<String, Object> l = line("churn", n);
      l.put("seconds", seconds);
      l.put("stopsPerSecond", perSecond);
      l.put("startsPerSecond", perSecond);
      l.put("starts", startRequested.size());
      l.put("admissionP50Ms", latencies.isEmpty() ? null : percentile(latencies, 0.50));
      l.put("admissionP99Ms", latencies.isEmpty() ? null : percentile(latencies, 0.99));
      l.put("notStarted", notStarted);
      l.put("failedPatches", failed.sum());
      if (failed.sum() > 0) {
        problems.add("churn: " + failed.sum() + " desiredState patches failed");
      }
      l.put("requestsByVerb", delta(beforeByVerb, requests.byMethod()));
      l.put("requests", requests.total() - before);
      return l;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One merge patch of spec.desiredState, as a user's kubectl patch (no read, no version). */
  private static void desire(
      KubernetesClient admin,
      String name,
      DesiredState state,
      java.util.concurrent.atomic.LongAdder failed) {
    try {
      admin
          .resources(Project.class)
          .inNamespace(NAMESPACE)
          .withName(name)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"desiredState\":\"" + state.name() + "\"}}");
    } catch (RuntimeException e) {
      failed.increment();
    }
  }

  /**
   * What must hold after each scenario: every Project Running with its pod, no project with two
   * pods, and the operator's ledger holding exactly the pods' leases.
   */
  static List<String> check(KubernetesClient admin, QuotientOperator operator, int n)
      throws InterruptedException {
    // Stops and starts of a churn settle within seconds; the check waits for that, not longer.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> problems;
    do {
      problems = new ArrayList<>();
      List<Project> projects =
          admin.resources(Project.class).inNamespace(NAMESPACE).list().getItems();
      List<Pod> pods =
          admin
              .pods()
              .inNamespace(NAMESPACE)
              .withLabel(QuotientLabels.PROJECT)
              .list()
              .getItems()
              .stream()
              .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              .toList();
      if (projects.size() != n) {
        problems.add(projects.size() + " Projects, expected " + n);
      }
      for (Project p : projects) {
        boolean wantsRunning = p.getSpec().getDesiredState() != DesiredState.Stopped;
        ProjectPhase phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        if (wantsRunning && phase != ProjectPhase.Running) {
          problems.add(p.getMetadata().getName() + " is " + phase + ", not Running");
        }
      }
      Map<String, List<String>> podsByProject =
          pods.stream()
              .collect(
                  Collectors.groupingBy(
                      p -> p.getMetadata().getLabels().get(QuotientLabels.PROJECT),
                      TreeMap::new,
                      Collectors.mapping(p -> p.getMetadata().getName(), Collectors.toList())));
      for (var e : podsByProject.entrySet()) {
        if (e.getValue().size() > 1) {
          problems.add(
              "project " + e.getKey() + " has " + e.getValue().size() + " pods: " + e.getValue());
        }
      }
      Set<String> leased =
          operator.ledger().snapshot().leases().stream()
              .filter(l -> l.project().namespace().equals(NAMESPACE))
              .map(Lease::podName)
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> running =
          pods.stream()
              .map(p -> p.getMetadata().getName())
              .collect(Collectors.toCollection(TreeSet::new));
      if (!leased.equals(running)) {
        Set<String> extra = new TreeSet<>(leased);
        extra.removeAll(running);
        Set<String> missing = new TreeSet<>(running);
        missing.removeAll(leased);
        problems.add(
            "ledger differs from the pods: leases without pod "
                + first(extra)
                + ", pods without lease "
                + first(missing));
      }
      if (problems.isEmpty()) {
        return problems;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    return problems.size() > 20 ? new ArrayList<>(problems.subList(0, 20)) : problems;
  }

  private static String first(Set<String> s) {
    return s.size() <= 5
        ? s.toString()
        : s.stream().limit(5).toList() + " and " + (s.size() - 5) + " more";
  }

  private static QuotientOperator startOperator(KubernetesClient client, Options o) {
    return QuotientOperator.start(
        client,
        OperatorConfig.defaults(LocalCluster.NAMESPACE).withReconcileThreads(o.reconcileThreads()));
  }

  private static Settings settings(KubernetesClient admin) {
    ConfigMap cm =
        admin
            .configMaps()
            .inNamespace(LocalCluster.NAMESPACE)
            .withName(LocalCluster.SETTINGS_CONFIG_MAP)
            .get();
    return SettingsParser.parse(cm == null || cm.getData() == null ? Map.of() : cm.getData());
  }

  private static void createNamespace(KubernetesClient admin, String ns)
      throws InterruptedException {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    awaitDefaultServiceAccount(admin, ns);
  }

  private static void deleteNamespace(KubernetesClient admin, String ns)
      throws InterruptedException {
    long t0 = System.nanoTime();
    admin.namespaces().withName(ns).delete();
    long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
    while (admin.namespaces().withName(ns).get() != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("namespace " + ns + " still there after 10 min");
      }
      Thread.sleep(200);
    }
    progress("namespace %s deleted in %.1f s", ns, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The live objects by class, as {@code jcmd PID GC.class_histogram} prints them (for profiling).
   */
  static String classHistogram() {
    try {
      return (String)
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcClassHistogram",
                  new Object[] {null},
                  new String[] {String[].class.getName()});
    } catch (javax.management.JMException e) {
      return "no class histogram: " + e;
    }
  }

  /**
   * Waits until the operator made no request for five seconds (at most five minutes); returns how
   * long that took.
   */
  static double awaitQuiet(RequestCounter requests) throws InterruptedException {
    long t0 = System.nanoTime();
    long last = requests.total();
    long quietSince = System.nanoTime();
    while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(5)
        && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5)) {
      Thread.sleep(250);
      long now = requests.total();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
    return round((System.nanoTime() - t0) / 1e9);
  }

  /** The used heap after full collections (what the live objects take). */
  static long heapAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new LinkedHashMap<>();
    after.forEach(
        (m, v) -> {
          long x = v - before.getOrDefault(m, 0L);
          if (x > 0) {
            d.put(m, x);
          }
        });
    return d;
  }

  private static Map<String, Object> line(String scenario, int n) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("scenario", scenario);
    l.put("projects", n);
    return l;
  }

  static String projectName(int i) {
    return String.format("p-%05d", i);
  }

  static long percentile(List<Long> sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static void progress(String format, Object... args) {
    System.err.printf(format + "%n", args);
  }

  static Project project(String namespace, String name) {
    Project p = new Project();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
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
}
