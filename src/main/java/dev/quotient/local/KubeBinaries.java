package dev.quotient.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the control-plane binaries built by {@code hack/kube/build.sh} are. A missing binary is an
 * error that names the build command: tests must never skip silently because of it.
 *
 * @param binDir the directory with etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
 *     kubectl and kwok
 * @param version the Kubernetes version they were built from (the cache key of build.sh)
 */
public record KubeBinaries(Path binDir, String version) {
  /** Must match {@code k8s.io/kubernetes} in hack/kube/go.mod (a unit test checks it). */
  public static final String VERSION = "v1.37.2";

  public static final List<String> NAMES =
      List.of(
          "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok");
  public static final String ENV = "QUOTIENT_KUBE_BIN";

  /**
   * {@code $QUOTIENT_KUBE_BIN}, else build.sh's cache {@code
   * ${QUOTIENT_KUBE_CACHE:-~/.cache/quotient/kube}/<version>/bin}.
   */
  public static KubeBinaries locate() {
    return locate(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  static KubeBinaries locate(Map<String, String> env, Path home) {
    String explicit = env.get(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return new KubeBinaries(Path.of(explicit), VERSION).verified();
    }
    String cache = env.get("QUOTIENT_KUBE_CACHE");
    Path root =
        cache != null && !cache.isBlank() ? Path.of(cache) : home.resolve(".cache/quotient/kube");
    return new KubeBinaries(root.resolve(VERSION).resolve("bin"), VERSION).verified();
  }

  /** This set, or an exception listing every missing file and the command that builds them. */
  public KubeBinaries verified() {
    List<String> missing = new ArrayList<>();
    for (String name : NAMES) {
      if (!Files.isExecutable(binDir.resolve(name))) {
        missing.add(name);
      }
    }
    if (!Files.isRegularFile(kwokStages())) {
      missing.add(kwokStages().toString());
    }
    if (!missing.isEmpty()) {
      throw new MissingBinariesException(
          "Kubernetes "
              + version
              + " binaries missing in "
              + binDir
              + ": "
              + String.join(", ", missing)
              + ". Build them with: hack/kube/build.sh"
              + " (about 15 minutes the first time; or point "
              + ENV
              + " at a directory that has them)");
    }
    return this;
  }

  public Path path(String name) {
    return binDir.resolve(name);
  }

  public Path kubectl() {
    return path("kubectl");
  }

  /** The kwok stages file build.sh copies next to bin/ (kwok has no built-in stages). */
  public Path kwokStages() {
    return binDir.resolveSibling("kwok").resolve("stages.yaml");
  }

  /** Thrown when the binaries are not built; its message says how to build them. */
  public static final class MissingBinariesException extends IllegalStateException {
    public MissingBinariesException(String message) {
      super(message);
    }
  }
}
