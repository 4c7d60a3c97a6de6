package dev.quotient.settings;

import dev.quotient.quota.QuotaPolicy;
import java.time.Duration;

/** Everything the admin configures, parsed once and immutable; reloads replace it whole. */
public record Settings(
    QuotaPolicy quotaPolicy,
    ClusterQuotaSettings clusterQuota,
    PodSettings pod,
    Duration idleCheckInterval,
    Duration pendingTimeout,
    Duration backfillFor,
    boolean restartOnLicenseChange,
    GpuActivitySettings gpuActivity) {

  public static Settings defaults() {
    return SettingsParser.parse(java.util.Map.of());
  }
}
