package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.pod.ProjectPodFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What wakes a Project's reconcile, and the caches it observes: its pod, the Licenses it names,
 * namespaces, ResourceQuotas and the shared {@link NodeCache} (which change limits, so they wake
 * waiting projects), the ledger's wake-ups and the timers.
 */
final class ProjectEventSources {
  static final String BY_LICENSE = "byLicense";
  static final String BY_HOME = "byHome";

  final ProjectPodEventSource pods;
  final ProjectCaches caches;
  final SimpleInboundEventSource<Project> wake = new SimpleInboundEventSource<>("wake");
  final ProjectTimerDriver timers;
  final HomeClaims homes;
  final List<EventSource<?, Project>> all;

  ProjectEventSources(
      EventSourceContext<Project> context,
      LeaseLedger ledger,
      NodeCache nodes,
      SettingsStore settings,
      Clock clock) {
    var primary = context.getPrimaryCache();
    primary.addIndexers(
        Map.of(
            BY_LICENSE,
            ProjectObserver::requested,
            BY_HOME,
            p -> List.of(ProjectPodFactory.projectId(p))));
    homes = new HomeClaims(primary, BY_HOME);
    pods = new ProjectPodEventSource(context, ledger);
    var licenses =
        informer(
            context,
            License.class,
            "licenses",
            l ->
                primary.byIndex(BY_LICENSE, l.getMetadata().getName()).stream()
                    .map(ResourceID::fromResource)
                    .collect(Collectors.toSet()));
    var namespaces = informer(context, Namespace.class, "namespaces", ns -> Set.of());
    // A group's team shares are admission limits: a change may let waiting projects in.
    // Only spec changes matter here: the group's status follows every lease and would wake the
    // waiting projects at each start and stop.
    var groups =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(DedicatedNodeGroup.class, Project.class)
                .withName("dedicatednodegroups")
                .withSecondaryToPrimaryMapper(g -> waiting(ledger, null))
                .withOnUpdateFilter(
                    (next, old) -> !java.util.Objects.equals(next.getSpec(), old.getSpec()))
                .build(),
            context);
    var quotas =
        informer(
            context,
            ResourceQuota.class,
            "resourcequotas",
            q -> waiting(ledger, q.getMetadata().getNamespace()));
    caches = new ProjectCaches(licenses, namespaces, nodes, quotas, groups);
    timers = new ProjectTimerDriver(clock, wake::propagateEvent);
    ledger.onWake(keys -> keys.forEach(k -> wake.propagateEvent(id(k))));
    // A project whose borrowed team share is reclaimed is to be stopped now.
    ledger.onPreempt(keys -> keys.forEach(k -> wake.propagateEvent(id(k))));
    // Nodes change the limits (cluster quota, node-group capacity): wake the waiting projects.
    nodes.onChange(n -> waiting(ledger, null).forEach(wake::propagateEvent));
    settings.onChange(next -> waiting(ledger, null).forEach(wake::propagateEvent));
    ledger.restoreQueueFrom(
        () ->
            primary
                .list()
                .filter(p -> p.getStatus() != null && p.getStatus().getWaitingSince() != null)
                .filter(p -> p.getStatus().getPhase() == ProjectPhase.WaitingForResources)
                .map(p -> restored(p, settings, clock.instant()))
                .flatMap(Optional::stream)
                .toList());
    all = List.of(pods, licenses, namespaces, quotas, groups, wake);
  }

  /** A waiting project of an earlier run, as its status recorded it. */
  private Optional<LeaseLedger.RestoredWait> restored(
      Project p, SettingsStore settings, Instant now) {
    Instant since = ProjectObserver.parse(p.getStatus().getWaitingSince());
    if (since == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new LeaseLedger.RestoredWait(
              ProjectObserver.key(p),
              since,
              ProjectStarter.restoredRequest(p, caches, settings.current(), now)));
    } catch (RuntimeException unusable) {
      return Optional.empty();
    }
  }

  /** Waiting projects (of one namespace, or all when null), in wake-up order. */
  private static Set<ResourceID> waiting(LeaseLedger ledger, String namespace) {
    return ledger.queue().stream()
        .filter(k -> namespace == null || k.namespace().equals(namespace))
        .map(ProjectEventSources::id)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  static ResourceID id(ProjectKey k) {
    return new ResourceID(k.name(), k.namespace());
  }

  private static <R extends HasMetadata> InformerEventSource<R, Project> informer(
      EventSourceContext<Project> context,
      Class<R> type,
      String name,
      Function<R, Set<ResourceID>> toProjects) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, Project.class)
            .withName(name)
            .withSecondaryToPrimaryMapper(toProjects::apply)
            .build(),
        context);
  }
}
