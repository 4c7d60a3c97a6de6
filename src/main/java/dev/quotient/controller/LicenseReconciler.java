package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.License;
import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseStatus;
import dev.quotient.api.RunningProjects;
import dev.quotient.pod.LicenseValidation;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.LicenseWindow;
import dev.quotient.settings.Settings;
import dev.quotient.status.Conditions;
import dev.quotient.status.Reason;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * License status: phase from its window (rescheduled for the next activates/expires), the projects
 * holding its run slots (from the lease ledger), and whether it is usable at all.
 */
@ControllerConfiguration(name = "license")
public final class LicenseReconciler implements Reconciler<License> {
  public static final String VALID = "Valid";
  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;

  public LicenseReconciler(
      SettingsStore settings, LeaseLedger ledger, EventRecorder events, Clock clock) {
    this.settings = settings;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, License>> prepareEventSources(EventSourceContext<License> context) {
    SimpleInboundEventSource<License> usage = new SimpleInboundEventSource<>("license-usage");
    ledger.onChange(
        lease -> lease.licenses().forEach(l -> usage.propagateEvent(new ResourceID(l))));
    return List.of(usage);
  }

  @Override
  public UpdateControl<License> reconcile(License license, Context<License> context) {
    Instant now = clock.instant();
    Settings s = settings.current();
    String name = license.getMetadata().getName();
    LicenseStatus prev = license.getStatus() == null ? new LicenseStatus() : license.getStatus();
    LicenseStatus next = new LicenseStatus();
    next.setObservedGeneration(license.getMetadata().getGeneration());
    List<ProjectKey> holders = ledger.holdersOf(name);
    RunningProjects running = new RunningProjects();
    running.setCount(holders.size());
    running.setNames(
        holders.isEmpty() ? null : holders.stream().map(ProjectKey::toString).toList());
    next.setRunningProjects(running);

    Optional<Instant> nextTransition = Optional.empty();
    try {
      LicenseWindow window = LicenseWindow.of(license.getSpec());
      next.setPhase(window.phaseAt(now));
      nextTransition = window.nextTransitionAfter(now);
    } catch (InvalidQuantityException e) {
      next.setPhase(LicensePhase.Pending);
    }
    List<String> problems =
        LicenseValidation.problems(license, s.pod(), s.quotaPolicy().defaultGpuResource());
    next.setConditions(
        problems.isEmpty()
            ? Conditions.set(
                prev.getConditions(),
                VALID,
                Conditions.TRUE,
                Reason.LicenseValid.name(),
                "Quota and pod patches are usable",
                next.getObservedGeneration(),
                now)
            : Conditions.set(
                prev.getConditions(),
                VALID,
                Conditions.FALSE,
                Reason.LicenseInvalid.name(),
                String.join("; ", problems) + "; projects skip this license until it is fixed",
                next.getObservedGeneration(),
                now));
    if (!problems.isEmpty() && !Conditions.FALSE.equals(statusOf(prev))) {
      events.warning(license, Reason.LicenseInvalid, String.join("; ", problems));
    }
    if (prev.getPhase() != null && prev.getPhase() != next.getPhase()) {
      events.normal(
          license,
          next.getPhase() == LicensePhase.Expired ? Reason.LicenseExpired : Reason.LicenseActivated,
          "License is now "
              + next.getPhase()
              + (next.getPhase() == LicensePhase.Expired
                  ? "; running projects keep its quota until their next start"
                  : ""));
    }
    UpdateControl<License> control;
    if (next.equals(license.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      // A full status update with the resourceVersion, not a JSON-patch diff against our cache:
      // a diff of list indexes applied to a newer server copy (another replica, a restart) can
      // corrupt the lists, and a conflict is simply retried on fresh data.
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          license,
          context,
          l -> {
            l.setStatus(next);
            return l;
          });
      control = UpdateControl.noUpdate();
    }
    if (nextTransition.isPresent()) {
      Duration wait = Duration.between(now, nextTransition.get()).plusMillis(200);
      control.rescheduleAfter(wait.isNegative() ? Duration.ofMillis(200) : wait);
    }
    return control;
  }

  private static String statusOf(LicenseStatus s) {
    var c =
        Conditions.find(s.getConditions() == null ? new ArrayList<>() : s.getConditions(), VALID);
    return c == null ? null : c.getStatus();
  }
}
