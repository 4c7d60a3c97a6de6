package dev.quotient.controller;

import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.LedgerSnapshot;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.settings.Settings;
import dev.quotient.web.dashboard.DashboardSource;
import dev.quotient.web.dashboard.Rejection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** The dashboard's data from the operator's memory: the ledger, the reconcilers' caches. */
final class DashboardFeed implements DashboardSource {
  private final LeaseLedger ledger;
  private final SettingsStore settings;
  private final ProjectReconciler projects;
  private final LicenseReconciler licenses;
  private final DedicatedNodeGroupReconciler nodeGroups;
  private final RejectionHistory rejections;
  private final Clock clock;

  DashboardFeed(
      LeaseLedger ledger,
      SettingsStore settings,
      ProjectReconciler projects,
      LicenseReconciler licenses,
      DedicatedNodeGroupReconciler nodeGroups,
      RejectionHistory rejections,
      Clock clock) {
    this.ledger = ledger;
    this.settings = settings;
    this.projects = projects;
    this.licenses = licenses;
    this.nodeGroups = nodeGroups;
    this.rejections = rejections;
    this.clock = clock;
  }

  @Override
  public LedgerSnapshot snapshot() {
    return ledger.snapshot();
  }

  @Override
  public List<Project> projects() {
    return projects.cached();
  }

  @Override
  public List<License> licenses() {
    return licenses.cached();
  }

  @Override
  public List<DedicatedNodeGroup> nodeGroups() {
    return nodeGroups.cached();
  }

  @Override
  public AdmissionLimits limits() {
    return projects.limits(settings.current());
  }

  @Override
  public Settings settings() {
    return settings.current();
  }

  @Override
  public List<Rejection> rejections() {
    return rejections.list();
  }

  @Override
  public Instant now() {
    return clock.instant();
  }
}
