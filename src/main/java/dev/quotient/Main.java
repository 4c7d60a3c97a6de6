package dev.quotient;

import dev.quotient.controller.LeaderElection;
import dev.quotient.controller.OperatorConfig;
import dev.quotient.controller.QuotientOperator;
import dev.quotient.controller.StartupRetry;
import dev.quotient.quota.Durations;
import dev.quotient.settings.InvalidSettingsException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point: {@code run} (default) against the current cluster, {@code embedded} with no cluster,
 * {@code local} and {@code benchmark} on a real control plane built from Go modules.
 */
public final class Main {
  private static final Path SA_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "run" -> run();
      case "embedded" -> dev.quotient.embedded.EmbeddedRun.main(rest);
      case "local" -> dev.quotient.local.LocalRun.main(rest);
      case "benchmark" -> dev.quotient.local.Benchmark.main(rest);
      case "help", "--help", "-h" -> usage();
      default -> {
        System.err.println("unknown command '" + command + "'");
        usage();
        System.exit(2);
      }
    }
  }

  /**
   * How long a start that fails (API server unreachable, a list refused) is tried again before the
   * process exits: env QUOTIENT_STARTUP_GIVE_UP_AFTER, a duration such as 5m (the default) or 90s.
   */
  private static StartupRetry startupRetry() {
    String text = System.getenv("QUOTIENT_STARTUP_GIVE_UP_AFTER");
    return StartupRetry.giveUpAfter(
        text == null || text.isBlank()
            ? StartupRetry.DEFAULT_GIVE_UP_AFTER
            : Durations.parse("QUOTIENT_STARTUP_GIVE_UP_AFTER", text.trim()));
  }

  private static void usage() {
    System.out.println(
        """
        usage: java -jar quotient.jar [run|embedded|local|benchmark|help]
          run        run the operator against the cluster of the current kubeconfig or service account
                     (env QUOTIENT_NAMESPACE: namespace of the settings ConfigMap 'quotient-settings';
                     QUOTIENT_DASHBOARD_PORT: serve the dashboard, on QUOTIENT_DASHBOARD_HOST or
                     127.0.0.1; QUOTIENT_STARTUP_GIVE_UP_AFTER: how long a failing start is retried,
                     default 5m)
          embedded   start an in-process mock API server with simulated nodes, apply examples/, run
                     the operator and print the projects (options: --examples DIR, --port N,
                     --dashboard-port N, --once)
          local      start a real control plane (etcd, kube-apiserver, controller-manager, scheduler,
                     kwok nodes; binaries from hack/kube/build.sh), install the CRDs and operator/,
                     run the operator as its ServiceAccount, apply examples/, print the kubeconfig,
                     run until Ctrl-C (options: --examples DIR, --nodes FILE, --log FILE,
                     --dashboard-port N, --once)
          benchmark  start N projects on that control plane and print one JSON line of figures
                     (options: --projects N (500), --log FILE)
        """);
  }

  private static void run() throws Exception {
    String namespace = System.getenv("QUOTIENT_NAMESPACE");
    if (namespace == null || namespace.isBlank()) {
      namespace =
          Files.exists(SA_NAMESPACE) ? Files.readString(SA_NAMESPACE).trim() : "quotient-system";
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    QuotientOperator operator;
    try {
      OperatorConfig config =
          OperatorConfig.defaults(namespace)
              .withExitOnInformerFailure(true)
              .withMetricsPort(
                  Integer.parseInt(System.getenv().getOrDefault("QUOTIENT_METRICS_PORT", "8080")))
              // Off unless asked for: it has no login.
              .withDashboardPort(
                  System.getenv("QUOTIENT_DASHBOARD_PORT") == null
                      ? null
                      : Integer.valueOf(System.getenv("QUOTIENT_DASHBOARD_PORT")))
              .withDashboardHost(
                  System.getenv().getOrDefault("QUOTIENT_DASHBOARD_HOST", "127.0.0.1"));
      if (!"false".equalsIgnoreCase(System.getenv("QUOTIENT_LEADER_ELECTION"))) {
        String identity =
            System.getenv().getOrDefault("POD_NAME", java.util.UUID.randomUUID().toString());
        config = config.withLeaderElection(LeaderElection.production(identity));
      }
      operator = QuotientOperator.startRetrying(client, config, startupRetry());
    } catch (InvalidSettingsException e) {
      System.err.println(
          "Quotient cannot start: the settings ConfigMap "
              + namespace
              + "/quotient-settings is invalid:");
      e.problems().forEach(p -> System.err.println("  - " + p));
      System.exit(2);
      return;
    } catch (RuntimeException gaveUp) {
      // StartupRetry logged every attempt and this last failure; the Deployment restarts us.
      System.exit(1);
      return;
    }
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  client.close();
                  done.countDown();
                }));
    done.await();
  }
}
