package dev.quotient.realcluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectSpec;
import dev.quotient.api.QuotientLabels;
import dev.quotient.local.LocalCluster;
import dev.quotient.run.DefaultNodes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults on the real control plane: the operator runs as its own JVM ({@code java -jar
 * target/quotient.jar run}, as the Deployment's container would) and is SIGKILLed at random moments
 * of a start storm, then restarted, several times; then, still mid-storm, kube-apiserver alone is
 * restarted (etcd kept) and the operator must ride that out by itself ({@code
 * -Dquotient.faults.apiServerRestart=false} leaves that out). Afterwards every project is in the
 * state its spec asks for, none has two pods, no project pod is an orphan, and the restarted
 * operator's ledger (its dashboard's {@code /api/running}, which lists the ledger's leases) names
 * exactly the projects that have a pod.
 *
 * <p>Seeded: the seed is printed; {@code -Dquotient.faults.seed=N} replays the same storm and the
 * same kill delays (the moments they hit in the operator's work still depend on timing).
 *
 * <p>Its own control plane (not the shared {@link RealCluster}): it must not leave a foreign
 * operator's work half done for other tests, and no in-JVM operator may compete with the child.
 */
class OperatorFaultsKubeIT {
  static final int PROJECTS = 150;
  static final List<String> NAMESPACES = List.of("faults-a", "faults-b", "faults-c");
  static final Duration STEADY = Duration.ofSeconds(120);
  static final Path JAR = Path.of("target/quotient.jar");
  static final Path LOGS = Path.of("target/kube");
  // The same identity across restarts: a SIGKILLed container restarts in the same pod, with the
  // same POD_NAME, and takes its own leader lease back at once instead of waiting for it to expire.
  static final String IDENTITY = "quotient-faults-operator";
  static final ObjectMapper JSON = new ObjectMapper();

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopOperators() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void operatorSigkilledDuringAStartStormConverges() throws Exception {
    long seed = Long.getLong("quotient.faults.seed", new Random().nextLong());
    System.out.println(
        "OperatorFaultsKubeIT seed " + seed + " (-Dquotient.faults.seed=" + seed + ")");
    Random random = new Random(seed);
    assertThat(JAR).as("built by mvn package").isRegularFile();
    Files.createDirectories(LOGS);
    long t0 = System.nanoTime();
    try (LocalCluster cluster =
        LocalCluster.start(
            LocalCluster.Options.defaults(LOGS.resolve("faults-control-plane.log"))
                .withNodesFile(poolNodes(3))
                .withoutOperator())) {
      KubernetesClient admin = cluster.admin();
      for (String ns : NAMESPACES) {
        admin
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      for (String ns : NAMESPACES) {
        awaitDefaultServiceAccount(admin, ns);
      }
      Path kubeconfig = operatorKubeconfig(cluster);
      Path operatorLog = LOGS.resolve("faults-operator.log");
      Files.deleteIfExists(operatorLog);
      double clusterUp = seconds(t0);

      // The plan, all drawn from the seed before anything runs.
      int kills = 3 + random.nextInt(2);
      // Most kills land 0 to 3 s after the operator leads (ledger rebuilt, reconciling the storm
      // at full speed); about one in four lands 0.5 to 4 s after the JVM starts (start-up, cache
      // sync, ledger rebuild, whatever the load lets it reach).
      List<Long> killDelaysMillis = new ArrayList<>();
      List<Boolean> killAfterLeading = new ArrayList<>();
      for (int i = 0; i < kills; i++) {
        boolean early = random.nextInt(4) == 0;
        killAfterLeading.add(!early);
        killDelaysMillis.add(early ? 500 + (long) random.nextInt(3500) : random.nextInt(3000));
      }
      // The kube-apiserver restart comes after the last kill, mid-storm: the operator then running
      // is the one that must reach the steady state, riding out the outage by itself.
      // On by default; -Dquotient.faults.apiServerRestart=false leaves it out.
      int apiServerRestartAfter =
          Boolean.parseBoolean(System.getProperty("quotient.faults.apiServerRestart", "true"))
              ? kills - 1
              : -1;
      long apiServerDelayMillis = 500 + random.nextInt(2000); // after the operator leads
      List<Step> steps = plan(random);

      Operator operator = new Operator(kubeconfig, operatorLog);
      operator.start();
      ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
      List<Integer> exitCodes = new ArrayList<>();
      AtomicBoolean stormDone = new AtomicBoolean();
      AtomicReference<Duration> apiServerOutage = new AtomicReference<>();
      Thread chaos =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < kills; i++) {
                    if (killAfterLeading.get(i)) {
                      operator.awaitLeading(Duration.ofSeconds(90));
                    }
                    Thread.sleep(killDelaysMillis.get(i));
                    if (!operator.alive()) {
                      violations.add("the operator exited by itself before kill " + (i + 1));
                    }
                    exitCodes.add(operator.kill());
                    System.out.printf(
                        "  %.1f s: operator SIGKILLed (%d of %d), restarted%n",
                        seconds(t0), exitCodes.size(), kills);
                    operator.start();
                    if (i == apiServerRestartAfter) {
                      // With its informers running: they must reconnect, not start.
                      operator.awaitLeading(Duration.ofSeconds(90));
                      Thread.sleep(apiServerDelayMillis);
                      Duration outage =
                          cluster.controlPlane().restartApiServer(Duration.ofSeconds(90));
                      apiServerOutage.set(outage);
                      System.out.printf(
                          "  %.1f s: kube-apiserver restarted (etcd kept), back after %.1f s%n",
                          seconds(t0), outage.toMillis() / 1000.0);
                    }
                  }
                } catch (Exception e) {
                  violations.add("chaos thread failed: " + e);
                }
              },
              "faults-chaos");
      Thread watchdog =
          new Thread(
              () -> {
                while (!stormDone.get()) {
                  try {
                    podsByProject(admin).entrySet().stream()
                        .filter(e -> e.getValue().size() > 1)
                        .forEach(e -> violations.add(e.getKey() + " had pods " + e.getValue()));
                    Thread.sleep(300);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    // a failed list proves nothing either way; sample again
                  }
                }
              },
              "faults-watchdog");
      long stormStart = System.nanoTime();
      chaos.start();
      watchdog.start();
      for (Step step : steps) {
        try {
          step.applyRetrying(admin);
        } catch (KubernetesClientException e) {
          // The API server stayed away for the step's 90 s: say what the chaos thread and the
          // control plane saw, since the control plane's work dir is gone once it stops.
          throw new AssertionError(
              "step "
                  + step
                  + " failed (seed "
                  + seed
                  + "); seen so far: "
                  + violations
                  + "; last lines of the control plane's log:\n"
                  + tail(LOGS.resolve("faults-control-plane.log"), 40),
              e);
        }
        Thread.sleep(120);
      }
      chaos.join();
      double stormSeconds = seconds(stormStart);
      long settleStart = System.nanoTime();
      List<String> problems = awaitSteadyState(admin, operator);
      stormDone.set(true);
      watchdog.join();
      System.out.printf(
          "OperatorFaultsKubeIT: control plane %.1f s, storm of %d steps with %d SIGKILLs and a"
              + " kube-apiserver restart (%s) %.1f s, steady state %.1f s after, total %.1f s%n",
          clusterUp,
          steps.size(),
          kills,
          apiServerOutage.get(),
          stormSeconds,
          seconds(settleStart),
          seconds(t0));
      if (apiServerRestartAfter >= 0) {
        assertThat(apiServerOutage.get()).as("kube-apiserver restarted mid-storm").isNotNull();
      }
      assertThat(exitCodes)
          .as("destroyForcibly is SIGKILL: exit 128 + 9")
          .hasSize(kills)
          .containsOnly(137);
      assertThat(violations).as("seen during the storm (seed " + seed + ")").isEmpty();
      assertThat(problems)
          .as("steady state (seed %d; operator log %s)", seed, operatorLog)
          .isEmpty();
    }
  }

  /** One change a user makes during the storm. */
  record Step(String namespace, String name, Kind kind) {
    enum Kind {
      CREATE_RUNNING,
      CREATE_STOPPED,
      FLIP,
      DELETE
    }

    /**
     * Applies the step, retrying while the API server is away: a user's kubectl would be retried
     * too. A create or delete whose answer was lost counts as done on 409 / 404.
     */
    void applyRetrying(KubernetesClient admin) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (true) {
        try {
          apply(admin);
          return;
        } catch (KubernetesClientException e) {
          if ((kind == Kind.CREATE_RUNNING || kind == Kind.CREATE_STOPPED) && e.getCode() == 409) {
            return;
          }
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(250);
        }
      }
    }

    void apply(KubernetesClient admin) {
      var projects = admin.resources(Project.class).inNamespace(namespace);
      switch (kind) {
        case CREATE_RUNNING, CREATE_STOPPED -> {
          Project p = new Project();
          p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
          ProjectSpec spec = new ProjectSpec();
          spec.setDesiredState(
              kind == Kind.CREATE_RUNNING ? DesiredState.Running : DesiredState.Stopped);
          p.setSpec(spec);
          projects.resource(p).create();
        }
        case FLIP ->
            projects
                .withName(name)
                .edit(
                    p -> {
                      p.getSpec()
                          .setDesiredState(
                              p.getSpec().getDesiredState() == DesiredState.Stopped
                                  ? DesiredState.Running
                                  : DesiredState.Stopped);
                      return p;
                    });
        case DELETE -> projects.withName(name).delete();
      }
    }
  }

  /**
   * PROJECTS creations (a fifth Stopped), each followed now and then by a flip of an earlier one's
   * desiredState (some flipped twice) or, rarely, its deletion.
   */
  static List<Step> plan(Random random) {
    List<Step> steps = new ArrayList<>();
    List<String[]> live = new ArrayList<>();
    for (int i = 0; i < PROJECTS; i++) {
      String ns = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
      String name = "p-%03d".formatted(i);
      steps.add(
          new Step(
              ns,
              name,
              random.nextInt(5) == 0 ? Step.Kind.CREATE_STOPPED : Step.Kind.CREATE_RUNNING));
      live.add(new String[] {ns, name});
      int roll = random.nextInt(100);
      if (roll < 30) {
        String[] p = live.get(random.nextInt(live.size()));
        steps.add(new Step(p[0], p[1], Step.Kind.FLIP));
      } else if (roll < 33 && live.size() > 1) {
        String[] p = live.remove(random.nextInt(live.size()));
        steps.add(new Step(p[0], p[1], Step.Kind.DELETE));
      }
    }
    return steps;
  }

  /**
   * Restarts of the operator's JVM, as the kubelet restarts a killed container: same identity, same
   * ServiceAccount kubeconfig, fresh ports.
   */
  static final class Operator {
    private final Path kubeconfig;
    private final Path log;
    private volatile Process process;
    private volatile int dashboardPort;
    private volatile int metricsPort;

    Operator(Path kubeconfig, Path log) {
      this.kubeconfig = kubeconfig;
      this.log = log;
    }

    synchronized void start() throws IOException {
      dashboardPort = freePort();
      String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(operatorCommand(javaBin))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Map<String, String> env = pb.environment();
      env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
      env.put("QUOTIENT_NAMESPACE", LocalCluster.NAMESPACE);
      metricsPort = freePort();
      env.put("QUOTIENT_METRICS_PORT", Integer.toString(metricsPort));
      env.put("QUOTIENT_DASHBOARD_PORT", Integer.toString(dashboardPort));
      env.put("POD_NAME", IDENTITY);
      Files.writeString(
          log,
          "==== operator started (dashboard :" + dashboardPort + ")\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      process = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    }

    /**
     * The container's command; {@code -Dquotient.faults.operatorLogback=FILE} gives the operator a
     * logback configuration of one's own (e.g. the informers' reconnects at DEBUG).
     */
    static List<String> operatorCommand(String javaBin) {
      List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx384m", "-XX:+UseSerialGC"));
      String logback = System.getProperty("quotient.faults.operatorLogback");
      if (logback != null && !logback.isBlank()) {
        command.add("-Dlogback.configurationFile=" + logback);
      }
      command.addAll(List.of("-jar", JAR.toString(), "run"));
      return command;
    }

    /** SIGKILL (no shutdown hook runs), and the exit code. */
    synchronized int kill() throws InterruptedException {
      Process p = process;
      p.destroyForcibly();
      p.waitFor();
      return p.exitValue();
    }

    /** Until {@code /readyz} says it leads: caches synced, ledger rebuilt, reconciling. */
    void awaitLeading(Duration timeout) throws IOException, InterruptedException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && process.isAlive()) {
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && r.body().contains("leader (")) {
            return;
          }
        } catch (IOException notListeningYet) {
          // the JVM is still starting
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException(
          "the operator did not lead within " + timeout.toSeconds() + "s (alive: " + alive() + ")");
    }

    int exitCode() {
      return process.exitValue();
    }

    boolean alive() {
      return process.isAlive();
    }

    int dashboardPort() {
      return dashboardPort;
    }
  }

  /**
   * Polls until the steady state holds or {@link #STEADY} is up; returns what is still wrong (empty
   * when all holds).
   */
  static List<String> awaitSteadyState(KubernetesClient admin, Operator operator)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + STEADY.toNanos();
    List<String> problems;
    do {
      problems = new ArrayList<>();
      try {
        problems.addAll(steadyStateProblems(admin, operator, http));
      } catch (IOException | RuntimeException e) {
        problems.add("cannot check yet: " + e);
      }
      if (problems.isEmpty()) {
        return problems;
      }
      Thread.sleep(1000);
    } while (System.nanoTime() < deadline);
    return problems.size() > 20 ? new ArrayList<>(problems.subList(0, 20)) : problems;
  }

  static List<String> steadyStateProblems(
      KubernetesClient admin, Operator operator, HttpClient http)
      throws IOException, InterruptedException {
    List<String> problems = new ArrayList<>();
    if (!operator.alive()) {
      problems.add("the operator exited (code " + operator.exitCode() + ")");
      return problems;
    }
    Map<String, List<String>> pods = podsByProject(admin);
    Set<String> projects = new TreeSet<>();
    for (String ns : NAMESPACES) {
      for (Project p : admin.resources(Project.class).inNamespace(ns).list().getItems()) {
        String key = ns + "/" + p.getMetadata().getName();
        projects.add(key);
        DesiredState desired = p.getSpec().getDesiredState();
        ProjectPhase phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        ProjectPhase wanted =
            desired == DesiredState.Stopped ? ProjectPhase.Stopped : ProjectPhase.Running;
        int podCount = pods.getOrDefault(key, List.of()).size();
        int wantedPods = wanted == ProjectPhase.Running ? 1 : 0;
        if (phase != wanted || podCount != wantedPods) {
          problems.add(
              key + " wants " + desired + ": is " + phase + " with " + podCount + " pod(s)");
        }
      }
    }
    Set<String> orphans = new TreeSet<>(pods.keySet());
    orphans.removeAll(projects);
    if (!orphans.isEmpty()) {
      problems.add("project pods without a Project: " + orphans);
    }
    // The ledger as the restarted operator reports it: one row per lease.
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + operator.dashboardPort() + "/api/running?size=500"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      problems.add("dashboard /api/running: HTTP " + response.statusCode());
      return problems;
    }
    JsonNode page = JSON.readTree(response.body());
    List<String> leases = new ArrayList<>();
    for (JsonNode row : page.get("items")) {
      leases.add(row.get("namespace").asText() + "/" + row.get("name").asText());
    }
    Set<String> leased = new TreeSet<>(leases);
    if (leased.size() != leases.size()) {
      problems.add("a project holds two leases: " + leases);
    }
    if (!leased.equals(new TreeSet<>(pods.keySet()))) {
      Set<String> extra = new TreeSet<>(leased);
      extra.removeAll(pods.keySet());
      Set<String> missing = new TreeSet<>(pods.keySet());
      missing.removeAll(leased);
      problems.add(
          "ledger differs from the pods: leases without pod "
              + extra
              + ", pods without lease "
              + missing);
    }
    return problems;
  }

  /** Live (not terminating) project pods of the test's namespaces, by "namespace/project". */
  static Map<String, List<String>> podsByProject(KubernetesClient admin) {
    Map<String, List<String>> byProject = new TreeMap<>();
    for (String ns : NAMESPACES) {
      List<Pod> pods =
          admin.pods().inNamespace(ns).withLabel(QuotientLabels.PROJECT).list().getItems();
      pods.stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .collect(
              Collectors.groupingBy(
                  p -> ns + "/" + p.getMetadata().getLabels().get(QuotientLabels.PROJECT),
                  Collectors.mapping(p -> p.getMetadata().getName(), Collectors.toList())))
          .forEach(byProject::put);
    }
    return byProject;
  }

  /** A kubeconfig with a bound token of the operator's ServiceAccount, as its pod would have. */
  static Path operatorKubeconfig(LocalCluster cluster) throws IOException {
    Config admin = cluster.controlPlane().adminConfig();
    String token =
        cluster
            .admin()
            .serviceAccounts()
            .inNamespace(LocalCluster.NAMESPACE)
            .withName(LocalCluster.SERVICE_ACCOUNT)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Path file = Files.createTempFile(LOGS.toAbsolutePath(), "operator-", ".kubeconfig");
    file.toFile().deleteOnExit();
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: quotient
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: operator
          user:
            token: %s
        contexts:
        - name: quotient
          context: {cluster: quotient, user: operator, namespace: %s}
        current-context: quotient
        """
            .formatted(admin.getMasterUrl(), admin.getCaCertData(), token, LocalCluster.NAMESPACE));
    return file;
  }

  /** Project-pool nodes roomy enough that every project fits: only faults make it hard. */
  static Path poolNodes(int n) throws IOException {
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
    for (int i = 1; i <= n; i++) {
      yaml.append(
          """
          - apiVersion: v1
            kind: Node
            metadata:
              name: pool-%1$d
              labels: {kubernetes.io/hostname: pool-%1$d, %2$s}
            status:
              capacity: {cpu: "32", memory: 128Gi, pods: "110"}
              allocatable: {cpu: "32", memory: 128Gi, pods: "110"}
          """
              .formatted(i, projectNodeLabel()));
    }
    Path file = Files.createTempFile("quotient-faults-nodes-", ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(file, yaml);
    return file;
  }

  /** The label the local settings' project-node selector asks for, as YAML. */
  static String projectNodeLabel() {
    String[] kv = DefaultNodes.SETTINGS.get("pod.projectNodeSelector").split("=", 2);
    return kv[0] + ": \"" + kv[1] + "\"";
  }

  static void awaitDefaultServiceAccount(KubernetesClient client, String namespace)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (client.serviceAccounts().inNamespace(namespace).withName("default").get() == null) {
      assertThat(System.nanoTime())
          .as("default ServiceAccount of " + namespace)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
