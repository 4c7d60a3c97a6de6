package dev.quotient.embedded;

import dev.quotient.controller.OperatorConfig;
import dev.quotient.controller.QuotientOperator;
import dev.quotient.run.DefaultNodes;
import dev.quotient.run.ManifestDirectory;
import dev.quotient.run.ProjectTable;
import dev.quotient.sim.SimulatedCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The one-command local run: a mock API server on 127.0.0.1, simulated nodes, scheduler and
 * kubelet, the operator, and the manifests of {@code examples/}; then a table of the projects.
 */
public final class EmbeddedRun implements AutoCloseable {
  public static final String NAMESPACE = "quotient-system";

  /** Settings of the embedded cluster: project nodes carry quotient.dev/project-node=true. */
  public static final Map<String, String> SETTINGS = DefaultNodes.SETTINGS;

  private final MockApiServer api;
  private final SimulatedCluster cluster;
  private volatile QuotientOperator operator;
  private volatile KubernetesClient operatorClient;
  private final Clock clock;
  private final Integer dashboardPort;

  private EmbeddedRun(
      MockApiServer api,
      SimulatedCluster cluster,
      QuotientOperator operator,
      KubernetesClient operatorClient,
      Clock clock,
      Integer dashboardPort) {
    this.api = api;
    this.cluster = cluster;
    this.clock = clock;
    this.dashboardPort = dashboardPort;
    this.operator = operator;
    this.operatorClient = operatorClient;
  }

  /** Starts everything; {@code settings} go into the settings ConfigMap. */
  public static EmbeddedRun start(int port, Map<String, String> settings, Duration kubeletDelay) {
    return start(port, settings, kubeletDelay, Duration.ofMillis(200));
  }

  /** The embedded run proper: with the dashboard, on a free port. */
  public static EmbeddedRun start(
      int port, Map<String, String> settings, Duration kubeletDelay, Duration tick) {
    return start(MockApiServer.start(port), settings, kubeletDelay, tick, Clock.systemUTC(), 0);
  }

  /** Without the dashboard (the tests of the operator itself). */
  public static EmbeddedRun start(
      MockApiServer api,
      Map<String, String> settings,
      Duration kubeletDelay,
      Duration tick,
      Clock clock) {
    return start(api, settings, kubeletDelay, tick, clock, null);
  }

  /**
   * Starts everything on a mock API server already started (tests start one whose dispatcher
   * injects faults), with the operator on the given clock (tests move a fake one; the simulated
   * kubelet keeps real time for its delays); the run owns the server from here and closes it.
   *
   * @param dashboardPort the dashboard's port (0 = a free one), null = no dashboard
   */
  public static EmbeddedRun start(
      MockApiServer api,
      Map<String, String> settings,
      Duration kubeletDelay,
      Duration tick,
      Clock clock,
      Integer dashboardPort) {
    KubernetesClient client = api.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    client
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("quotient-settings")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withData(settings)
                .build())
        .create();
    SimulatedCluster.defaultNodes(client);
    SimulatedCluster cluster =
        new SimulatedCluster(api.newClient(), tick, kubeletDelay, Clock.systemUTC());
    KubernetesClient operatorClient = api.newClient();
    QuotientOperator operator;
    try {
      operator = QuotientOperator.start(operatorClient, config(clock, dashboardPort));
    } catch (RuntimeException e) {
      operatorClient.close();
      cluster.close();
      api.close();
      throw e;
    }
    return new EmbeddedRun(api, cluster, operator, operatorClient, clock, dashboardPort);
  }

  private static OperatorConfig config(Clock clock, Integer dashboardPort) {
    return OperatorConfig.defaults(NAMESPACE)
        .withClock(clock)
        .withMetricsPort(0)
        .withDashboardPort(dashboardPort);
  }

  public KubernetesClient client() {
    return api.client();
  }

  public MockApiServer api() {
    return api;
  }

  public SimulatedCluster cluster() {
    return cluster;
  }

  public QuotientOperator operator() {
    return operator;
  }

  /**
   * Stops the operator (as a crash or a rollout would) and starts a fresh one against the same API
   * server, with an empty ledger it must rebuild from the pods; returns the new one.
   */
  public synchronized QuotientOperator restartOperator() {
    killOperator();
    return startOperator();
  }

  /**
   * Cuts the operator off the API server (its client first, so no further write of it lands), then
   * stops it.
   */
  public synchronized void killOperator() {
    operatorClient.close();
    operator.close();
  }

  /** Starts a fresh operator after {@link #killOperator()}. */
  public synchronized QuotientOperator startOperator() {
    KubernetesClient fresh = api.newClient();
    operator = QuotientOperator.start(fresh, config(clock, dashboardPort));
    operatorClient = fresh;
    return operator;
  }

  /**
   * Creates every object in the YAML files of a directory (sorted by file name), namespaces first.
   */
  public List<HasMetadata> apply(Path dir) throws IOException {
    return ManifestDirectory.apply(api.client(), dir);
  }

  public HasMetadata apply(HasMetadata item) {
    return ManifestDirectory.apply(api.client(), item);
  }

  /** Waits until every project has settled (or the timeout passes). */
  public void awaitSettled(Duration timeout) throws InterruptedException {
    ProjectTable.awaitSettled(api.client(), timeout);
  }

  /** The projects as a table, like 'kubectl get projects -A -o wide'. */
  public void printProjects(PrintStream out) {
    ProjectTable.print(api.client(), out);
  }

  @Override
  public void close() {
    operator.close();
    operatorClient.close();
    cluster.close();
    api.close();
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    Path examples = Path.of("examples");
    boolean once = false;
    int dashboardPort = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--dashboard-port" -> dashboardPort = Integer.parseInt(args[++i]);
        case "--examples" -> examples = Path.of(args[++i]);
        case "--once" -> once = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    EmbeddedRun run =
        start(
            MockApiServer.start(port),
            SETTINGS,
            Duration.ofSeconds(1),
            Duration.ofMillis(200),
            Clock.systemUTC(),
            dashboardPort);
    Path kubeconfig =
        run.api()
            .writeKubeconfig(
                Path.of(System.getProperty("java.io.tmpdir"), "quotient-embedded", "kubeconfig"));
    System.out.println(
        "Mock API server: "
            + run.api().url()
            + "   kubeconfig: "
            + kubeconfig
            + "   metrics: http://127.0.0.1:"
            + run.operator().metricsPort()
            + "/metrics   dashboard: http://127.0.0.1:"
            + run.operator().dashboardPort()
            + "/");
    if (Files.isDirectory(examples)) {
      int n = run.apply(examples).size();
      System.out.println("Applied " + n + " objects from " + examples.toAbsolutePath());
    } else {
      System.out.println(
          "No examples directory at " + examples.toAbsolutePath() + "; nothing applied");
    }
    run.awaitSettled(Duration.ofSeconds(30));
    System.out.println();
    run.printProjects(System.out);
    System.out.println();
    if (once) {
      run.close();
      return;
    }
    System.out.println(
        "Serving until Ctrl-C. Try: curl "
            + run.api().url()
            + "/apis/quotient.dev/v1alpha1/projects");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  run.close();
                  done.countDown();
                }));
    done.await();
  }
}
