package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.License;
import dev.quotient.api.LicensePhase;
import dev.quotient.pod.LicenseValidation;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.LicenseWindow;
import dev.quotient.settings.Settings;
import dev.quotient.status.LicenseStatusBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * License status: phase from its window (rescheduled for the next activates/expires), the projects
 * holding its run slots (from the lease ledger), and whether it is usable at all. Observe, decide
 * ({@link LicenseStatusBuilder}), record ({@link StatusRecorder}).
 */
@ControllerConfiguration(name = "license")
public final class LicenseReconciler implements Reconciler<License> {
  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;
  private volatile IndexerResourceCache<License> primary;

  public LicenseReconciler(
      SettingsStore settings, LeaseLedger ledger, EventRecorder events, Clock clock) {
    this.settings = settings;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, License>> prepareEventSources(EventSourceContext<License> context) {
    primary = context.getPrimaryCache();
    SimpleInboundEventSource<License> usage = new SimpleInboundEventSource<>("license-usage");
    ledger.onChange(
        lease -> lease.licenses().forEach(l -> usage.propagateEvent(new ResourceID(l))));
    return List.of(usage);
  }

  /** The Licenses in the cache (for the dashboard; empty before the event sources exist). */
  List<License> cached() {
    IndexerResourceCache<License> cache = primary;
    return cache == null ? List.of() : cache.list().toList();
  }

  @Override
  public UpdateControl<License> reconcile(License license, Context<License> context) {
    // observe
    Instant now = clock.instant();
    Settings s = settings.current();
    String name = license.getMetadata().getName();
    List<String> holders =
        ledger.snapshot().holdersOf(name).stream().map(ProjectKey::toString).toList();
    LicensePhase phase;
    Optional<Instant> nextTransition = Optional.empty();
    try {
      LicenseWindow window = LicenseWindow.of(license.getSpec());
      phase = window.phaseAt(now);
      nextTransition = window.nextTransitionAfter(now);
    } catch (InvalidQuantityException e) {
      phase = LicensePhase.Pending; // the problems below say why
    }
    List<String> problems =
        LicenseValidation.problems(license, s.pod(), s.quotaPolicy().defaultGpuResource());
    // decide
    LicenseStatusBuilder.Outcome outcome =
        LicenseStatusBuilder.next(
            license.getStatus(),
            new LicenseStatusBuilder.Observed(phase, holders, problems),
            license.getMetadata().getGeneration(),
            now);
    // record
    outcome.events().forEach(e -> events.record(license, e));
    StatusRecorder.record(license, outcome.status(), context);
    UpdateControl<License> control = UpdateControl.noUpdate();
    if (nextTransition.isPresent()) {
      Duration wait = Duration.between(now, nextTransition.get()).plusMillis(200);
      control.rescheduleAfter(wait.isNegative() ? Duration.ofMillis(200) : wait);
    }
    return control;
  }
}
