package dev.quotient.web.dashboard;

import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.Lease;
import dev.quotient.admission.LedgerSnapshot;
import dev.quotient.admission.NamespaceQuota;
import dev.quotient.admission.ProjectKey;
import dev.quotient.admission.Scope;
import dev.quotient.admission.WaitingProject;
import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectStatus;
import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import dev.quotient.quota.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The dashboard's views, one record tree per JSON endpoint, computed from one {@link
 * DashboardSource} read: one ledger snapshot per view, so the figures of a view agree.
 */
public final class DashboardViews {
  /** How far back the overview counts rejections. */
  static final Duration RECENT = Duration.ofHours(1);

  private final DashboardSource source;

  public DashboardViews(DashboardSource source) {
    this.source = source;
  }

  /**
   * Used against limit of one resource; {@code limit} null when nothing caps it.
   *
   * @param usedText and limitText: the amounts as Kubernetes quantities, for people
   */
  public record Bar(String resource, long used, Long limit, String usedText, String limitText) {}

  /** The bars of one scope: a node group or one ResourceQuota of a namespace. */
  public record ScopeBars(String name, List<Bar> bars) {}

  public record Overview(
      String now,
      boolean clusterQuotaEnabled,
      List<Bar> cluster,
      List<ScopeBars> nodeGroups,
      List<ScopeBars> namespaces,
      int running,
      int waiting,
      long rejectionsLastHour,
      Map<String, Long> rejectionsByResource) {}

  public record RunningProject(
      String namespace,
      String name,
      String phase,
      String image,
      String cpuLimit,
      String cpuRequest,
      String memoryLimit,
      String memoryRequest,
      long gpu,
      String node,
      String nodeGroup,
      String startedAt,
      String lastActivity,
      List<String> licenses) {}

  /** One page of the running projects, sorted by {@code sort}. */
  public record Page<T>(
      int total, int page, int size, int pages, String sort, String order, List<T> items) {}

  public record WaitingEntry(
      int position,
      String namespace,
      String name,
      String since,
      String resource,
      String message,
      String queuedIn) {}

  /** One scope's queue in wake-up order; {@code neverFits} lists those that cannot fit it. */
  public record Queue(String scope, String key, List<WaitingEntry> projects) {}

  public record Waiting(int total, List<Queue> queues, List<WaitingEntry> neverFits) {}

  public record Rejections(int total, String oldest, List<RejectionRow> items) {}

  /** A rejection with its time as RFC 3339, like every time of the API. */
  public record RejectionRow(
      String time,
      String namespace,
      String project,
      String reason,
      String resource,
      String message) {}

  public record LicenseRow(
      String name,
      String phase,
      int running,
      Integer runLimit,
      String activates,
      String expires,
      List<String> holders) {}

  public record NodeGroupRow(
      String name, int nodeCount, List<String> nodes, int runningProjects, List<Bar> bars) {}

  /** The sort keys of the running projects' table. */
  static final Map<String, Comparator<RunningRow>> SORTS = sorts();

  /** A running project with the numbers it sorts by. */
  record RunningRow(RunningProject view, Lease lease, Instant started, Instant activity) {}

  public Overview overview() {
    LedgerSnapshot snapshot = source.snapshot();
    AdmissionLimits limits = source.limits();
    Instant now = source.now();
    Resources used = snapshot.total();
    long runs = snapshot.leases().stream().filter(Lease::ephemeral).count();
    List<Bar> cluster = new ArrayList<>();
    cluster.add(cpuBar("cpu", used.cpuMillis(), limits.cluster().cpuMillis()));
    cluster.add(memoryBar("memory", used.memoryBytes(), limits.cluster().memoryBytes()));
    cluster.add(countBar("gpu", used.gpu(), limits.cluster().gpu()));
    // Workspaces and ephemeral runs have slots of their own (runningProjects, ephemeralProjects).
    cluster.add(countBar("running projects", snapshot.size() - runs, limits.maxRunningProjects()));
    if (runs > 0 || limits.maxEphemeralProjects() != Long.MAX_VALUE) {
      cluster.add(countBar("ephemeral runs", runs, limits.maxEphemeralProjects()));
    }
    List<ScopeBars> groups =
        new TreeSet<>(limits.nodeGroupCapacity().keySet())
            .stream().map(g -> new ScopeBars(g, groupBars(snapshot, limits, g))).toList();
    List<ScopeBars> namespaces = new ArrayList<>();
    new TreeMap<>(limits.namespaceQuotas())
        .forEach(
            (ns, quotas) ->
                quotas.stream()
                    .sorted(Comparator.comparing(NamespaceQuota::name))
                    .forEach(
                        q ->
                            namespaces.add(
                                new ScopeBars(
                                    ns + "/" + q.name(), namespaceBars(snapshot, q, ns)))));
    Instant since = now.minus(RECENT);
    long recent = source.rejections().stream().filter(r -> r.time().isAfter(since)).count();
    Map<String, Long> byResource = new TreeMap<>();
    snapshot.rejections().forEach((k, v) -> byResource.put(k.label(), v));
    return new Overview(
        now.toString(),
        source.settings().clusterQuota().enabled(),
        cluster,
        groups,
        namespaces,
        snapshot.size(),
        snapshot.waiting().size(),
        recent,
        byResource);
  }

  /**
   * @param sort a key of {@link #SORTS} (unknown: by project)
   * @param page 1-based; clamped to the pages there are
   */
  public Page<RunningProject> running(String sort, boolean descending, int page, int size) {
    LedgerSnapshot snapshot = source.snapshot();
    Map<ProjectKey, Project> projects = projectsByKey();
    String defaultImage = source.settings().pod().defaultImage();
    List<RunningRow> rows = new ArrayList<>();
    for (Lease lease : snapshot.leases()) {
      Project p = projects.get(lease.project());
      ProjectStatus st = p == null ? null : p.getStatus();
      EffectiveQuotaStatus q = st == null ? null : st.getEffectiveQuota();
      String image =
          p != null && p.getSpec() != null && p.getSpec().getImage() != null
              ? p.getSpec().getImage()
              : defaultImage;
      RunningProject view =
          new RunningProject(
              lease.project().namespace(),
              lease.project().name(),
              st == null || st.getPhase() == null ? "Starting" : st.getPhase().name(),
              image,
              q != null && q.getCpuLimit() != null
                  ? q.getCpuLimit()
                  : Quantities.formatCpu(lease.limits().cpuMillis()),
              Quantities.formatCpu(lease.requests().cpuMillis()),
              q != null && q.getMemoryLimit() != null
                  ? q.getMemoryLimit()
                  : Quantities.formatBytes(lease.limits().memoryBytes()),
              Quantities.formatBytes(lease.requests().memoryBytes()),
              lease.requests().gpu(),
              st == null ? null : st.getNodeName(),
              lease.nodeGroup(),
              st == null ? null : st.getStartedAt(),
              st == null ? null : st.getLastActivity(),
              lease.licenses());
      rows.add(
          new RunningRow(
              view,
              lease,
              instant(st == null ? null : st.getStartedAt()),
              instant(st == null ? null : st.getLastActivity())));
    }
    String key = SORTS.containsKey(sort) ? sort : "project";
    Comparator<RunningRow> order = SORTS.get(key);
    if (descending) {
      order = order.reversed();
    }
    rows.sort(order.thenComparing(r -> r.lease().project()));
    int pageSize = Math.max(1, Math.min(size, 500));
    int pages = Math.max(1, (rows.size() + pageSize - 1) / pageSize);
    int current = Math.max(1, Math.min(page, pages));
    List<RunningProject> items =
        rows
            .subList(
                Math.min(rows.size(), (current - 1) * pageSize),
                Math.min(rows.size(), current * pageSize))
            .stream()
            .map(RunningRow::view)
            .toList();
    return new Page<>(
        rows.size(), current, pageSize, pages, key, descending ? "desc" : "asc", items);
  }

  public Waiting waiting() {
    LedgerSnapshot snapshot = source.snapshot();
    TreeSet<Scope> scopes = new TreeSet<>();
    List<WaitingEntry> neverFits = new ArrayList<>();
    for (WaitingProject w : snapshot.waiting()) {
      scopes.addAll(w.queuedIn());
      if (w.neverFits() || w.queuedIn().isEmpty()) {
        neverFits.add(entry(0, w));
      }
    }
    List<Queue> queues = new ArrayList<>();
    for (Scope scope : scopes) {
      List<WaitingEntry> entries = new ArrayList<>();
      for (WaitingProject w : snapshot.queue(scope)) {
        entries.add(entry(entries.size() + 1, w));
      }
      queues.add(new Queue(scope.describe(), scope.key(), entries));
    }
    return new Waiting(snapshot.waiting().size(), queues, neverFits);
  }

  public Rejections rejections() {
    List<Rejection> all = new ArrayList<>(source.rejections());
    all.sort(Comparator.comparing(Rejection::time).reversed());
    return new Rejections(
        all.size(),
        all.isEmpty() ? null : all.get(all.size() - 1).time().toString(),
        all.stream()
            .map(
                r ->
                    new RejectionRow(
                        r.time().toString(),
                        r.namespace(),
                        r.project(),
                        r.reason(),
                        r.resource(),
                        r.message()))
            .toList());
  }

  public List<LicenseRow> licenses() {
    LedgerSnapshot snapshot = source.snapshot();
    Map<String, Integer> use = snapshot.licenseUse();
    return source.licenses().stream()
        .sorted(Comparator.comparing(l -> l.getMetadata().getName()))
        .map(
            l -> {
              String name = l.getMetadata().getName();
              return new LicenseRow(
                  name,
                  l.getStatus() == null || l.getStatus().getPhase() == null
                      ? null
                      : l.getStatus().getPhase().name(),
                  use.getOrDefault(name, 0),
                  l.getSpec() == null ? null : l.getSpec().getRunLimit(),
                  l.getSpec() == null ? null : l.getSpec().getActivates(),
                  l.getSpec() == null ? null : l.getSpec().getExpires(),
                  snapshot.holdersOf(name).stream().map(ProjectKey::toString).toList());
            })
        .toList();
  }

  public List<NodeGroupRow> nodeGroups() {
    LedgerSnapshot snapshot = source.snapshot();
    AdmissionLimits limits = source.limits();
    return source.nodeGroups().stream()
        .sorted(Comparator.comparing(g -> g.getMetadata().getName()))
        .map(
            g -> {
              String name = g.getMetadata().getName();
              List<String> nodes =
                  g.getStatus() == null || g.getStatus().getNodes() == null
                      ? List.of()
                      : g.getStatus().getNodes();
              return new NodeGroupRow(
                  name,
                  nodes.size(),
                  nodes,
                  snapshot.projectsOnNodeGroup(name),
                  groupBars(snapshot, limits, name));
            })
        .toList();
  }

  private Map<ProjectKey, Project> projectsByKey() {
    Map<ProjectKey, Project> out = new HashMap<>();
    for (Project p : source.projects()) {
      out.put(new ProjectKey(p.getMetadata().getNamespace(), p.getMetadata().getName()), p);
    }
    return out;
  }

  private static WaitingEntry entry(int position, WaitingProject w) {
    return new WaitingEntry(
        position,
        w.project().namespace(),
        w.project().name(),
        w.since().toString(),
        w.bottleneck() == null ? null : w.bottleneck().resource().label(),
        w.bottleneck() == null ? null : w.bottleneck().message(),
        w.bottleneck() == null ? null : w.bottleneck().scope().describe());
  }

  private static List<Bar> groupBars(LedgerSnapshot snapshot, AdmissionLimits limits, String g) {
    Resources cap = limits.nodeGroupCapacity().getOrDefault(g, Resources.ZERO);
    Resources used = snapshot.totalOnNodeGroup(g);
    return List.of(
        cpuBar("cpu", used.cpuMillis(), cap.cpuMillis()),
        memoryBar("memory", used.memoryBytes(), cap.memoryBytes()),
        countBar("gpu", used.gpu(), cap.gpu()));
  }

  /**
   * One bar per hard limit of a ResourceQuota, used as admission counts it: the larger of the
   * quota's {@code status.used} and what the ledger's leases in that namespace hold.
   */
  private static List<Bar> namespaceBars(LedgerSnapshot snapshot, NamespaceQuota q, String ns) {
    List<Lease> ours =
        snapshot.leases().stream().filter(l -> l.project().namespace().equals(ns)).toList();
    Function<Function<Lease, Long>, Long> sum = f -> ours.stream().mapToLong(f::apply).sum();
    List<Bar> bars = new ArrayList<>();
    q.hard()
        .forEach(
            (key, hard) -> {
              long ledger;
              if (key.equals("requests.cpu") || key.equals("cpu")) {
                ledger = sum.apply(l -> l.requests().cpuMillis());
              } else if (key.equals("requests.memory") || key.equals("memory")) {
                ledger = sum.apply(l -> l.requests().memoryBytes());
              } else if (key.equals("limits.cpu")) {
                ledger = sum.apply(l -> l.limits().cpuMillis());
              } else if (key.equals("limits.memory")) {
                ledger = sum.apply(l -> l.limits().memoryBytes());
              } else if (key.equals("count/pods") || key.equals("pods")) {
                ledger = ours.size();
              } else if (key.startsWith("requests.") || key.startsWith("limits.")) {
                // an extended resource: the GPUs
                ledger = sum.apply(l -> l.requests().gpu());
              } else {
                ledger = 0;
              }
              long used = Math.max(q.used().getOrDefault(key, 0L), ledger);
              if (key.endsWith("cpu")) {
                bars.add(cpuBar(key, used, hard));
              } else if (key.endsWith("memory")) {
                bars.add(memoryBar(key, used, hard));
              } else {
                bars.add(countBar(key, used, hard));
              }
            });
    return bars;
  }

  private static Bar cpuBar(String name, long used, long limit) {
    Long cap = limit == Long.MAX_VALUE ? null : limit;
    return new Bar(
        name,
        used,
        cap,
        Quantities.formatCpu(used),
        cap == null ? "unlimited" : Quantities.formatCpu(cap));
  }

  private static Bar memoryBar(String name, long used, long limit) {
    Long cap = limit == Long.MAX_VALUE ? null : limit;
    return new Bar(
        name,
        used,
        cap,
        Quantities.formatBytes(used),
        cap == null ? "unlimited" : Quantities.formatBytes(cap));
  }

  private static Bar countBar(String name, long used, long limit) {
    Long cap = limit == Long.MAX_VALUE ? null : limit;
    return new Bar(
        name, used, cap, Long.toString(used), cap == null ? "unlimited" : Long.toString(cap));
  }

  private static Instant instant(String text) {
    return text == null ? null : Timestamps.parseOrNull(text);
  }

  private static Map<String, Comparator<RunningRow>> sorts() {
    Map<String, Comparator<RunningRow>> m = new java.util.LinkedHashMap<>();
    m.put("project", Comparator.comparing(r -> r.lease().project()));
    m.put("namespace", Comparator.comparing(r -> r.lease().project().namespace()));
    m.put("image", Comparator.comparing(r -> r.view().image()));
    m.put("cpu", Comparator.comparingLong(r -> r.lease().limits().cpuMillis()));
    m.put("cpuRequest", Comparator.comparingLong(r -> r.lease().requests().cpuMillis()));
    m.put("memory", Comparator.comparingLong(r -> r.lease().limits().memoryBytes()));
    m.put("memoryRequest", Comparator.comparingLong(r -> r.lease().requests().memoryBytes()));
    m.put("gpu", Comparator.comparingLong(r -> r.lease().requests().gpu()));
    m.put(
        "node",
        Comparator.comparing(
            r -> r.view().node(), Comparator.nullsLast(Comparator.naturalOrder())));
    m.put(
        "nodeGroup",
        Comparator.comparing(
            r -> r.view().nodeGroup(), Comparator.nullsLast(Comparator.naturalOrder())));
    m.put(
        "started",
        Comparator.comparing(RunningRow::started, Comparator.nullsLast(Comparator.naturalOrder())));
    m.put(
        "lastActivity",
        Comparator.comparing(
            RunningRow::activity, Comparator.nullsLast(Comparator.naturalOrder())));
    return java.util.Collections.unmodifiableMap(m);
  }
}
