package dev.quotient.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the kubectl that hack/kube/build.sh built, against one kubeconfig. */
public record Kubectl(Path binary, Path kubeconfig) {
  /** What a kubectl run printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    public Result orThrow() {
      if (exitCode != 0) {
        throw new IllegalStateException("kubectl exited with " + exitCode + ": " + stderr + stdout);
      }
      return this;
    }
  }

  public Result run(String... args) {
    List<String> command =
        new ArrayList<>(List.of(binary.toString(), "--kubeconfig=" + kubeconfig));
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "kubectl " + String.join(" ", args) + " did not finish within 60s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * On a thread of its own: the common pool has one thread on 2 cores, and both pipes must drain.
   */
  private static CompletableFuture<String> read(InputStream in) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                result.complete("");
              }
            },
            "kubectl-output");
    t.setDaemon(true);
    t.start();
    return result;
  }
}
