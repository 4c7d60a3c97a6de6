package dev.quotient.quota;

import dev.quotient.api.License;
import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseState;
import io.fabric8.kubernetes.api.model.Toleration;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Licenses + admin quota + policy -> {@link EffectiveQuota}, following seed 000:
 *
 * <ul>
 *   <li>a license applies only inside its window, in an allowed namespace, with a free run slot,
 *       and when compatible with the licenses listed before it (the first listed wins);
 *   <li>applied licenses add up; per field the sum is maxed with the admin quota (they complement
 *       each other, they do not add up) and capped by maxUpgrades; the default quota is the floor;
 *   <li>requests = limit / overcommit ratio, at least the floor, at most the limit; GPUs are never
 *       overcommitted; alwaysRunning is OR; idleTimeout and maxDuration take the largest value set.
 * </ul>
 */
public final class QuotaCalculator {
  private static final long MIB = 1L << 20;
  private final QuotaPolicy policy;

  public QuotaCalculator(QuotaPolicy policy) {
    this.policy = Objects.requireNonNull(policy);
  }

  public QuotaOutcome calculate(QuotaInput in) {
    List<LicenseVerdict> verdicts = new ArrayList<>();
    List<Upgrade> applied = new ArrayList<>();
    List<String> appliedNames = new ArrayList<>();
    List<LicensePatch> patches = new ArrayList<>();
    List<String> groups = null; // null = no license constrains placement yet
    String gpuResource = null;
    for (String name : new LinkedHashSet<>(in.requestedLicenses())) {
      License license = in.licenses().get(name);
      if (license == null || license.getSpec() == null) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.NotFound,
                "License '"
                    + name
                    + "' does not exist; check the name with 'kubectl get licenses'"));
        continue;
      }
      if (license.getSpec().problem() != null) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.Invalid,
                "License '"
                    + name
                    + "' cannot be used: "
                    + license.getSpec().problem()
                    + "; an admin must fix it"));
        continue;
      }
      List<String> selectorProblems =
          LabelSelectors.problems(
              "spec.allowedNamespaces", license.getSpec().getAllowedNamespaces());
      if (!selectorProblems.isEmpty()) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.Invalid,
                "License '"
                    + name
                    + "' cannot be used: "
                    + String.join("; ", selectorProblems)
                    + "; an admin must fix it"));
        continue;
      }
      if (!LabelSelectors.matches(license.getSpec().getAllowedNamespaces(), in.namespaceLabels())) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.Forbidden,
                "License '"
                    + name
                    + "' is not allowed in namespace '"
                    + in.namespace()
                    + "' (its allowedNamespaces selector does not match the namespace's labels)"));
        continue;
      }
      Upgrade upgrade;
      LicenseWindow window;
      try {
        window = LicenseWindow.of(license.getSpec());
        upgrade =
            Upgrade.parse("spec.quota", license.getSpec().getQuota(), policy.defaultGpuResource());
      } catch (InvalidQuantityException e) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.Invalid,
                "License '"
                    + name
                    + "' cannot be used: "
                    + e.getMessage()
                    + "; an admin must fix it"));
        continue;
      }
      LicensePhase phase = window.phaseAt(in.now());
      if (phase == LicensePhase.Pending) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.NotYetActive,
                "License '" + name + "' activates at " + window.activates()));
        continue;
      }
      if (phase == LicensePhase.Expired) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.Expired,
                "License '" + name + "' expired at " + window.expires()));
        continue;
      }
      String conflict = conflict(name, upgrade, groups, gpuResource);
      if (conflict != null) {
        verdicts.add(new LicenseVerdict(name, LicenseState.Incompatible, conflict));
        continue;
      }
      if (!in.runSlotFree().test(name)) {
        verdicts.add(
            new LicenseVerdict(
                name,
                LicenseState.RunLimitReached,
                "License '"
                    + name
                    + "' already upgrades "
                    + license.getSpec().getRunLimit()
                    + " running project(s), its run limit; this run goes without it"));
        continue;
      }
      if (!upgrade.nodeGroups().isEmpty()) {
        groups = groups == null ? upgrade.nodeGroups() : intersect(groups, upgrade.nodeGroups());
      }
      if (upgrade.hasGpu()) {
        gpuResource = upgrade.gpuResource();
      }
      applied.add(upgrade);
      appliedNames.add(name);
      if (license.getSpec().getPodPatch() != null || license.getSpec().getPodJsonPatch() != null) {
        patches.add(
            new LicensePatch(
                name,
                license.getSpec().getPodPatch(),
                license.getSpec().getPodJsonPatch() == null
                    ? null
                    : new com.fasterxml.jackson.databind.node.ArrayNode(
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance,
                        license.getSpec().getPodJsonPatch())));
      }
      verdicts.add(
          new LicenseVerdict(name, LicenseState.Applied, "License '" + name + "' applied"));
    }
    Upgrade admin = Upgrade.parse("spec.adminQuota", in.adminQuota(), policy.defaultGpuResource());
    return new QuotaOutcome(combine(applied, admin, groups, appliedNames, patches), verdicts);
  }

  private static String conflict(
      String name, Upgrade upgrade, List<String> groups, String gpuResource) {
    if (groups != null
        && !upgrade.nodeGroups().isEmpty()
        && intersect(groups, upgrade.nodeGroups()).isEmpty()) {
      return "License '"
          + name
          + "' places the project on node group(s) "
          + upgrade.nodeGroups()
          + " but a license listed before it requires "
          + groups
          + "; the first listed wins, so this one is skipped";
    }
    if (gpuResource != null && upgrade.hasGpu() && !gpuResource.equals(upgrade.gpuResource())) {
      return "License '"
          + name
          + "' grants "
          + upgrade.gpuResource()
          + " but a license listed before it grants "
          + gpuResource
          + "; one pod cannot mix GPU kinds, so this one is skipped";
    }
    return null;
  }

  private static List<String> intersect(List<String> a, List<String> b) {
    return a.stream().filter(b::contains).toList();
  }

  private EffectiveQuota combine(
      List<Upgrade> licenses,
      Upgrade admin,
      List<String> licenseGroups,
      List<String> appliedNames,
      List<LicensePatch> patches) {
    Upgrade def = policy.defaultQuota();
    long cpuSum = 0;
    long memSum = 0;
    long ephSum = 0;
    long gpuSum = 0;
    for (Upgrade u : licenses) {
      cpuSum = saturatingAdd(cpuSum, u.cpuMillis());
      memSum = saturatingAdd(memSum, u.memoryBytes());
      ephSum = saturatingAdd(ephSum, u.ephemeralBytes());
      gpuSum = saturatingAdd(gpuSum, u.gpu());
    }
    Resources cap = policy.maxUpgrades();
    // DESIGN.md: summed, maxed with adminQuota, capped by maxUpgrades; the default stays a floor.
    long cpu =
        Math.max(
            Math.min(max(cpuSum, admin.cpuMillis(), null), cap.cpuMillis()),
            orZero(def.cpuMillis()));
    long mem =
        Math.max(
            Math.min(max(memSum, admin.memoryBytes(), null), cap.memoryBytes()),
            orZero(def.memoryBytes()));
    long gpu = Math.max(Math.min(max(gpuSum, admin.gpu(), null), cap.gpu()), orZero(def.gpu()));
    long eph = max(ephSum, def.ephemeralBytes(), admin.ephemeralBytes());
    Resources limits = new Resources(cpu, mem, gpu);
    Resources requests =
        new Resources(
            request(cpu, policy.cpuOvercommit(), policy.minCpuRequestMillis(), 1),
            request(mem, policy.memoryOvercommit(), policy.minMemoryRequestBytes(), MIB),
            gpu);

    // Loops, not streams: this runs on every look at every project.
    List<Upgrade> all = new ArrayList<>(licenses.size() + 2);
    all.add(def);
    all.add(admin);
    all.addAll(licenses);
    boolean alwaysRunning = false;
    Duration idle = null;
    Duration gpuIdle = null;
    Duration maxDuration = null;
    for (Upgrade u : all) {
      alwaysRunning |= Boolean.TRUE.equals(u.alwaysRunning());
      idle = longer(idle, u.idleTimeout());
      gpuIdle = longer(gpuIdle, u.gpuIdleTimeout());
      maxDuration = longer(maxDuration, u.maxDuration());
    }
    String alwaysRunningBy = null;
    if (Boolean.TRUE.equals(admin.alwaysRunning())) {
      alwaysRunningBy = "spec.adminQuota";
    } else {
      for (int i = 0; i < licenses.size() && alwaysRunningBy == null; i++) {
        if (Boolean.TRUE.equals(licenses.get(i).alwaysRunning())) {
          alwaysRunningBy = "license '" + appliedNames.get(i) + "'";
        }
      }
      if (alwaysRunningBy == null && Boolean.TRUE.equals(def.alwaysRunning())) {
        alwaysRunningBy = "the settings' defaultQuota.alwaysRunning";
      }
    }
    String preemptibleBy = null;
    if (Boolean.TRUE.equals(admin.preemptible())) {
      preemptibleBy = "spec.adminQuota";
    } else {
      for (int i = 0; i < licenses.size() && preemptibleBy == null; i++) {
        if (Boolean.TRUE.equals(licenses.get(i).preemptible())) {
          preemptibleBy = "license '" + appliedNames.get(i) + "'";
        }
      }
    }
    List<String> groups =
        !admin.nodeGroups().isEmpty()
            ? admin.nodeGroups()
            : licenseGroups != null ? licenseGroups : def.nodeGroups();

    String gpuResource = null;
    Map<String, String> gpuSelector = new LinkedHashMap<>();
    LinkedHashSet<Toleration> gpuTolerations = new LinkedHashSet<>();
    for (Upgrade u : all.subList(1, all.size())) {
      if (u.hasGpu() && gpuResource == null) {
        gpuResource = u.gpuResource();
      }
      if (u.hasGpu() || u == admin) {
        u.gpuNodeSelector().forEach(gpuSelector::putIfAbsent);
        gpuTolerations.addAll(u.gpuTolerations());
      }
    }
    if (gpu > 0 && gpuResource == null) {
      gpuResource = def.gpuResource() != null ? def.gpuResource() : policy.defaultGpuResource();
    }
    if (gpu == 0) {
      gpuResource = null;
      gpuSelector.clear();
      gpuTolerations.clear();
    }
    return new EffectiveQuota(
        limits,
        requests,
        eph,
        gpuResource,
        gpuSelector,
        new ArrayList<>(gpuTolerations),
        alwaysRunning,
        alwaysRunningBy,
        alwaysRunning ? null : idle,
        maxDuration,
        groups,
        appliedNames,
        patches,
        gpu == 0 || alwaysRunning ? null : gpuIdle,
        preemptibleBy);
  }

  /**
   * limit / ratio rounded up to the unit (whole millicores, whole MiB, so requests read well in
   * kubectl), never below the floor and never above the limit.
   */
  static long request(long limit, double ratio, long floor, long unit) {
    long whole = (long) ratio;
    if (whole == ratio && whole >= 1 && limit >= 0 && whole <= Long.MAX_VALUE / unit) {
      // A whole ratio (the usual 1, 2, 4) in long arithmetic: this runs on every look.
      long step = whole * unit;
      long steps = limit / step + (limit % step == 0 ? 0 : 1);
      long derived = Math.multiplyExact(steps, unit);
      return Math.min(limit, Math.max(derived, floor));
    }
    BigDecimal u = BigDecimal.valueOf(unit);
    long derived =
        BigDecimal.valueOf(limit)
            .divide(BigDecimal.valueOf(ratio).multiply(u), 0, RoundingMode.CEILING)
            .multiply(u)
            .longValueExact();
    return Math.min(limit, Math.max(derived, floor));
  }

  private static Duration longer(Duration a, Duration b) {
    return a == null || (b != null && b.compareTo(a) > 0) ? b : a;
  }

  private static long saturatingAdd(long a, Long b) {
    if (b == null) {
      return a;
    }
    long r = a + b;
    return r < a ? Long.MAX_VALUE : r;
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  private static long max(long a, Long b, Long c) {
    return Math.max(a, Math.max(b == null ? 0 : b, c == null ? 0 : c));
  }
}
