package dev.quotient.realcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.local.Benchmark;
import dev.quotient.local.Benchmark.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's scenarios at a small N, for correctness only (never speed): every project
 * Running, no project with two pods, the ledger equal to the pods, after the start storm, a no-op
 * restart and a churn. Its own control plane, as {@code quotient benchmark} has.
 */
class BenchmarkKubeIT {
  @Test
  void twoHundredProjectsStartRestartAndChurnWithTheLedgerEqualToThePods() throws Exception {
    List<Map<String, Object>> lines = new ArrayList<>();
    List<String> problems =
        Benchmark.run(
            Benchmark.Options.defaults(
                    200, Path.of("target", "benchmark-kubeit", "control-plane.log"))
                .withScenarios(EnumSet.of(Scenario.startStorm, Scenario.coldStart, Scenario.churn))
                .withChurnFor(Duration.ofSeconds(10)),
            lines::add);
    assertThat(problems).isEmpty();
    assertThat(lines)
        .extracting(l -> l.get("scenario"))
        .containsExactly("startStorm", "coldStart", "churn");
    assertThat(lines.get(0)).containsEntry("problems", 0);
    // A restart over running projects changes nothing.
    assertThat(lines.get(1)).containsEntry("writes", 0L);
    assertThat(lines.get(2)).containsEntry("notStarted", 0);
  }
}
