package dev.quotient.local;

import dev.quotient.run.ProjectTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code quotient local}: a real cluster without Docker. Starts the control plane with kwok nodes,
 * installs the CRDs and operator/'s manifests, runs the operator in this JVM as its ServiceAccount,
 * applies examples/ with the built kubectl, prints the kubeconfig, and keeps running until Ctrl-C
 * (which stops every component).
 */
public final class LocalRun {
  private LocalRun() {}

  public static void main(String[] args) throws Exception {
    Path examples = Path.of("examples");
    Path nodes = null;
    Path logFile =
        Path.of(System.getProperty("java.io.tmpdir"), "quotient-local", "control-plane.log");
    boolean once = false;
    int dashboardPort = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--examples" -> examples = Path.of(args[++i]);
        case "--nodes" -> nodes = Path.of(args[++i]);
        case "--log" -> logFile = Path.of(args[++i]);
        case "--once" -> once = true;
        case "--dashboard-port" -> dashboardPort = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + " (options: --examples DIR, --nodes FILE, --log FILE, --dashboard-port N, --once)");
      }
    }
    System.err.println(
        "Starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok"
            + " (log: "
            + logFile
            + ")");
    LocalCluster cluster =
        LocalCluster.start(
            LocalCluster.Options.defaults(logFile)
                .withNodesFile(nodes)
                .withDashboardPort(dashboardPort));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "quotient-local-stop"));
    ControlPlane cp = cluster.controlPlane();
    System.out.printf(
        "Control plane up in %.1f s; CRDs, operator/ manifests and the operator (as %s) running%n",
        cp.startTime().toMillis() / 1000.0, LocalCluster.operatorUser());
    if (Files.isDirectory(examples)) {
      Kubectl.Result applied = cluster.kubectl().run("apply", "-f", examples.toString());
      System.out.print(applied.stdout());
      System.err.print(applied.stderr());
      ProjectTable.awaitSettled(cluster.admin(), Duration.ofSeconds(60));
      System.out.println();
      ProjectTable.print(cluster.admin(), System.out);
    } else {
      System.out.println(
          "No examples directory at " + examples.toAbsolutePath() + "; nothing applied");
    }
    System.out.println();
    System.out.println("kubeconfig: " + cp.kubeconfig());
    System.out.println("  export KUBECONFIG=" + cp.kubeconfig());
    System.out.println("  " + cp.binaries().kubectl() + " get quotient -A");
    System.out.println("dashboard: http://127.0.0.1:" + cluster.operator().dashboardPort() + "/");
    if (once) {
      // The shutdown hook stops everything; JOSDK's worker threads would keep the JVM up after a
      // plain return.
      System.exit(0);
    }
    System.out.println("Running until Ctrl-C.");
    new CountDownLatch(1).await();
  }
}
