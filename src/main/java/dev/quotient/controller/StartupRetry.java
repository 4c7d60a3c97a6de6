package dev.quotient.controller;

import dev.quotient.quota.Durations;
import dev.quotient.settings.InvalidSettingsException;
import dev.quotient.web.HealthProbe;
import dev.quotient.web.MetricsServer;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long, and how often, a start of the operator that failed is tried again: the API server not
 * reachable yet, a list it refuses for a while (RBAC applied after the Deployment, a CRD installed
 * after it), an informer that did not sync within the cache-sync timeout. Each attempt starts
 * everything afresh, so no reconcile ever runs on a cache that did not list everything. Between
 * attempts {@code /healthz} passes (a restart would not help sooner) and {@code /readyz} fails with
 * the reason; one log line per failed attempt. Once {@code giveUpAfter} has passed since the first
 * attempt, the last failure is thrown (the process then exits and the Deployment's backoff takes
 * over). Unusable settings are not retried: they fail at once.
 *
 * @param giveUpAfter no attempt starts after this much time since the first one
 * @param firstDelay the wait after the first failure; it doubles after each one
 * @param maxDelay the longest wait between two attempts
 */
public record StartupRetry(Duration giveUpAfter, Duration firstDelay, Duration maxDelay) {
  private static final Logger log = LoggerFactory.getLogger(StartupRetry.class);

  /** Production: five minutes of attempts, 1 s apart at first, at most 30 s apart. */
  public static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofMinutes(5);

  public static StartupRetry giveUpAfter(Duration giveUpAfter) {
    return new StartupRetry(giveUpAfter, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /**
   * Runs {@code attempt} (given what /readyz should add while it starts: why the last one failed)
   * until it returns.
   *
   * @param probePort where /healthz and /readyz are served between attempts (null: nowhere)
   */
  <T> T start(Integer probePort, Function<String, T> attempt) {
    long first = System.nanoTime();
    long deadline = first + giveUpAfter.toNanos();
    Duration delay = firstDelay;
    String note = null;
    for (int n = 1; ; n++) {
      try {
        return attempt.apply(note);
      } catch (InvalidSettingsException e) {
        throw e;
      } catch (RuntimeException e) {
        long left = deadline - System.nanoTime();
        String reason = reason(e);
        if (left <= 0) {
          log.error(
              "The operator could not start in {} attempt(s) over {}, giving up: {}",
              n,
              Durations.format(Duration.ofNanos(System.nanoTime() - first).withNanos(0)),
              reason,
              e);
          throw e;
        }
        Duration wait =
            delay.compareTo(Duration.ofNanos(left)) > 0 ? Duration.ofNanos(left) : delay;
        log.warn(
            "Start attempt {} failed: {}; trying again in {} (gives up {} after the first)",
            n,
            reason,
            Durations.format(wait),
            Durations.format(giveUpAfter));
        note = "attempt " + (n + 1) + "; attempt " + n + " failed: " + reason;
        waitServingProbes(
            probePort,
            wait,
            "starting: attempt " + n + " failed: " + reason + "; next attempt soon");
        delay = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
      }
    }
  }

  private static void waitServingProbes(Integer port, Duration wait, String notReady) {
    HealthProbe probe =
        new HealthProbe() {
          @Override
          public Check liveness() {
            return Check.ok("ok");
          }

          @Override
          public Check readiness() {
            return Check.failing(notReady);
          }
        };
    MetricsServer probes = null;
    try {
      probes = port == null ? null : MetricsServer.probesOnly("0.0.0.0", port, probe);
    } catch (RuntimeException portTaken) {
      log.debug("no probes between start attempts: {}", portTaken.toString());
    }
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to start again", e);
    } finally {
      if (probes != null) {
        probes.close();
      }
    }
  }

  /**
   * What an admin acts on, on one line: the API server's own message when it refused a request
   * (e.g. "projects.quotient.dev is forbidden: ... (HTTP 403)"), else the root cause's.
   */
  static String reason(Throwable e) {
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k
          && k.getStatus() != null
          && k.getStatus().getMessage() != null) {
        return oneLine(k.getStatus().getMessage() + " (HTTP " + k.getCode() + ")");
      }
      root = t;
    }
    return oneLine(root.getMessage() == null ? root.toString() : root.getMessage());
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
