package dev.quotient.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeBinariesTest {
  @Test
  void versionIsTheOneHackKubeBuilds() throws Exception {
    assertThat(Files.readString(Path.of("hack/kube/go.mod")))
        .contains("k8s.io/kubernetes " + KubeBinaries.VERSION);
  }

  @Test
  void missingBinariesFailWithTheBuildCommandAndTheMissingNames(@TempDir Path home)
      throws Exception {
    Path bin = home.resolve(".cache/quotient/kube").resolve(KubeBinaries.VERSION).resolve("bin");
    Files.createDirectories(bin);
    Path etcd = Files.createFile(bin.resolve("etcd"));
    etcd.toFile().setExecutable(true);

    assertThatThrownBy(() -> KubeBinaries.locate(Map.of(), home))
        .isInstanceOf(KubeBinaries.MissingBinariesException.class)
        .hasMessageContaining("hack/kube/build.sh")
        .hasMessageContaining(bin.toString())
        .hasMessageContaining(
            "kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok")
        .hasMessageNotContaining("etcd,");
  }

  @Test
  void environmentVariableWinsOverTheCache(@TempDir Path dir) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String name : KubeBinaries.NAMES) {
      Files.createFile(bin.resolve(name)).toFile().setExecutable(true);
    }
    Files.createDirectories(dir.resolve("kwok"));
    Files.writeString(dir.resolve("kwok/stages.yaml"), "");

    assertThat(
            KubeBinaries.locate(Map.of(KubeBinaries.ENV, bin.toString()), Path.of("/nonexistent"))
                .binDir())
        .isEqualTo(bin);
  }
}
