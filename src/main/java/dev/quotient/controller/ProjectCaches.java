package dev.quotient.controller;

import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.LimitsFactory;
import dev.quotient.admission.TeamShares;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.settings.Settings;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Read-only views over the informer caches the Project reconciler decides from. */
final class ProjectCaches {
  private final InformerEventSource<License, Project> licenses;
  private final InformerEventSource<Namespace, Project> namespaces;
  private final NodeCache nodes;
  private final InformerEventSource<ResourceQuota, Project> quotas;
  private final InformerEventSource<DedicatedNodeGroup, Project> groups;

  ProjectCaches(
      InformerEventSource<License, Project> licenses,
      InformerEventSource<Namespace, Project> namespaces,
      NodeCache nodes,
      InformerEventSource<ResourceQuota, Project> quotas,
      InformerEventSource<DedicatedNodeGroup, Project> groups) {
    this.licenses = licenses;
    this.namespaces = namespaces;
    this.nodes = nodes;
    this.quotas = quotas;
    this.groups = groups;
  }

  Map<String, License> licensesByName(List<String> names) {
    Map<String, License> out = new HashMap<>();
    for (String name : names) {
      licenses.get(new ResourceID(name)).ifPresent(l -> out.put(name, l));
    }
    return out;
  }

  Map<String, String> namespaceLabels(String namespace) {
    return namespaces
        .get(new ResourceID(namespace))
        .map(n -> n.getMetadata().getLabels())
        .orElse(Map.of());
  }

  AdmissionLimits limits(Settings s) {
    return LimitsFactory.limits(
            s.clusterQuota(),
            nodes.list(),
            s.pod().projectNodeSelector(),
            s.pod().nodeGroupKey(),
            s.quotaPolicy().defaultGpuResource(),
            quotas.list().toList())
        .withNodeGroupTeams(teams());
  }

  /** The team shares of the groups that have them (namespaces read only when one does). */
  private Map<String, TeamShares> teams() {
    List<DedicatedNodeGroup> withTeams =
        groups
            .list()
            .filter(g -> g.getSpec() != null && g.getSpec().getTeams() != null)
            .filter(g -> !g.getSpec().getTeams().isEmpty())
            .toList();
    if (withTeams.isEmpty()) {
      return Map.of();
    }
    Map<String, Map<String, String>> labels = new HashMap<>();
    namespaces
        .list()
        .forEach(
            n ->
                labels.put(
                    n.getMetadata().getName(),
                    n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
    Map<String, TeamShares> out = new HashMap<>();
    for (DedicatedNodeGroup g : withTeams) {
      TeamShares t = TeamShares.of(g.getSpec(), labels);
      if (t != null) {
        out.put(g.getMetadata().getName(), t);
      }
    }
    return out;
  }
}
