package dev.quotient.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed crds/ must be what the build generates from the classes. */
class CrdsUpToDateTest {
  static final String REFRESH = "mvn -q test -Dtest=CrdsUpToDateTest -Dquotient.updateCrds=true";

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    Path generated = Path.of("target/classes/META-INF/fabric8");
    Path committed = Path.of("crds");
    for (String name :
        List.of(
            "licenses.quotient.dev", "projects.quotient.dev", "dedicatednodegroups.quotient.dev")) {
      String fresh = Files.readString(generated.resolve(name + "-v1.yml"));
      Path file = committed.resolve(name + ".yaml");
      if (Boolean.getBoolean("quotient.updateCrds")) {
        Files.createDirectories(committed);
        Files.writeString(file, fresh);
        // the Helm chart ships the same files (HelmChartTest checks they are byte-identical)
        Path chart = Path.of("helm/quotient/crds");
        if (Files.isDirectory(chart)) {
          Files.writeString(chart.resolve(name + ".yaml"), fresh);
        }
      }
      assertThat(Files.exists(file)).as(file + " is missing; run: " + REFRESH).isTrue();
      assertThat(Files.readString(file))
          .as(file + " differs from the CRD generated from dev.quotient.api; run: " + REFRESH)
          .isEqualTo(fresh);
    }
  }
}
