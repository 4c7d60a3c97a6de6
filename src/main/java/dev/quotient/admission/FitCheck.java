package dev.quotient.admission;

import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Does one request fit the limits, given what is already leased? Stateless: the ledger calls it
 * inside its lock with its current usage. Free capacity is never shown negative, even when an admin
 * lowered a limit below what is running.
 */
final class FitCheck {
  /** Usage figures the check needs from the ledger. */
  interface Usage {
    Resources total();

    int projects();

    Resources onNodeGroup(String group);

    Resources inNamespace(String namespace);

    int projectsInNamespace(String namespace);
  }

  private FitCheck() {}

  /**
   * The bottleneck, or empty when the request fits on the returned group (see {@link
   * #chooseGroup}).
   */
  static Optional<Bottleneck> clusterBottleneck(AdmissionRequest r, AdmissionLimits l, Usage u) {
    if (u.projects() + 1L > l.maxRunningProjects()) {
      return Optional.of(
          new Bottleneck(
              "running-projects",
              "running projects: "
                  + u.projects()
                  + " of "
                  + l.maxRunningProjects()
                  + " allowed are running"));
    }
    Resources used = u.total();
    Resources cap = l.cluster();
    if (exceeds(used.cpuMillis(), r.requests().cpuMillis(), cap.cpuMillis())) {
      return Optional.of(
          new Bottleneck(
              "cpu",
              "cpu: needs "
                  + cpu(r.requests().cpuMillis())
                  + ", "
                  + cpu(free(cap.cpuMillis(), used.cpuMillis()))
                  + " of "
                  + cpu(cap.cpuMillis())
                  + " free"));
    }
    if (exceeds(used.memoryBytes(), r.requests().memoryBytes(), cap.memoryBytes())) {
      return Optional.of(
          new Bottleneck(
              "memory",
              "memory: needs "
                  + mem(r.requests().memoryBytes())
                  + ", "
                  + mem(free(cap.memoryBytes(), used.memoryBytes()))
                  + " of "
                  + mem(cap.memoryBytes())
                  + " free"));
    }
    if (exceeds(used.gpu(), r.requests().gpu(), cap.gpu())) {
      return Optional.of(
          new Bottleneck(
              "gpu",
              "gpu: needs "
                  + r.requests().gpu()
                  + ", "
                  + free(cap.gpu(), used.gpu())
                  + " of "
                  + cap.gpu()
                  + " free"));
    }
    return Optional.empty();
  }

  /** Whether the request could ever fit the cluster limits (an empty cluster). */
  static boolean couldEverFit(AdmissionRequest r, AdmissionLimits l) {
    return l.maxRunningProjects() >= 1
        && r.requests().fitsIn(l.cluster())
        && (r.nodeGroups().isEmpty()
            || r.nodeGroups().stream()
                .anyMatch(
                    g ->
                        r.requests()
                            .fitsIn(l.nodeGroupCapacity().getOrDefault(g, Resources.ZERO))));
  }

  /** The first candidate group with room; for no candidates, the project nodes (null group). */
  static GroupChoice chooseGroup(AdmissionRequest r, AdmissionLimits l, Usage u) {
    if (r.nodeGroups().isEmpty()) {
      return new GroupChoice(null, null);
    }
    Bottleneck first = null;
    for (String g : r.nodeGroups()) {
      Resources cap = l.nodeGroupCapacity().getOrDefault(g, Resources.ZERO);
      Resources used = u.onNodeGroup(g);
      if (cap.equals(Resources.ZERO)) {
        first =
            first != null
                ? first
                : new Bottleneck("node-group", "node group " + g + " has no nodes");
        continue;
      }
      String why = null;
      if (exceeds(used.cpuMillis(), r.requests().cpuMillis(), cap.cpuMillis())) {
        why =
            "cpu needs "
                + cpu(r.requests().cpuMillis())
                + ", "
                + cpu(free(cap.cpuMillis(), used.cpuMillis()))
                + " of "
                + cpu(cap.cpuMillis())
                + " free";
      } else if (exceeds(used.memoryBytes(), r.requests().memoryBytes(), cap.memoryBytes())) {
        why =
            "memory needs "
                + mem(r.requests().memoryBytes())
                + ", "
                + mem(free(cap.memoryBytes(), used.memoryBytes()))
                + " of "
                + mem(cap.memoryBytes())
                + " free";
      } else if (exceeds(used.gpu(), r.requests().gpu(), cap.gpu())) {
        why =
            "gpu needs "
                + r.requests().gpu()
                + ", "
                + free(cap.gpu(), used.gpu())
                + " of "
                + cap.gpu()
                + " free";
      }
      if (why == null) {
        return new GroupChoice(g, null);
      }
      first = first != null ? first : new Bottleneck("node-group", "node group " + g + ": " + why);
    }
    return new GroupChoice(null, first);
  }

  /** The first namespace ResourceQuota the request would exceed. */
  static Optional<Bottleneck> namespaceBottleneck(AdmissionRequest r, AdmissionLimits l, Usage u) {
    List<NamespaceQuota> quotas =
        l.namespaceQuotas().getOrDefault(r.project().namespace(), List.of());
    Resources ours = u.inNamespace(r.project().namespace());
    long ourPods = u.projectsInNamespace(r.project().namespace());
    for (NamespaceQuota q : quotas) {
      for (Map.Entry<String, Long> hard : q.hard().entrySet()) {
        String key = hard.getKey();
        long need;
        long ledgerUsed;
        if (key.equals("requests.cpu") || key.equals("cpu")) {
          need = r.requests().cpuMillis();
          ledgerUsed = ours.cpuMillis();
        } else if (key.equals("requests.memory") || key.equals("memory")) {
          need = r.requests().memoryBytes();
          ledgerUsed = ours.memoryBytes();
        } else if (key.equals("limits.cpu")) {
          need = r.limits().cpuMillis();
          ledgerUsed = 0;
        } else if (key.equals("limits.memory")) {
          need = r.limits().memoryBytes();
          ledgerUsed = 0;
        } else if (r.gpuResource() != null && key.equals("requests." + r.gpuResource())) {
          need = r.requests().gpu();
          ledgerUsed = ours.gpu();
        } else if (key.equals("count/pods") || key.equals("pods")) {
          need = 1;
          ledgerUsed = ourPods;
        } else {
          continue;
        }
        long used = Math.max(q.used().getOrDefault(key, 0L), ledgerUsed);
        if (need > 0 && exceeds(used, need, hard.getValue())) {
          return Optional.of(
              new Bottleneck(
                  "namespace-quota",
                  "namespace quota "
                      + q.namespace()
                      + "/"
                      + q.name()
                      + ": "
                      + key
                      + " needs "
                      + format(key, need)
                      + ", "
                      + format(key, free(hard.getValue(), used))
                      + " of "
                      + format(key, hard.getValue())
                      + " free"));
        }
      }
    }
    return Optional.empty();
  }

  record GroupChoice(String group, Bottleneck bottleneck) {}

  private static boolean exceeds(long used, long need, long cap) {
    return need > 0 && (used > cap || need > cap - used);
  }

  private static long free(long cap, long used) {
    return Math.max(0, cap - used);
  }

  private static String cpu(long millis) {
    return millis == Long.MAX_VALUE ? "unlimited" : Quantities.formatCpu(millis);
  }

  private static String mem(long bytes) {
    return bytes == Long.MAX_VALUE ? "unlimited" : Quantities.formatBytes(bytes);
  }

  private static String format(String key, long v) {
    if (key.endsWith("cpu")) {
      return cpu(v);
    }
    if (key.endsWith("memory")) {
      return mem(v);
    }
    return Long.toString(v);
  }
}
