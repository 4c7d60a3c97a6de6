package dev.quotient.web.dashboard;

import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.LedgerSnapshot;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.settings.Settings;
import java.time.Instant;
import java.util.List;

/**
 * What the dashboard reads, all of it from memory: the lease ledger's snapshot and the operator's
 * informer caches. Implemented on the controller side, so this package needs no operator framework
 * and a page view never costs an API call.
 */
public interface DashboardSource {
  /** The ledger's immutable view: leases, the waiting projects in queue order, rejections. */
  LedgerSnapshot snapshot();

  /** The Projects of the cache (read only: never modify them). */
  List<Project> projects();

  List<License> licenses();

  List<DedicatedNodeGroup> nodeGroups();

  /** The limits admission checks against now, built from the caches. */
  AdmissionLimits limits();

  Settings settings();

  /** The QuotaRejected and NeverFits Events of Projects still known, oldest first (bounded). */
  List<Rejection> rejections();

  Instant now();
}
