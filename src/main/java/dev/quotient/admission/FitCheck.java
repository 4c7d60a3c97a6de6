package dev.quotient.admission;

import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Does one request fit, scope by scope, given what is already leased? Stateless: the ledger calls
 * it inside its lock. Free capacity is never shown negative, even when an admin lowered a limit
 * below what is running.
 */
final class FitCheck {
  /**
   * The request against every scope it takes from.
   *
   * @param takesFrom the scopes whose queues may hold this request back
   * @param shortIn the scopes it does not fit now, first reported first (empty: it fits)
   * @param neverFits a scope it cannot fit even when nothing else runs (null: none)
   * @param group the node group chosen from the candidates (null for project nodes)
   * @param team where the lease sits among the chosen group's team shares (null: no teams there)
   * @param reclaim borrowed leases to preempt so that the request fits its team share
   */
  record Fit(
      List<Scope> takesFrom,
      List<Bottleneck> shortIn,
      Bottleneck neverFits,
      String group,
      TeamPlacement team,
      List<Lease> reclaim) {
    boolean fits() {
      return neverFits == null && shortIn.isEmpty();
    }
  }

  private FitCheck() {}

  static Fit fit(AdmissionRequest r, AdmissionLimits l, Usage u) {
    List<Scope> takes = new ArrayList<>();
    List<Bottleneck> shortIn = new ArrayList<>();
    Bottleneck never = null;

    if (r.ephemeral()) {
      // Runs have slots of their own, their own scope: a run waiting for one holds back runs only.
      takes.add(Scope.EPHEMERAL_RUNS);
      if (l.maxEphemeralProjects() < 1) {
        never =
            neverFits(
                ephemeralSlots(0, l.maxEphemeralProjects()), "clusterQuota.ephemeralProjects");
      } else {
        Bottleneck e = ephemeralSlots(u.ephemeral(), l.maxEphemeralProjects());
        if (e != null) {
          shortIn.add(e);
        }
      }
    }
    takes.add(Scope.CLUSTER);
    Bottleneck c = cluster(r, l, u.cluster(), u.ephemeral(), l.cluster(), l.maxRunningProjects());
    if (c != null) {
      Bottleneck empty = cluster(r, l, Usage.Totals.ZERO, 0, l.cluster(), l.maxRunningProjects());
      if (empty != null) {
        never = never != null ? never : neverFits(empty, "the cluster quota");
      } else {
        shortIn.add(c);
      }
    }

    List<NamespaceQuota> quotas =
        l.namespaceQuotas().getOrDefault(r.project().namespace(), List.of());
    if (!quotas.isEmpty()) {
      Scope ns = new Scope.Namespace(r.project().namespace());
      takes.add(ns);
      Bottleneck n = namespace(r, quotas, u.namespace(r.project().namespace()), ns, true);
      if (n != null) {
        Bottleneck empty = namespace(r, quotas, Usage.Totals.ZERO, ns, false);
        if (empty != null) {
          never = never != null ? never : neverFits(empty, "its hard limit");
        } else {
          shortIn.add(n);
        }
      }
    }

    String chosen = null;
    TeamPlacement placement = null;
    List<Lease> reclaim = List.of();
    if (!r.nodeGroups().isEmpty()) {
      List<Bottleneck> firstShort = null;
      Bottleneck firstNever = null;
      List<Scope> candidates = new ArrayList<>();
      for (String g : r.nodeGroups()) {
        Scope scope = new Scope.NodeGroup(g);
        Resources cap = l.nodeGroupCapacity().getOrDefault(g, Resources.ZERO);
        Bottleneck now = group(r, g, scope, cap, u.group(g).requests());
        if (now == null) {
          now = noNodeBigEnough(r, g, scope, l.nodeGroupNodes().get(g));
        }
        TeamShares shares = l.nodeGroupTeams().get(g);
        if (shares != null) {
          Bottleneck empty = group(r, g, scope, cap, Resources.ZERO);
          if (empty == null) {
            empty = noNodeBigEnough(r, g, scope, l.nodeGroupNodes().get(g));
          }
          TeamCheck.Verdict v =
              TeamCheck.check(r, g, shares, cap, u.group(g).requests(), u.teams(), now, empty);
          if (v.fits()) {
            chosen = g;
            placement = v.placement();
            takes.add(v.scope());
            break;
          }
          candidates.add(scope);
          candidates.add(v.scope());
          if (v.never() == null) {
            if (firstShort == null) {
              firstShort = v.shortIn();
              reclaim = v.reclaim();
            }
          } else {
            firstNever = firstNever != null ? firstNever : v.never();
          }
          continue;
        }
        if (now == null) {
          chosen = g;
          break;
        }
        candidates.add(scope);
        Bottleneck empty = group(r, g, scope, cap, Resources.ZERO);
        if (empty == null) {
          empty = noNodeBigEnough(r, g, scope, l.nodeGroupNodes().get(g));
        }
        if (empty == null) {
          firstShort = firstShort != null ? firstShort : List.of(now);
        } else {
          firstNever = firstNever != null ? firstNever : empty;
        }
      }
      if (chosen != null) {
        takes.add(new Scope.NodeGroup(chosen));
      } else {
        takes.addAll(candidates);
        if (firstShort != null) {
          shortIn.addAll(firstShort);
        } else {
          never =
              never != null
                  ? never
                  : neverFits(
                      firstNever,
                      firstNever.scope() instanceof Scope.Team ? "the share" : "its capacity");
        }
      }
    }
    return new Fit(
        List.copyOf(takes), List.copyOf(shortIn), never, chosen, placement, List.copyOf(reclaim));
  }

  private static Bottleneck neverFits(Bottleneck b, String limit) {
    return new Bottleneck(
        b.resource(),
        b.scope(),
        "never fits "
            + b.scope().describe()
            + ", even with nothing else running ("
            + b.message()
            + "); it is retried when "
            + limit
            + " changes");
  }

  /** The ephemeral run slots, when none is free (null when one is). */
  private static Bottleneck ephemeralSlots(int used, long max) {
    if (used + 1L <= max) {
      return null;
    }
    return new Bottleneck(
        BottleneckResource.EphemeralProjects,
        Scope.EPHEMERAL_RUNS,
        "ephemeral runs: " + used + " of " + max + " allowed are running");
  }

  /**
   * The cluster quota: cpu, memory, gpu for every project, the running-project slots for persistent
   * ones (ephemeral runs have slots of their own).
   */
  private static Bottleneck cluster(
      AdmissionRequest r,
      AdmissionLimits l,
      Usage.Totals used,
      int ephemeralUsed,
      Resources cap,
      long maxProjects) {
    Scope s = Scope.CLUSTER;
    long persistent = Math.max(0, used.projects() - ephemeralUsed);
    if (!r.ephemeral() && persistent + 1L > maxProjects) {
      return new Bottleneck(
          BottleneckResource.RunningProjects,
          s,
          "running projects: " + persistent + " of " + maxProjects + " allowed are running");
    }
    Resources u = used.requests();
    Resources need = r.requests();
    if (exceeds(u.cpuMillis(), need.cpuMillis(), cap.cpuMillis())) {
      return new Bottleneck(
          BottleneckResource.Cpu,
          s,
          "cpu: needs "
              + cpu(need.cpuMillis())
              + ", "
              + cpu(free(cap.cpuMillis(), u.cpuMillis()))
              + " of "
              + cpu(cap.cpuMillis())
              + " free");
    }
    if (exceeds(u.memoryBytes(), need.memoryBytes(), cap.memoryBytes())) {
      return new Bottleneck(
          BottleneckResource.Memory,
          s,
          "memory: needs "
              + mem(need.memoryBytes())
              + ", "
              + mem(free(cap.memoryBytes(), u.memoryBytes()))
              + " of "
              + mem(cap.memoryBytes())
              + " free");
    }
    if (exceeds(u.gpu(), need.gpu(), cap.gpu())) {
      return new Bottleneck(
          BottleneckResource.Gpu,
          s,
          "gpu: needs "
              + need.gpu()
              + ", "
              + free(cap.gpu(), u.gpu())
              + " of "
              + cap.gpu()
              + " free");
    }
    return null;
  }

  /**
   * Summed capacity is not enough: the pod needs one node that can hold it. Null when one can (or
   * the members are not known).
   */
  private static Bottleneck noNodeBigEnough(
      AdmissionRequest r, String g, Scope s, List<Resources> nodes) {
    if (nodes == null || nodes.isEmpty() || nodes.stream().anyMatch(r.requests()::fitsIn)) {
      return null;
    }
    Resources largest = nodes.stream().reduce(Resources.ZERO, Resources::max);
    return new Bottleneck(
        BottleneckResource.NodeGroup,
        s,
        "node group "
            + g
            + ": no node can hold "
            + r.requests()
            + " (its nodes have at most "
            + largest
            + " each)");
  }

  private static Bottleneck group(
      AdmissionRequest r, String g, Scope s, Resources cap, Resources used) {
    Resources need = r.requests();
    if (cap.equals(Resources.ZERO)) {
      return new Bottleneck(BottleneckResource.NodeGroup, s, "node group " + g + " has no nodes");
    }
    String why = null;
    if (exceeds(used.cpuMillis(), need.cpuMillis(), cap.cpuMillis())) {
      why =
          "cpu needs "
              + cpu(need.cpuMillis())
              + ", "
              + cpu(free(cap.cpuMillis(), used.cpuMillis()))
              + " of "
              + cpu(cap.cpuMillis())
              + " free";
    } else if (exceeds(used.memoryBytes(), need.memoryBytes(), cap.memoryBytes())) {
      why =
          "memory needs "
              + mem(need.memoryBytes())
              + ", "
              + mem(free(cap.memoryBytes(), used.memoryBytes()))
              + " of "
              + mem(cap.memoryBytes())
              + " free";
    } else if (exceeds(used.gpu(), need.gpu(), cap.gpu())) {
      why =
          "gpu needs "
              + need.gpu()
              + ", "
              + free(cap.gpu(), used.gpu())
              + " of "
              + cap.gpu()
              + " free";
    }
    return why == null
        ? null
        : new Bottleneck(BottleneckResource.NodeGroup, s, "node group " + g + ": " + why);
  }

  /**
   * The first namespace ResourceQuota entry the request would exceed. The API server's own count
   * ({@code status.used}) includes pods that are not ours; the ledger's count includes our pods the
   * quota controller has not counted yet: the larger of the two is what is used.
   */
  private static Bottleneck namespace(
      AdmissionRequest r,
      List<NamespaceQuota> quotas,
      Usage.Totals ours,
      Scope s,
      boolean countUsed) {
    for (NamespaceQuota q : quotas) {
      for (Map.Entry<String, Long> hard : q.hard().entrySet()) {
        String key = hard.getKey();
        long need;
        long ledgerUsed;
        if (key.equals("requests.cpu") || key.equals("cpu")) {
          need = r.requests().cpuMillis();
          ledgerUsed = ours.requests().cpuMillis();
        } else if (key.equals("requests.memory") || key.equals("memory")) {
          need = r.requests().memoryBytes();
          ledgerUsed = ours.requests().memoryBytes();
        } else if (key.equals("limits.cpu")) {
          need = r.limits().cpuMillis();
          ledgerUsed = ours.limits().cpuMillis();
        } else if (key.equals("limits.memory")) {
          need = r.limits().memoryBytes();
          ledgerUsed = ours.limits().memoryBytes();
        } else if (r.gpuResource() != null
            && (key.equals("requests." + r.gpuResource())
                || key.equals("limits." + r.gpuResource()))) {
          need = r.requests().gpu();
          ledgerUsed = ours.requests().gpu();
        } else if (key.equals("count/pods") || key.equals("pods")) {
          need = 1;
          ledgerUsed = ours.projects();
        } else {
          continue;
        }
        long used = countUsed ? Math.max(q.used().getOrDefault(key, 0L), ledgerUsed) : 0;
        if (need > 0 && exceeds(used, need, hard.getValue())) {
          return new Bottleneck(
              BottleneckResource.NamespaceQuota,
              s,
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
                  + " free");
        }
      }
    }
    return null;
  }

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
