package dev.quotient.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A clean embedded run logs no WARN or ERROR. It runs in a JVM of its own with the logging
 * configuration that ships in the jar (the tests' own configuration would hide what it shows).
 */
class QuietStartIT {
  @Test
  void aCleanEmbeddedRunLogsNoWarning() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path shippedConfig = Path.of("target", "classes", "logback.xml").toAbsolutePath();
    assertThat(shippedConfig).exists();
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Dlogback.configurationFile=" + shippedConfig,
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.quotient.Main",
                    "embedded",
                    "--once"))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String log = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(log).isZero();
    assertThat(log).contains("Applied 19 objects", "student-3");
    assertThat(log.lines().filter(l -> l.matches(".* (WARN|ERROR) .*")).toList()).as(log).isEmpty();
  }
}
