package dev.quotient.local;

import io.fabric8.kubernetes.client.Config;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, kubelet-less control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok, started by {@code hack/kube/run-control-plane.sh} (shipped in the jar)
 * as one child process. The script owns the components and stops them in order; this class owns the
 * script: {@link #close()}, a JVM shutdown hook and {@code --watch-pid} (for a SIGKILLed JVM) each
 * take it down, so nothing outlives the JVM.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
  static final String SCRIPT_RESOURCE = "/dev/quotient/local/run-control-plane.sh";

  /** The nodes of the embedded run: a general pool, a dedicated group's node and a GPU node. */
  public static final String DEFAULT_NODES_RESOURCE = "/sim/nodes.yaml";

  private final KubeBinaries binaries;
  private final Process script;
  private final Path kubeconfig;
  private final Path logFile;
  private final Duration startTime;
  private final Thread shutdownHook;
  private volatile boolean closed;
  private int apiServerRestarts; // guarded by this

  private ControlPlane(
      KubeBinaries binaries,
      Process script,
      Path kubeconfig,
      Path logFile,
      Duration startTime,
      Thread shutdownHook) {
    this.binaries = binaries;
    this.script = script;
    this.kubeconfig = kubeconfig;
    this.logFile = logFile;
    this.startTime = startTime;
    this.shutdownHook = shutdownHook;
  }

  /**
   * Starts the control plane with the nodes of a YAML file and returns once they are Ready.
   *
   * @param logFile where the script's progress and, on failure, the components' last log lines go
   */
  public static ControlPlane start(
      KubeBinaries binaries, Path nodesFile, Path logFile, Duration timeout) {
    long t0 = System.nanoTime();
    Path script = extract(SCRIPT_RESOURCE, "quotient-run-control-plane-", ".sh");
    List<String> command =
        new ArrayList<>(
            List.of(
                "bash",
                script.toString(),
                "--no-verify",
                "--nodes",
                nodesFile.toAbsolutePath().toString(),
                "--watch-pid",
                Long.toString(ProcessHandle.current().pid())));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put(KubeBinaries.ENV, binaries.binDir().toAbsolutePath().toString());
    Process process;
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + script, e);
    }
    // From here on the JVM's exit stops the script, whatever happens next.
    Thread hook = new Thread(() -> stop(process), "quotient-control-plane-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    CompletableFuture<String> firstLine = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                firstLine.complete(out.readLine());
              } catch (IOException e) {
                firstLine.complete(null);
              }
            },
            "control-plane-stdout");
    reader.setDaemon(true);
    reader.start();
    String line;
    try {
      line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      line = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      line = null;
    }
    if (line == null || !Files.isRegularFile(Path.of(line.trim()))) {
      boolean exited = !process.isAlive();
      stop(process);
      removeHook(hook);
      throw new IllegalStateException(
          "the control plane did not start within "
              + timeout.toSeconds()
              + "s"
              + (exited ? " (the script exited with " + process.exitValue() + ")" : "")
              + "; last lines of "
              + logFile
              + ":\n"
              + tail(logFile, 40));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    log.info("control plane up in {} ms, kubeconfig {}", took.toMillis(), line.trim());
    return new ControlPlane(binaries, process, Path.of(line.trim()), logFile, took, hook);
  }

  /** The default nodes ({@value #DEFAULT_NODES_RESOURCE}, shared with the simulation) as a file. */
  public static Path defaultNodesFile() {
    return extract(DEFAULT_NODES_RESOURCE, "quotient-nodes-", ".yaml");
  }

  private static Path extract(String resource, String prefix, String suffix) {
    try (InputStream in = ControlPlane.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the classpath; build with 'mvn package'");
      }
      Path file =
          Files.createTempFile(
              prefix,
              suffix,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The directory with the PKI, kubeconfigs and component logs (removed when stopped). */
  public Path workDir() {
    return kubeconfig.getParent();
  }

  public Path logFile() {
    return logFile;
  }

  public KubeBinaries binaries() {
    return binaries;
  }

  /** From launching the script to all nodes Ready. */
  public Duration startTime() {
    return startTime;
  }

  /** A fresh client configuration for the admin (system:masters) user. */
  public Config adminConfig() {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Restarts kube-apiserver alone (same flags and port; etcd and the other components kept) and
   * returns once the new one is ready: a fault for tests. Clients see their connections and watches
   * drop for the duration returned.
   */
  public synchronized Duration restartApiServer(Duration timeout) {
    if (!isRunning()) {
      throw new IllegalStateException("the control plane is not running");
    }
    long t0 = System.nanoTime();
    int expected = apiServerRestarts + 1;
    try {
      // The script restarts it on SIGUSR1; the JDK sends no signal but TERM and KILL.
      Process kill =
          new ProcessBuilder("kill", "-USR1", Long.toString(script.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -USR1 " + script.pid() + " failed");
      }
      Path restarts = workDir().resolve("apiserver-restarts");
      long deadline = t0 + timeout.toNanos();
      while (!(Files.isRegularFile(restarts)
          && Files.readString(restarts).trim().equals(Integer.toString(expected)))) {
        if (System.nanoTime() > deadline || !script.isAlive()) {
          throw new IllegalStateException(
              "kube-apiserver was not back within "
                  + timeout.toSeconds()
                  + "s; last lines of "
                  + logFile
                  + ":\n"
                  + tail(logFile, 20));
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    apiServerRestarts = expected;
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    log.info("kube-apiserver restarted in {} ms", took.toMillis());
    return took;
  }

  public boolean isRunning() {
    return !closed && script.isAlive();
  }

  /** Stops every component (in order: kwok, scheduler, controller-manager, apiserver, etcd). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(script);
    removeHook(shutdownHook);
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM: the script's trap stops the components one by one
    try {
      if (!process.waitFor(45, TimeUnit.SECONDS)) {
        // The components run under setpriv --pdeathsig KILL: they die with the script.
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran: nothing to remove
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
