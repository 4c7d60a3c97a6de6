package dev.quotient.web;

/**
 * What {@code /healthz} (liveness) and {@code /readyz} (readiness) answer: the operator says how it
 * is, the web server only serves it.
 */
public interface HealthProbe {
  /** One answer: ok or not, and a line saying why. */
  record Check(boolean ok, String message) {
    public static Check ok(String message) {
      return new Check(true, message);
    }

    public static Check failing(String message) {
      return new Check(false, message);
    }
  }

  /** Failing means only a restart helps (an informer stopped for good, the ledger unusable). */
  Check liveness();

  /** Ready once the caches are synced and the lease ledger rebuilt, leader or standby. */
  Check readiness();

  /** For a server without an operator behind it (tests of the endpoints alone). */
  HealthProbe ALWAYS_OK =
      new HealthProbe() {
        @Override
        public Check liveness() {
          return Check.ok("ok");
        }

        @Override
        public Check readiness() {
          return Check.ok("ready");
        }
      };
}
