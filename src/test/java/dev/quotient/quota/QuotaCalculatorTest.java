package dev.quotient.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.api.GpuSpec;
import dev.quotient.api.License;
import dev.quotient.api.LicenseSpec;
import dev.quotient.api.LicenseState;
import dev.quotient.api.QuotaSpec;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class QuotaCalculatorTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * "cpu=2 memory=4Gi idle=2h always=true groups=a,b group=x gpu=1 gpuResource=amd.com/gpu eph=10Gi
   * max=8h".
   */
  static QuotaSpec q(String text) {
    QuotaSpec s = new QuotaSpec();
    if (text == null || text.isBlank() || text.equals("-")) {
      return s;
    }
    for (String kv : text.trim().split("\\s+")) {
      String[] p = kv.split("=", 2);
      switch (p[0]) {
        case "cpu" -> s.setCpu(p[1]);
        case "memory" -> s.setMemory(p[1]);
        case "eph" -> s.setEphemeralStorage(p[1]);
        case "gpu" -> gpu(s).setCount(Integer.valueOf(p[1]));
        case "gpuResource" -> gpu(s).setResource(p[1]);
        case "always" -> s.setAlwaysRunning(Boolean.valueOf(p[1]));
        case "preemptible" -> s.setPreemptible(Boolean.valueOf(p[1]));
        case "idle" -> s.setIdleTimeout(p[1]);
        case "max" -> s.setMaxDuration(p[1]);
        case "gpuIdle" -> s.setGpuIdleTimeout(p[1]);
        case "group" -> s.setDedicatedNodeGroup(p[1]);
        case "groups" -> s.setNodeGroups(List.of(p[1].split(",")));
        default -> throw new IllegalArgumentException("unknown quota key in test: " + kv);
      }
    }
    return s;
  }

  private static GpuSpec gpu(QuotaSpec s) {
    if (s.getGpu() == null) {
      s.setGpu(new GpuSpec());
    }
    return s.getGpu();
  }

  static License license(String name, QuotaSpec quota, Consumer<LicenseSpec> more) {
    License l = new License();
    l.setMetadata(new ObjectMetaBuilder().withName(name).build());
    LicenseSpec spec = new LicenseSpec();
    spec.setRunLimit(3);
    spec.setQuota(quota);
    more.accept(spec);
    l.setSpec(spec);
    return l;
  }

  static License license(String name, String quota) {
    return license(name, q(quota), s -> {});
  }

  /** "a: cpu=2 memory=4Gi; b: cpu=1" -> licenses a and b, requested in that order. */
  static List<License> licenses(String table) {
    List<License> out = new ArrayList<>();
    if (table == null || table.isBlank() || table.equals("-")) {
      return out;
    }
    for (String item : table.split(";")) {
      String[] p = item.split(":", 2);
      out.add(license(p[0].trim(), p.length > 1 ? p[1] : ""));
    }
    return out;
  }

  /**
   * "maxUpgrades.cpu=3 cpuOvercommit=1" -> a policy parsed the way the operator parses settings.
   */
  static QuotaPolicy policy(String settings) {
    Map<String, String> data = new LinkedHashMap<>();
    if (settings != null && !settings.isBlank() && !settings.equals("-")) {
      for (String kv : settings.trim().split("\\s+")) {
        String[] p = kv.split("=", 2);
        data.put(p[0], p[1]);
      }
    }
    return SettingsParser.parse(data).quotaPolicy();
  }

  static QuotaOutcome calc(
      QuotaPolicy policy,
      List<String> requested,
      List<License> known,
      QuotaSpec admin,
      Map<String, String> nsLabels,
      Predicate<String> runSlotFree) {
    Map<String, License> byName =
        known.stream()
            .collect(
                Collectors.toMap(
                    l -> l.getMetadata().getName(), l -> l, (a, b) -> a, LinkedHashMap::new));
    return new QuotaCalculator(policy)
        .calculate(new QuotaInput("lab", nsLabels, requested, byName, admin, NOW, runSlotFree));
  }

  static QuotaOutcome calc(String settings, List<License> licenses, QuotaSpec admin) {
    return calc(
        policy(settings),
        licenses.stream().map(l -> l.getMetadata().getName()).toList(),
        licenses,
        admin,
        Map.of(),
        n -> true);
  }

  static QuotaOutcome calc(List<License> licenses) {
    return calc("-", licenses, null);
  }

  private static Map<String, LicenseState> states(QuotaOutcome o) {
    return o.verdicts().stream()
        .collect(
            Collectors.toMap(
                LicenseVerdict::license, LicenseVerdict::state, (a, b) -> a, LinkedHashMap::new));
  }

  // ---- limits and requests ------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // title                              | settings                                       |
        // licenses                                  | adminQuota          | cpu  | memory | cpuReq
        // | memReq | applied
        "no licenses: default quota           | -                                               | -                                         | -                   | 1    | 1Gi    | 100m   | 205Mi  | -",
        "one license                          | -                                               | a: cpu=2 memory=4Gi                        | -                   | 2    | 4Gi    | 200m   | 820Mi  | a",
        "two compatible licenses add up       | -                                               | a: cpu=2 memory=4Gi; b: cpu=1 memory=2Gi   | -                   | 3    | 6Gi    | 300m   | 1229Mi | a,b",
        "license below default: default wins  | -                                               | a: cpu=500m memory=512Mi                   | -                   | 1    | 1Gi    | 100m   | 205Mi  | a",
        "missing field comes from default     | -                                               | a: memory=8Gi                              | -                   | 1    | 8Gi    | 100m   | 1639Mi | a",
        "zero fields come from default        | -                                               | a: cpu=0 memory=0                          | -                   | 1    | 1Gi    | 100m   | 205Mi  | a",
        "license without quota still applies  | -                                               | a:                                         | -                   | 1    | 1Gi    | 100m   | 205Mi  | a",
        "admin complements per field (max)    | -                                               | a: cpu=2 memory=8Gi                        | cpu=4 memory=2Gi    | 4    | 8Gi    | 400m   | 1639Mi | a",
        "admin alone                          | -                                               | -                                         | cpu=3 memory=3Gi    | 3    | 3Gi    | 300m   | 615Mi  | -",
        "admin complements the license sum    | -                                               | a: cpu=2; b: cpu=2                         | cpu=3               | 4    | 1Gi    | 400m   | 205Mi  | a,b",
        "maxUpgrades caps the license sum     | maxUpgrades.cpu=3 maxUpgrades.memory=4Gi        | a: cpu=2 memory=3Gi; b: cpu=2 memory=3Gi   | -                   | 3    | 4Gi    | 300m   | 820Mi  | a,b",
        "maxUpgrades below the default        | maxUpgrades.cpu=500m                            | a: cpu=2                                   | -                   | 1    | 1Gi    | 100m   | 205Mi  | a",
        "maxUpgrades caps adminQuota too      | maxUpgrades.cpu=3                               | a: cpu=2; b: cpu=2                         | cpu=6               | 3    | 1Gi    | 300m   | 205Mi  | a,b",
        "no overcommit: requests = limits     | cpuOvercommit=1 memoryOvercommit=1              | a: cpu=2 memory=4Gi                        | -                   | 2    | 4Gi    | 2      | 4Gi    | a",
        "ratio 3 rounds up to whole m and MiB | cpuOvercommit=3 memoryOvercommit=3              | -                                         | -                   | 1    | 1Gi    | 334m   | 342Mi  | -",
        "fractional ratio                     | cpuOvercommit=2.5 memoryOvercommit=2.5          | -                                         | -                   | 1    | 1Gi    | 400m   | 410Mi  | -",
        "limit not a multiple of MiB          | defaultQuota.memory=1000M                       | -                                         | -                   | 1    | 1G     | 100m   | 191Mi  | -",
        "requests never below the floor       | defaultQuota.cpu=50m defaultQuota.memory=64Mi   | -                                         | -                   | 50m  | 64Mi   | 10m    | 32Mi   | -",
        "requests never above the limit       | defaultQuota.cpu=5m defaultQuota.memory=16Mi    | -                                         | -                   | 5m   | 16Mi   | 5m     | 16Mi   | -",
        "custom floors                        | minCpuRequest=250m minMemoryRequest=1Gi         | a: cpu=2 memory=2Gi                        | -                   | 2    | 2Gi    | 250m   | 1Gi    | a",
        "0.1m request rounds up to 1m         | defaultQuota.cpu=1m minCpuRequest=0             | -                                         | -                   | 1m   | 1Gi    | 1m     | 205Mi  | -",
        "fractional cpu license               | -                                               | a: cpu=1.5 memory=1.5Gi                    | -                   | 1500m| 1536Mi | 150m   | 308Mi  | a",
      })
  void limitsAndRequests(
      String title,
      String settings,
      String licenses,
      String admin,
      String cpu,
      String memory,
      String cpuRequest,
      String memoryRequest,
      String applied) {
    QuotaOutcome o = calc(settings, licenses(licenses), admin.equals("-") ? null : q(admin));
    EffectiveQuota e = o.quota();
    assertThat(Quantities.formatCpu(e.limits().cpuMillis())).as("cpu limit").isEqualTo(cpu);
    assertThat(Quantities.formatBytes(e.limits().memoryBytes()))
        .as("memory limit")
        .isEqualTo(memory);
    assertThat(Quantities.formatCpu(e.requests().cpuMillis()))
        .as("cpu request")
        .isEqualTo(cpuRequest);
    assertThat(Quantities.formatBytes(e.requests().memoryBytes()))
        .as("memory request")
        .isEqualTo(memoryRequest);
    assertThat(
            e.requests().memoryBytes() % (1 << 20) == 0
                || e.requests().memoryBytes() == e.limits().memoryBytes())
        .as("memory request in whole MiB unless capped by the limit")
        .isTrue();
    assertThat(e.requests().fitsIn(e.limits())).as("requests <= limits").isTrue();
    assertThat(e.appliedLicenses())
        .isEqualTo(applied.equals("-") ? List.of() : List.of(applied.split(",")));
    assertThat(o.allLicensesApplied()).isTrue();
  }

  @Test
  void requestRoundingHelper() {
    assertThat(QuotaCalculator.request(1000, 10, 0, 1)).isEqualTo(100);
    assertThat(QuotaCalculator.request(1001, 10, 0, 1)).isEqualTo(101);
    assertThat(QuotaCalculator.request(1L << 30, 5, 0, 1L << 20)).isEqualTo(205L << 20);
    assertThat(QuotaCalculator.request(0, 10, 10, 1)).isZero();
    assertThat(QuotaCalculator.request(1000, 1, 0, 1)).isEqualTo(1000);
    assertThat(QuotaCalculator.request(1000, 1.5, 0, 1)).isEqualTo(667);
    assertThat(QuotaCalculator.request(1000, 0.5, 0, 1))
        .as("never above the limit")
        .isEqualTo(1000);
  }

  /** Whole ratios take a long-arithmetic path; it must round exactly as the decimal one does. */
  @Test
  void requestRoundingIsTheDecimalCeilingForRandomLimitsRatiosAndUnits() {
    long seed = new java.util.Random().nextLong();
    System.out.println("requestRounding seed " + seed);
    java.util.Random r = new java.util.Random(seed);
    double[] ratios = {1, 2, 3, 4, 7, 10, 1.25, 2.5, 0.75};
    long[] units = {1, 1L << 20};
    for (int i = 0; i < 5_000; i++) {
      long limit =
          r.nextInt(4) == 0 ? r.nextInt(5_000) : Math.abs(r.nextLong() >> (4 + r.nextInt(40)));
      double ratio = ratios[r.nextInt(ratios.length)];
      long unit = units[r.nextInt(units.length)];
      long floor = r.nextInt(3) == 0 ? r.nextInt(2_000) : 0;
      java.math.BigDecimal u = java.math.BigDecimal.valueOf(unit);
      long derived =
          java.math.BigDecimal.valueOf(limit)
              .divide(
                  java.math.BigDecimal.valueOf(ratio).multiply(u),
                  0,
                  java.math.RoundingMode.CEILING)
              .multiply(u)
              .longValueExact();
      assertThat(QuotaCalculator.request(limit, ratio, floor, unit))
          .as("limit %d ratio %s floor %d unit %d (seed %d)", limit, ratio, floor, unit, seed)
          .isEqualTo(Math.min(limit, Math.max(derived, floor)));
    }
  }

  @Test
  void ephemeralStorageTakesTheLargerOfSumAdminAndDefault() {
    assertThat(calc(licenses("a: eph=10Gi; b: eph=5Gi")).quota().ephemeralStorageBytes())
        .isEqualTo(15L << 30);
    assertThat(calc("-", licenses("a: eph=10Gi"), q("eph=20Gi")).quota().ephemeralStorageBytes())
        .isEqualTo(20L << 30);
    assertThat(calc(licenses("-")).quota().ephemeralStorageBytes()).isZero();
    assertThat(
            calc("defaultQuota.ephemeralStorage=1Gi", licenses("-"), null)
                .quota()
                .ephemeralStorageBytes())
        .isEqualTo(1L << 30);
  }

  @Test
  void summingHugeLicensesSaturatesInsteadOfOverflowing() {
    String huge = Long.toString(Quantities.MAX);
    List<License> many = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      many.add(license("l" + i, "memory=" + huge));
    }
    EffectiveQuota e = calc(many).quota();
    assertThat(e.limits().memoryBytes()).isPositive().isGreaterThanOrEqualTo(Quantities.MAX);
    assertThat(e.requests().memoryBytes()).isPositive();
  }

  // ---- timers and flags ---------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // title                              | licenses                                | admin
        //       | preemptibleBy
        "nothing makes it preemptible         | a: cpu=2                                | -                | -",
        "a license makes it preemptible       | a: cpu=2; b: preemptible=true            | -                | license 'b'",
        "the first such license is named      | a: preemptible=true; b: preemptible=true | -                | license 'a'",
        "false is not preemptible             | a: preemptible=false                     | preemptible=false | -",
        "the admin quota is named first       | a: preemptible=true                      | preemptible=true  | spec.adminQuota",
      })
  void preemptibleByALicenseOrTheAdminQuota(
      String title, String licenses, String admin, String by) {
    EffectiveQuota e = calc("-", licenses(licenses), admin.equals("-") ? null : q(admin)).quota();
    assertThat(e.preemptibleBy()).isEqualTo(by.equals("-") ? null : by);
    assertThat(e.preemptible()).isEqualTo(!by.equals("-"));
    assertThat(dev.quotient.status.ProjectStatusBuilder.toStatus(e).getPreemptibleBy())
        .isEqualTo(e.preemptibleBy());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // title                                   | settings                          | licenses
        //                               | admin        | always | idle | max
        "defaults                                  | -                                 | -                                         | -            | false  | 30m  | -",
        "license raises idle timeout               | -                                 | a: idle=2h                                 | -            | false  | 2h   | -",
        "shorter license idle keeps the default    | -                                 | a: idle=10m                                | -            | false  | 30m  | -",
        "largest idle across licenses              | -                                 | a: idle=1h; b: idle=3h; c: idle=2h          | -            | false  | 3h   | -",
        "admin idle is largest                     | -                                 | a: idle=2h                                 | idle=4h      | false  | 4h   | -",
        "default never idles, license sets one     | defaultQuota.idleTimeout=         | a: idle=1h                                 | -            | false  | 1h   | -",
        "alwaysRunning clears idle timeout         | -                                 | a: always=true idle=5h                      | -            | true   | -    | -",
        "alwaysRunning is OR across licenses       | -                                 | a: always=false idle=2h; b: always=true     | -            | true   | -    | -",
        "alwaysRunning false everywhere            | -                                 | a: always=false; b: always=false           | always=false | false  | 30m  | -",
        "admin alwaysRunning                       | -                                 | a: idle=2h                                 | always=true  | true   | -    | -",
        "settings alwaysRunning                    | defaultQuota.alwaysRunning=true   | -                                         | -            | true   | -    | -",
        "largest maxDuration                       | -                                 | a: max=4h; b: max=8h                        | -            | false  | 30m  | 8h",
        "default maxDuration is largest            | defaultQuota.maxDuration=12h      | a: max=8h                                  | -            | false  | 30m  | 12h",
        "admin maxDuration                         | -                                 | a: max=1h                                  | max=2d       | false  | 30m  | 48h",
        "alwaysRunning keeps maxDuration           | -                                 | a: always=true max=8h                       | -            | true   | -    | 8h",
      })
  void timersAndFlags(
      String title,
      String settings,
      String licenses,
      String admin,
      boolean always,
      String idle,
      String max) {
    EffectiveQuota e =
        calc(settings, licenses(licenses), admin.equals("-") ? null : q(admin)).quota();
    assertThat(e.alwaysRunning()).as("alwaysRunning").isEqualTo(always);
    assertThat(e.idleTimeout())
        .as("idleTimeout")
        .isEqualTo(idle.equals("-") ? null : Durations.parse("t", idle));
    assertThat(e.idle()).isEqualTo(java.util.Optional.ofNullable(e.idleTimeout()));
    assertThat(e.maxDuration())
        .as("maxDuration")
        .isEqualTo(max.equals("-") ? null : Durations.parse("t", max));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // title                                 | licenses                                  | admin
        // | gpuIdle
        "a GPU license's GPU idle timeout        | a: gpu=1 gpuIdle=1h                        | -     | 1h",
        "the largest across licenses             | a: gpu=1 gpuIdle=1h; b: gpuIdle=3h         | -     | 3h",
        "no GPUs, no GPU idle timeout            | a: gpuIdle=1h                              | -     | -",
        "alwaysRunning is never GPU-idle-stopped | a: gpu=1 gpuIdle=1h; b: always=true        | -     | -",
        "admin quota sets it too                 | a: gpu=1                                   | gpuIdle=2h | 2h",
      })
  void gpuIdleTimeout(String title, String licenses, String admin, String gpuIdle) {
    EffectiveQuota e = calc("-", licenses(licenses), admin.equals("-") ? null : q(admin)).quota();
    assertThat(e.gpuIdleTimeout())
        .as("gpuIdleTimeout")
        .isEqualTo(gpuIdle.equals("-") ? null : Durations.parse("t", gpuIdle));
  }

  // ---- license verdicts ---------------------------------------------------------------------

  record VerdictCase(
      String title,
      License license,
      Map<String, String> nsLabels,
      boolean slotFree,
      LicenseState state,
      String messagePart) {
    @Override
    public String toString() {
      return title;
    }
  }

  static Stream<VerdictCase> verdicts() {
    return Stream.of(
        new VerdictCase(
            "applied",
            license("x", q("cpu=4 memory=8Gi"), s -> {}),
            Map.of(),
            true,
            LicenseState.Applied,
            "applied"),
        new VerdictCase(
            "expired",
            license("x", q("cpu=4 memory=8Gi"), s -> s.setExpires("2026-02-01T00:00:00Z")),
            Map.of(),
            true,
            LicenseState.Expired,
            "expired at 2026-02-01T00:00:00Z"),
        new VerdictCase(
            "expires exactly now",
            license("x", q("cpu=4"), s -> s.setExpires("2026-03-01T12:00:00Z")),
            Map.of(),
            true,
            LicenseState.Expired,
            "expired"),
        new VerdictCase(
            "expired and run limit reached: Expired wins",
            license("x", q("cpu=4"), s -> s.setExpires("2026-02-01T00:00:00Z")),
            Map.of(),
            false,
            LicenseState.Expired,
            "expired"),
        new VerdictCase(
            "not yet active",
            license("x", q("cpu=4 memory=8Gi"), s -> s.setActivates("2026-04-01T00:00:00Z")),
            Map.of(),
            true,
            LicenseState.NotYetActive,
            "activates at 2026-04-01T00:00:00Z"),
        new VerdictCase(
            "active window",
            license(
                "x",
                q("cpu=4 memory=8Gi"),
                s -> {
                  s.setActivates("2026-01-01T00:00:00Z");
                  s.setExpires("2027-01-01T00:00:00Z");
                }),
            Map.of(),
            true,
            LicenseState.Applied,
            "applied"),
        new VerdictCase(
            "forbidden namespace",
            license(
                "x",
                q("cpu=4 memory=8Gi"),
                s ->
                    s.setAllowedNamespaces(
                        new LabelSelectorBuilder()
                            .withMatchLabels(Map.of("team", "physics"))
                            .build())),
            Map.of("team", "chemistry"),
            true,
            LicenseState.Forbidden,
            "not allowed in namespace 'lab'"),
        new VerdictCase(
            "namespace without labels is forbidden",
            license(
                "x",
                q("cpu=4"),
                s ->
                    s.setAllowedNamespaces(
                        new LabelSelectorBuilder()
                            .withMatchLabels(Map.of("team", "physics"))
                            .build())),
            null,
            true,
            LicenseState.Forbidden,
            "allowedNamespaces"),
        new VerdictCase(
            "allowed namespace",
            license(
                "x",
                q("cpu=4 memory=8Gi"),
                s ->
                    s.setAllowedNamespaces(
                        new LabelSelectorBuilder()
                            .withMatchLabels(Map.of("team", "physics"))
                            .build())),
            Map.of("team", "physics", "other", "x"),
            true,
            LicenseState.Applied,
            "applied"),
        new VerdictCase(
            "invalid cpu quantity",
            license("x", q("cpu=8GB memory=8Gi"), s -> {}),
            Map.of(),
            true,
            LicenseState.Invalid,
            "spec.quota.cpu '8GB'"),
        new VerdictCase(
            "invalid memory quantity",
            license("x", q("cpu=2 memory=-1"), s -> {}),
            Map.of(),
            true,
            LicenseState.Invalid,
            "spec.quota.memory '-1'"),
        new VerdictCase(
            "absurd exponent",
            license("x", q("cpu=1e99999999999"), s -> {}),
            Map.of(),
            true,
            LicenseState.Invalid,
            "spec.quota.cpu"),
        new VerdictCase(
            "huge amount",
            license("x", q("memory=8Ei"), s -> {}),
            Map.of(),
            true,
            LicenseState.Invalid,
            "too large"),
        new VerdictCase(
            "invalid idle timeout",
            license("x", q("idle=2hours"), s -> {}),
            Map.of(),
            true,
            LicenseState.Invalid,
            "spec.quota.idleTimeout"),
        new VerdictCase(
            "negative gpu count",
            license("x", q("gpu=-1"), s -> {}),
            Map.of(),
            true,
            LicenseState.Invalid,
            "spec.quota.gpu.count"),
        new VerdictCase(
            "invalid expiry time",
            license("x", q("cpu=2"), s -> s.setExpires("next week")),
            Map.of(),
            true,
            LicenseState.Invalid,
            "spec.expires 'next week'"),
        new VerdictCase(
            "run limit reached",
            license("x", q("cpu=4 memory=8Gi"), s -> s.setRunLimit(2)),
            Map.of(),
            false,
            LicenseState.RunLimitReached,
            "already upgrades 2 running project(s)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void licenseVerdicts(VerdictCase c) {
    License lic = c.license();
    QuotaOutcome o =
        calc(policy("-"), List.of("x"), List.of(lic), null, c.nsLabels(), n -> c.slotFree());
    assertThat(o.verdicts())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.license()).isEqualTo("x");
              assertThat(v.state()).isEqualTo(c.state());
              assertThat(v.message()).contains("'x'").contains(c.messagePart());
            });
    EffectiveQuota e = o.quota();
    if (c.state() == LicenseState.Applied) {
      assertThat(e.limits()).isEqualTo(new Resources(4000, 8L << 30, 0));
      assertThat(e.appliedLicenses()).containsExactly("x");
      assertThat(o.allLicensesApplied()).isTrue();
    } else {
      assertThat(e.limits())
          .as("a skipped license contributes nothing")
          .isEqualTo(new Resources(1000, 1L << 30, 0));
      assertThat(e.appliedLicenses()).isEmpty();
      assertThat(o.allLicensesApplied()).isFalse();
    }
  }

  @Test
  void unknownLicenseIsNotFound() {
    License nullSpec = new License();
    nullSpec.setMetadata(new ObjectMetaBuilder().withName("empty").build());
    QuotaOutcome o =
        calc(
            policy("-"),
            List.of("ghost", "empty", "a"),
            List.of(nullSpec, license("a", "cpu=2")),
            null,
            Map.of(),
            n -> true);
    assertThat(states(o))
        .containsExactly(
            Map.entry("ghost", LicenseState.NotFound),
            Map.entry("empty", LicenseState.NotFound),
            Map.entry("a", LicenseState.Applied));
    assertThat(o.verdicts().get(0).message()).contains("'ghost' does not exist");
    assertThat(o.quota().limits().cpuMillis()).isEqualTo(2000);
    assertThat(o.quota().appliedLicenses()).containsExactly("a");
  }

  @Test
  void runLimitedLicenseIsExcludedWhileOthersApply() {
    List<String> asked = new ArrayList<>();
    QuotaOutcome o =
        calc(
            policy("-"),
            List.of("full", "free"),
            List.of(
                license("full", "cpu=4 memory=8Gi group=dgx"),
                license("free", "cpu=2 memory=2Gi group=cpu-pool")),
            null,
            Map.of(),
            n -> {
              asked.add(n);
              return !n.equals("full");
            });
    assertThat(states(o))
        .containsExactly(
            Map.entry("full", LicenseState.RunLimitReached),
            Map.entry("free", LicenseState.Applied));
    assertThat(o.quota().limits()).isEqualTo(new Resources(2000, 2L << 30, 0));
    assertThat(o.quota().nodeGroups())
        .as("a run-limited license does not constrain placement")
        .containsExactly("cpu-pool");
    assertThat(o.quota().appliedLicenses()).containsExactly("free");
    assertThat(asked).containsExactly("full", "free");
  }

  @Test
  void runSlotIsNotAskedForLicensesSkippedEarlier() {
    List<String> asked = new ArrayList<>();
    calc(
        policy("-"),
        List.of("ghost", "old"),
        List.of(license("old", q("cpu=2"), s -> s.setExpires("2020-01-01T00:00:00Z"))),
        null,
        Map.of(),
        n -> {
          asked.add(n);
          return true;
        });
    assertThat(asked).isEmpty();
  }

  @Test
  void duplicatedLicenseNamesCountOnce() {
    List<License> known = List.of(license("a", "cpu=2 memory=4Gi"));
    QuotaOutcome o = calc(policy("-"), List.of("a", "a", "a"), known, null, Map.of(), n -> true);
    assertThat(o.verdicts()).hasSize(1);
    assertThat(o.quota().limits()).isEqualTo(new Resources(2000, 4L << 30, 0));
    assertThat(o.quota().appliedLicenses()).containsExactly("a");
  }

  @Test
  void nullRequestedLicensesMeansNone() {
    QuotaOutcome o =
        new QuotaCalculator(policy("-"))
            .calculate(new QuotaInput("lab", null, null, Map.of(), null, NOW, n -> true));
    assertThat(o.verdicts()).isEmpty();
    assertThat(o.allLicensesApplied()).isTrue();
    assertThat(o.quota().limits()).isEqualTo(new Resources(1000, 1L << 30, 0));
  }

  @Test
  void invalidAdminQuotaIsAnErrorNamingTheField() {
    assertThatThrownBy(() -> calc("-", List.of(), q("memory=8GB")))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("spec.adminQuota.memory '8GB'");
  }

  // ---- node groups --------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // title                                   | licenses
        //  | admin          | groups     | states
        "no group                                  | a: cpu=2                                          | -              | -          | a=Applied",
        "dedicated group                           | a: group=dgx                                      | -              | dgx        | a=Applied",
        "same group twice is compatible            | a: group=dgx cpu=2; b: group=dgx cpu=2             | -              | dgx        | a=Applied b=Applied",
        "incompatible groups: first listed wins    | a: group=dgx cpu=2; b: group=hpc cpu=8             | -              | dgx        | a=Applied b=Incompatible",
        "order decides                             | b: group=hpc cpu=8; a: group=dgx cpu=2             | -              | hpc        | b=Applied a=Incompatible",
        "ordered lists intersect                   | a: groups=x,y,z; b: groups=z,y                     | -              | y,z        | a=Applied b=Applied",
        "nodeGroups wins over dedicatedNodeGroup   | a: groups=x,y group=q                              | -              | x,y        | a=Applied",
        "license without group does not constrain  | a: group=dgx; b: cpu=4                             | -              | dgx        | a=Applied b=Applied",
        "first ungrouped, second grouped           | b: cpu=4; a: group=dgx                             | -              | dgx        | b=Applied a=Applied",
        "third conflicts with the intersection     | a: groups=x,y; b: groups=y,z; c: groups=x         | -              | y          | a=Applied b=Applied c=Incompatible",
        "admin group overrides licenses            | a: group=dgx                                      | group=admin-pool | admin-pool | a=Applied",
        "admin nodeGroups without licenses         | -                                                 | groups=p,q     | p,q        | -",
      })
  void nodeGroups(String title, String licenses, String admin, String groups, String states) {
    QuotaOutcome o = calc("-", licenses(licenses), admin.equals("-") ? null : q(admin));
    assertThat(o.quota().nodeGroups())
        .isEqualTo(groups.equals("-") ? List.of() : List.of(groups.split(",")));
    Map<String, LicenseState> expected = new LinkedHashMap<>();
    if (!states.equals("-")) {
      for (String kv : states.split(" ")) {
        String[] p = kv.split("=");
        expected.put(p[0], LicenseState.valueOf(p[1]));
      }
    }
    assertThat(states(o)).containsExactlyEntriesOf(expected);
  }

  @Test
  void incompatibleLicenseSaysWhyAndAddsNothing() {
    QuotaOutcome o = calc(licenses("a: group=dgx cpu=2; b: group=hpc cpu=8 memory=64Gi"));
    LicenseVerdict b = o.verdicts().get(1);
    assertThat(b.state()).isEqualTo(LicenseState.Incompatible);
    assertThat(b.message())
        .contains("'b'")
        .contains("[hpc]")
        .contains("[dgx]")
        .contains("first listed wins");
    assertThat(o.quota().limits()).isEqualTo(new Resources(2000, 1L << 30, 0));
    assertThat(o.quota().appliedLicenses()).containsExactly("a");
  }

  @Test
  void onNodeGroupPlacesTheQuotaOnOneCandidate() {
    EffectiveQuota e = calc(licenses("a: groups=x,y")).quota();
    assertThat(e.onNodeGroup("y").nodeGroups()).containsExactly("y");
    assertThat(e.onNodeGroup(null).nodeGroups()).isEmpty();
    assertThat(e.onNodeGroup("y").limits()).isEqualTo(e.limits());
  }

  // ---- GPUs ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // title                                | settings            | licenses
        //                             | admin | gpu | resource        | states
        "no gpu                                 | -                   | a: cpu=2                                                  | -     | 0   | -               | a=Applied",
        "one gpu, default resource              | -                   | a: gpu=1                                                  | -     | 1   | nvidia.com/gpu  | a=Applied",
        "settings gpu resource                  | gpuResource=amd.com/gpu | a: gpu=1                                              | -     | 1   | amd.com/gpu     | a=Applied",
        "same resource adds up                  | -                   | a: gpu=1; b: gpu=2                                        | -     | 3   | nvidia.com/gpu  | a=Applied b=Applied",
        "different resources are incompatible   | -                   | a: gpu=1; b: gpu=2 gpuResource=amd.com/gpu                | -     | 1   | nvidia.com/gpu  | a=Applied b=Incompatible",
        "first listed gpu kind wins             | -                   | b: gpu=2 gpuResource=amd.com/gpu; a: gpu=1                | -     | 2   | amd.com/gpu     | b=Applied a=Incompatible",
        "zero-gpu license of another kind is ok | -                   | a: gpu=1; b: gpu=0 gpuResource=amd.com/gpu cpu=2          | -     | 1   | nvidia.com/gpu  | a=Applied b=Applied",
        "maxUpgrades caps gpus                  | maxUpgrades.gpu=2   | a: gpu=2; b: gpu=2                                        | -     | 2   | nvidia.com/gpu  | a=Applied b=Applied",
        "admin gpu complements                  | -                   | a: gpu=1                                                  | gpu=2 | 2   | nvidia.com/gpu  | a=Applied",
        "admin gpu alone                        | -                   | -                                                         | gpu=1 | 1   | nvidia.com/gpu  | -",
      })
  void gpus(
      String title,
      String settings,
      String licenses,
      String admin,
      long gpu,
      String resource,
      String states) {
    QuotaOutcome o = calc(settings, licenses(licenses), admin.equals("-") ? null : q(admin));
    EffectiveQuota e = o.quota();
    assertThat(e.limits().gpu()).as("gpu limit").isEqualTo(gpu);
    assertThat(e.requests().gpu()).as("gpu request == limit").isEqualTo(gpu);
    assertThat(e.gpuResource()).isEqualTo(resource.equals("-") ? null : resource);
    Map<String, LicenseState> expected = new LinkedHashMap<>();
    if (!states.equals("-")) {
      Arrays.stream(states.split(" "))
          .map(kv -> kv.split("="))
          .forEach(p -> expected.put(p[0], LicenseState.valueOf(p[1])));
    }
    assertThat(states(o)).containsExactlyEntriesOf(expected);
  }

  @Test
  void gpuPlacementComesFromGpuLicensesOnly() {
    Toleration gpuTaint =
        new TolerationBuilder()
            .withKey("nvidia.com/gpu")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build();
    QuotaSpec withGpu = q("gpu=1");
    withGpu.getGpu().setNodeSelector(Map.of("accelerator", "a100"));
    withGpu.getGpu().setTolerations(List.of(gpuTaint));
    QuotaSpec zeroGpu = q("gpu=0 cpu=2");
    zeroGpu.getGpu().setNodeSelector(Map.of("accelerator", "t4"));
    EffectiveQuota e =
        calc(List.of(license("g", withGpu, s -> {}), license("z", zeroGpu, s -> {}))).quota();
    assertThat(e.gpuNodeSelector()).containsExactly(Map.entry("accelerator", "a100"));
    assertThat(e.gpuTolerations()).containsExactly(gpuTaint);

    EffectiveQuota none = calc(List.of(license("z", zeroGpu, s -> {}))).quota();
    assertThat(none.gpuNodeSelector()).isEmpty();
    assertThat(none.gpuTolerations()).isEmpty();
    assertThat(none.gpuResource()).isNull();
  }

  // ---- pod patches --------------------------------------------------------------------------

  @Test
  void podPatchesTravelWithTheirLicenseInOrder() throws Exception {
    var smp = JSON.readTree("{\"metadata\":{\"annotations\":{\"a\":\"1\"}}}");
    var op = JSON.readTree("{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}");
    QuotaOutcome o =
        calc(
            List.of(
                license("p1", q("cpu=1"), s -> s.setPodPatch(smp)),
                license("plain", q("cpu=1"), s -> {}),
                license("p2", q("cpu=1"), s -> s.setPodJsonPatch(List.of(op))),
                license(
                    "expired",
                    q("cpu=1"),
                    s -> {
                      s.setPodPatch(smp);
                      s.setExpires("2020-01-01T00:00:00Z");
                    })));
    List<LicensePatch> patches = o.quota().podPatches();
    assertThat(patches).extracting(LicensePatch::license).containsExactly("p1", "p2");
    assertThat(patches.get(0).strategicMerge()).isEqualTo(smp);
    assertThat(patches.get(0).jsonPatch()).isNull();
    assertThat(patches.get(1).strategicMerge()).isNull();
    assertThat(patches.get(1).jsonPatch().isArray()).isTrue();
    assertThat(patches.get(1).jsonPatch().get(0)).isEqualTo(op);
  }
}
