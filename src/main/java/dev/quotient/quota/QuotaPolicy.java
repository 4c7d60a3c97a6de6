package dev.quotient.quota;

/**
 * The admin's rules for turning upgrades into a quota: overcommit ratios, the default quota, the
 * cap on summed license upgrades and the request floors.
 *
 * @param maxUpgrades cap on the sum of license upgrades; Long.MAX_VALUE in a field means no cap
 */
public record QuotaPolicy(
    double cpuOvercommit,
    double memoryOvercommit,
    Upgrade defaultQuota,
    Resources maxUpgrades,
    long minCpuRequestMillis,
    long minMemoryRequestBytes,
    String defaultGpuResource) {

  public static final Resources NO_CAP =
      new Resources(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

  public QuotaPolicy {
    if (!(cpuOvercommit >= 1) || !(memoryOvercommit >= 1)) {
      throw new IllegalArgumentException("overcommit ratios must be >= 1");
    }
  }
}
