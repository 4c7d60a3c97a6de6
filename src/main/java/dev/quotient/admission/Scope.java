package dev.quotient.admission;

/**
 * A limit that can run short, with its own first-come-first-served queue: the cluster quota, one
 * DedicatedNodeGroup, one team share of a group, or the ResourceQuotas of one namespace. A waiting
 * project queues in the scopes it is short in, so a full namespace holds back only that namespace.
 */
public sealed interface Scope extends Comparable<Scope> {
  /** For people: "the cluster quota", "node group gpu", "namespace quota of course". */
  String describe();

  /** Sort key, so reports and tests list scopes in a fixed order. */
  String key();

  @Override
  default int compareTo(Scope o) {
    return key().compareTo(o.key());
  }

  Cluster CLUSTER = new Cluster();

  EphemeralRuns EPHEMERAL_RUNS = new EphemeralRuns();

  /** The cluster-wide quota (settings clusterQuota): every project takes from it. */
  record Cluster() implements Scope {
    @Override
    public String describe() {
      return "the cluster quota";
    }

    @Override
    public String key() {
      return "0-cluster";
    }
  }

  /**
   * The cluster quota's slots for ephemeral runs (clusterQuota.ephemeralProjects): a scope of its
   * own, so a run waiting for a slot holds back only other runs, never a workspace.
   */
  record EphemeralRuns() implements Scope {
    @Override
    public String describe() {
      return "the ephemeral run slots of the cluster quota";
    }

    @Override
    public String key() {
      return "0-cluster-ephemeral";
    }
  }

  /** One DedicatedNodeGroup's capacity. */
  record NodeGroup(String name) implements Scope {
    @Override
    public String describe() {
      return "node group " + name;
    }

    @Override
    public String key() {
      return "1-group/" + name;
    }
  }

  /** The ResourceQuota objects of one namespace. */
  record Namespace(String name) implements Scope {
    @Override
    public String describe() {
      return "the namespace quota of " + name;
    }

    @Override
    public String key() {
      return "2-namespace/" + name;
    }
  }

  /** One team's guaranteed share of a DedicatedNodeGroup (team null: its unassigned part). */
  record Team(String group, String team) implements Scope {
    @Override
    public String describe() {
      return team == null
          ? "the unassigned part of node group " + group
          : "team share " + team + " of node group " + group;
    }

    @Override
    public String key() {
      return "1-group/" + group + "/team/" + (team == null ? "" : team);
    }
  }
}
