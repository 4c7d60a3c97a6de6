package dev.quotient.web.dashboard;

import dev.quotient.admission.AdmissionLimits;
import dev.quotient.admission.AdmissionRequest;
import dev.quotient.admission.Lease;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.LedgerSnapshot;
import dev.quotient.admission.NamespaceQuota;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupStatus;
import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.License;
import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseSpec;
import dev.quotient.api.LicenseStatus;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectSpec;
import dev.quotient.api.ProjectStatus;
import dev.quotient.quota.Resources;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small cluster for the dashboard's tests, through a real ledger: two running projects in
 * research (one on the gpu group), one in course, and course's quota full with student-3 waiting.
 */
final class FakeSource implements DashboardSource {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final long GI = 1L << 30;
  static final long MI = 1L << 20;

  final LeaseLedger ledger = new LeaseLedger();
  final List<Project> projects = new ArrayList<>();
  final List<Rejection> rejections = new ArrayList<>();

  /** What admission checked; a test may swap it for what the dashboard shows. */
  AdmissionLimits limits =
      new AdmissionLimits(
          new Resources(16_000, 64 * GI, 2),
          20,
          Map.of("gpu", new Resources(8_000, 32 * GI, 2)),
          Map.of(
              "course",
              List.of(
                  new NamespaceQuota(
                      "course",
                      "compute",
                      Map.of("requests.memory", GI),
                      Map.of("requests.memory", 500 * MI)))));

  FakeSource() {
    running("research", "plain", 100, 205 * MI, 0, null, "pool-1", "2026-12-01T09:00:00Z");
    running("research", "gpu-training", 400, 3 * GI, 1, "gpu", "gpu-1", "2026-12-01T09:30:00Z");
    running("course", "student-1", 100, 410 * MI, 0, null, "pool-1", "2026-12-01T08:00:00Z");
    running("course", "student-2", 100, 410 * MI, 0, null, "pool-1", "2026-12-01T08:01:00Z");
    ProjectKey s3 = new ProjectKey("course", "student-3");
    ledger.admit(
        s3,
        slots ->
            new AdmissionRequest(
                s3,
                "project-student-3",
                new Resources(100, 410 * MI, 0),
                new Resources(1000, 2 * GI, 0),
                List.of("course-2026"),
                List.of(),
                null),
        limits,
        NOW.minusSeconds(120),
        Duration.ofMinutes(5));
    rejections.add(
        new Rejection(
            NOW.minusSeconds(120),
            "course",
            "student-3",
            "QuotaRejected",
            "namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free"));
    rejections.add(
        new Rejection(
            NOW.minus(Duration.ofHours(3)),
            "research",
            "huge",
            "NeverFits",
            "never fits the cluster quota, even with nothing else running (cpu: needs 20, 16 of"
                + " 16 free); it is retried when the cluster quota changes"));
  }

  private void running(
      String ns,
      String name,
      long cpuReq,
      long memReq,
      long gpu,
      String group,
      String node,
      String started) {
    ProjectKey key = new ProjectKey(ns, name);
    ledger.reserve(
        new Lease(
            key,
            "project-" + name,
            new Resources(cpuReq, memReq, gpu),
            new Resources(cpuReq * 10, memReq * 5, gpu),
            name.startsWith("student") ? List.of("course-2026") : List.of(),
            group));
    Project p = new Project();
    p.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    p.setSpec(new ProjectSpec());
    ProjectStatus st = new ProjectStatus();
    st.setPhase(ProjectPhase.Running);
    st.setNodeName(node);
    st.setStartedAt(started);
    EffectiveQuotaStatus q = new EffectiveQuotaStatus();
    q.setCpuLimit(Long.toString(cpuReq / 100));
    st.setEffectiveQuota(q);
    p.setStatus(st);
    projects.add(p);
  }

  @Override
  public LedgerSnapshot snapshot() {
    return ledger.snapshot();
  }

  @Override
  public List<Project> projects() {
    return projects;
  }

  @Override
  public List<License> licenses() {
    License l = new License();
    l.setMetadata(new ObjectMetaBuilder().withName("course-2026").build());
    LicenseSpec spec = new LicenseSpec();
    spec.setRunLimit(30);
    spec.setExpires("2027-01-31T00:00:00Z");
    l.setSpec(spec);
    LicenseStatus st = new LicenseStatus();
    st.setPhase(LicensePhase.Active);
    l.setStatus(st);
    return List.of(l);
  }

  @Override
  public List<DedicatedNodeGroup> nodeGroups() {
    DedicatedNodeGroup g = new DedicatedNodeGroup();
    g.setMetadata(new ObjectMetaBuilder().withName("gpu").build());
    DedicatedNodeGroupStatus st = new DedicatedNodeGroupStatus();
    st.setNodes(List.of("gpu-1"));
    g.setStatus(st);
    return List.of(g);
  }

  @Override
  public AdmissionLimits limits() {
    return limits;
  }

  @Override
  public Settings settings() {
    return SettingsParser.parse(Map.of());
  }

  @Override
  public List<Rejection> rejections() {
    return rejections;
  }

  @Override
  public Instant now() {
    return NOW;
  }
}
