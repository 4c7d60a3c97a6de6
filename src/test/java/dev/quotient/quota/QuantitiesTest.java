package dev.quotient.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "2,       2",
    "1500m,   1.5",
    "0.5,     0.5",
    ".5,      0.5",
    "2.,      2",
    "1e3,     1000",
    "1E3,     1000",
    "5e-3,    0.005",
    "1k,      1000",
    "1500M,   1500000000",
    "1.5Gi,   1610612736",
    "8Gi,     8589934592",
    "1Ki,     1024",
    "100u,    0.0001",
    "3n,      0.000000003",
    "1E,      1000000000000000000",
    "1Ei,     1152921504606846976",
    "2Pi,     2251799813685248",
    "1e+3,    1000",
    "' 2 ',   2",
  })
  void parsesValidQuantities(String text, String expected) {
    assertThat(Quantities.parse("spec.quota.cpu", text))
        .isEqualByComparingTo(new BigDecimal(expected));
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(
      strings = {
        "8GB", "-1", "+1", "1.5 Gi", "Gi", "1gi", "1e", "1K", "abc", "1,5", "1e3Gi", "0x10", "1..5"
      })
  void refusesMalformedQuantities(String text) {
    assertThatThrownBy(() -> Quantities.parse("spec.quota.memory", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("spec.quota.memory")
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("is not a Kubernetes quantity");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   "})
  void refusesEmptyQuantities(String text) {
    assertThatThrownBy(() -> Quantities.parse("spec.quota.cpu", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("is empty");
  }

  @ParameterizedTest(name = "''{0}'' is too large")
  @ValueSource(strings = {"9Ei", "100E", "1e30", "99999999999999999999"})
  void refusesHugeByteAmounts(String text) {
    assertThatThrownBy(() -> Quantities.bytes("spec.quota.memory", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("too large");
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(strings = {"1e31", "1e-31", "1e99999999999", "1e2147483648", "1e-99999999999"})
  void refusesAbsurdExponentsWithAClearMessage(String text) {
    // The CRD pattern lets any number of exponent digits through; the engine must answer with
    // InvalidQuantityException (a license state), not crash the reconciler.
    assertThatThrownBy(() -> Quantities.parse("spec.quota.cpu", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("exponent");
  }

  @Test
  void largestAcceptedAmountLeavesRoomForSums() {
    long max = Quantities.bytes("m", Long.toString(Quantities.MAX));
    assertThat(max).isEqualTo(Long.MAX_VALUE / 1024);
    assertThatThrownBy(() -> Quantities.bytes("m", Long.toString(Quantities.MAX + 1)))
        .isInstanceOf(InvalidQuantityException.class);
    assertThat(Math.multiplyExact(max, 1000L)).isPositive();
  }

  @ParameterizedTest(name = "cpu {0} = {1}m")
  @CsvSource({
    "2,       2000",
    "1500m,   1500",
    "0.5,     500",
    "0.1m,    1",
    "0.0001,  1",
    "1n,      1",
    "100u,    1",
    "1001u,   2",
    "0,       0",
    "0m,      0",
    "1e3,     1000000",
    "1k,      1000000",
  })
  void cpuMillisRoundsUp(String text, long millis) {
    assertThat(Quantities.cpuMillis("cpu", text)).isEqualTo(millis);
  }

  @ParameterizedTest(name = "memory {0} = {1} bytes")
  @CsvSource({
    "1Gi,     1073741824",
    "1G,      1000000000",
    "1.5Gi,   1610612736",
    "1500M,   1500000000",
    "0.5,     1",
    "1500m,   2",
    "128974848, 128974848",
    "129e6,   129000000",
    "123Mi,   128974848",
  })
  void bytesRoundUpToWholeBytes(String text, long bytes) {
    assertThat(Quantities.bytes("memory", text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "4, 4", "2000m, 2", "1e1, 10", "0, 0"})
  void countAcceptsWholeNumbers(String text, long count) {
    assertThat(Quantities.count("gpu", text)).isEqualTo(count);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "500m", "1u"})
  void countRefusesFractions(String text) {
    assertThatThrownBy(() -> Quantities.count("gpu", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("whole number");
  }

  @ParameterizedTest(name = "{0}m -> {1}")
  @CsvSource({
    "0, 0",
    "1, 1m",
    "100, 100m",
    "1000, 1",
    "1500, 1500m",
    "2000, 2",
    "64000, 64",
    "1001, 1001m"
  })
  void formatCpu(long millis, String expected) {
    assertThat(Quantities.formatCpu(millis)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} bytes -> {1}")
  @CsvSource({
    "0,             0",
    "1,             1",
    "999,           999",
    "1000,          1k",
    "1024,          1Ki",
    "1536,          1536",
    "1048576,       1Mi",
    "1073741824,    1Gi",
    "8589934592,    8Gi",
    "1610612736,    1536Mi",
    "1500000000,    1500M",
    "2000000000,    2G",
    "214958080,     205Mi",
    "1048576000,    1000Mi",
    "1024000,       1024k",
    "1152921504606846976, 1Ei",
  })
  void formatBytesPicksTheShortestExactForm(long bytes, String expected) {
    assertThat(Quantities.formatBytes(bytes)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      longs = {
        0,
        1,
        999,
        1000,
        1024,
        1536,
        1_500_000_000L,
        214_958_080L,
        8_589_934_592L,
        123_456_789L
      })
  void formattedBytesParseBackToTheSameAmount(long bytes) {
    assertThat(Quantities.bytes("m", Quantities.formatBytes(bytes))).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 10, 999, 1000, 1500, 2000, 123_456})
  void formattedCpuParsesBackToTheSameAmount(long millis) {
    assertThat(Quantities.cpuMillis("c", Quantities.formatCpu(millis))).isEqualTo(millis);
  }
}
