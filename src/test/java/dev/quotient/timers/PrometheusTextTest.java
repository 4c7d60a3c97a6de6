package dev.quotient.timers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusTextTest {

  @Test
  void commentsHelpTypeAndBlankLinesAreSkipped() {
    PrometheusText.Parsed p =
        PrometheusText.parse(
            """
            # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
            # TYPE DCGM_FI_DEV_GPU_UTIL gauge

            # a plain comment
            DCGM_FI_DEV_GPU_UTIL{gpu="0"} 42
            """);
    assertThat(p.malformed()).isZero();
    assertThat(p.samples())
        .containsExactly(new PrometheusText.Sample("DCGM_FI_DEV_GPU_UTIL", Map.of("gpu", "0"), 42));
  }

  @Test
  void labelValuesUnescapeBackslashQuoteAndNewline() {
    PrometheusText.Sample s =
        PrometheusText.parse(
                "m{a=\"C:\\\\dir\",b=\"say \\\"hi\\\"\",c=\"two\\nlines\",d=\"{,}=\"} 1")
            .samples()
            .get(0);
    assertThat(s.labels())
        .containsExactly(
            Map.entry("a", "C:\\dir"),
            Map.entry("b", "say \"hi\""),
            Map.entry("c", "two\nlines"),
            Map.entry("d", "{,}="));
  }

  @Test
  void valuesTimestampsTrailingCommasAndBlanks() {
    List<PrometheusText.Sample> s =
        PrometheusText.parse(
                String.join(
                    "\r\n",
                    "plain 3.5",
                    "with_ts{a=\"1\",} 7 1700000000000",
                    "  spaced { a = \"x\" , b=\"y\" }\t1e2  ",
                    "nan NaN",
                    "inf +Inf",
                    "neg -Inf",
                    "colon:name:total -0.25",
                    "empty_labels{} 0"))
            .samples();
    assertThat(s)
        .extracting(PrometheusText.Sample::name)
        .containsExactly(
            "plain", "with_ts", "spaced", "nan", "inf", "neg", "colon:name:total", "empty_labels");
    assertThat(s.get(0).value()).isEqualTo(3.5);
    assertThat(s.get(1).value()).isEqualTo(7);
    assertThat(s.get(1).labels()).containsExactly(Map.entry("a", "1"));
    assertThat(s.get(2).labels()).containsExactly(Map.entry("a", "x"), Map.entry("b", "y"));
    assertThat(s.get(2).value()).isEqualTo(100);
    assertThat(s.get(3).value()).isNaN();
    assertThat(s.get(4).value()).isInfinite().isPositive();
    assertThat(s.get(5).value()).isInfinite().isNegative();
    assertThat(s.get(6).value()).isEqualTo(-0.25);
    assertThat(s.get(7).labels()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "no_value",
        "bad value",
        "m{a=\"unterminated} 1",
        "m{a=unquoted} 1",
        "m{a=\"1\" b=\"2\"} 1",
        "m{a=\"1\",a=\"2\"} 1",
        "m{a=\"bad escape \\t\"} 1",
        "m{1a=\"x\"} 1",
        "m{a=\"x\"",
        "m 1 notatimestamp",
        "m 1 2 3",
        "1metric 5",
        "{a=\"x\"} 1",
        "m 0x10"
      })
  void aMalformedLineIsCountedAndTheOthersStillRead(String bad) {
    PrometheusText.Parsed p = PrometheusText.parse("before 1\n" + bad + "\nafter 2\n");
    assertThat(p.malformed()).as(bad).isEqualTo(1);
    assertThat(p.samples())
        .extracting(PrometheusText.Sample::name)
        .containsExactly("before", "after");
  }
}
