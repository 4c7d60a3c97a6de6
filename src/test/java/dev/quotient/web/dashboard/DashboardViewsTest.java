package dev.quotient.web.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.web.dashboard.DashboardViews.Bar;
import dev.quotient.web.dashboard.DashboardViews.RunningProject;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardViewsTest {
  private final FakeSource source = new FakeSource();
  private final DashboardViews views = new DashboardViews(source);

  @Test
  void overviewShowsTheClusterNodeGroupAndNamespaceQuotasAsUsedOfLimit() {
    DashboardViews.Overview o = views.overview();
    assertThat(o.cluster())
        .extracting(Bar::resource, Bar::usedText, Bar::limitText)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("cpu", "700m", "16"),
            org.assertj.core.groups.Tuple.tuple("memory", "4097Mi", "64Gi"),
            org.assertj.core.groups.Tuple.tuple("gpu", "1", "2"),
            org.assertj.core.groups.Tuple.tuple("running projects", "4", "20"));
    assertThat(o.nodeGroups()).extracting(DashboardViews.ScopeBars::name).containsExactly("gpu");
    assertThat(o.nodeGroups().get(0).bars().get(2).used()).isEqualTo(1);
    // The ledger's 820Mi count, not the quota controller's stale 500Mi.
    assertThat(o.namespaces()).hasSize(1);
    assertThat(o.namespaces().get(0).name()).isEqualTo("course/compute");
    assertThat(o.namespaces().get(0).bars())
        .extracting(Bar::resource, Bar::usedText, Bar::limitText)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("requests.memory", "820Mi", "1Gi"));
    assertThat(o.running()).isEqualTo(4);
    assertThat(o.waiting()).isEqualTo(1);
    assertThat(o.rejectionsLastHour()).as("the NeverFits of three hours ago is older").isEqualTo(1);
    assertThat(o.rejectionsByResource()).containsEntry("namespace-quota", 1L);
  }

  @Test
  void anUncappedLimitHasNoLimit() {
    source.limits = dev.quotient.admission.AdmissionLimits.NONE;
    Bar cpu = views.overview().cluster().get(0);
    assertThat(cpu.limit()).isNull();
    assertThat(cpu.limitText()).isEqualTo("unlimited");
  }

  @Test
  void runningProjectsJoinTheLeasesWithTheProjectsStatus() {
    DashboardViews.Page<RunningProject> page = views.running("project", false, 1, 50);
    assertThat(page.total()).isEqualTo(4);
    assertThat(page.items())
        .extracting(r -> r.namespace() + "/" + r.name())
        .containsExactly(
            "course/student-1", "course/student-2", "research/gpu-training", "research/plain");
    RunningProject gpu = page.items().get(2);
    assertThat(gpu.node()).isEqualTo("gpu-1");
    assertThat(gpu.nodeGroup()).isEqualTo("gpu");
    assertThat(gpu.gpu()).isEqualTo(1);
    assertThat(gpu.cpuLimit()).isEqualTo("4");
    assertThat(gpu.cpuRequest()).isEqualTo("400m");
    assertThat(gpu.memoryRequest()).isEqualTo("3Gi");
    assertThat(gpu.memoryLimit()).as("from the lease when the status has none").isEqualTo("15Gi");
    assertThat(gpu.image()).isEqualTo(source.settings().pod().defaultImage());
    assertThat(page.items().get(0).licenses()).containsExactly("course-2026");
  }

  @Test
  void runningProjectsSortByNumbersAndTimesAndPage() {
    assertThat(views.running("memory", true, 1, 50).items())
        .extracting(RunningProject::name)
        .containsExactly("gpu-training", "student-1", "student-2", "plain");
    assertThat(views.running("started", false, 1, 50).items())
        .extracting(RunningProject::name)
        .containsExactly("student-1", "student-2", "plain", "gpu-training");
    DashboardViews.Page<RunningProject> second = views.running("started", false, 2, 3);
    assertThat(second.pages()).isEqualTo(2);
    assertThat(second.page()).isEqualTo(2);
    assertThat(second.items()).extracting(RunningProject::name).containsExactly("gpu-training");
    assertThat(views.running("started", false, 9, 3).page()).as("clamped").isEqualTo(2);
    assertThat(views.running("no-such-key", false, 1, 50).sort()).isEqualTo("project");
  }

  @Test
  void waitingListsEachScopesQueueInWakeUpOrderWithItsBottleneck() {
    DashboardViews.Waiting w = views.waiting();
    assertThat(w.total()).isEqualTo(1);
    assertThat(w.queues()).hasSize(1);
    DashboardViews.Queue q = w.queues().get(0);
    assertThat(q.scope()).isEqualTo("the namespace quota of course");
    assertThat(q.projects())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(1);
              assertThat(e.name()).isEqualTo("student-3");
              assertThat(e.resource()).isEqualTo("namespace-quota");
              assertThat(e.message())
                  .isEqualTo(
                      "namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi"
                          + " free");
            });
    assertThat(w.neverFits()).isEmpty();
  }

  @Test
  void rejectionsNewestFirstWithTheirResource() {
    DashboardViews.Rejections r = views.rejections();
    assertThat(r.items())
        .extracting(DashboardViews.RejectionRow::project, DashboardViews.RejectionRow::resource)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("student-3", "namespace-quota"),
            org.assertj.core.groups.Tuple.tuple("huge", "cpu"));
    assertThat(r.oldest()).isEqualTo(FakeSource.NOW.minusSeconds(3 * 3600).toString());
  }

  @Test
  void licensesAndNodeGroups() {
    assertThat(views.licenses())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.phase()).isEqualTo("Active");
              assertThat(l.running()).isEqualTo(2);
              assertThat(l.runLimit()).isEqualTo(30);
              assertThat(l.expires()).isEqualTo("2027-01-31T00:00:00Z");
              assertThat(l.holders()).containsExactly("course/student-1", "course/student-2");
            });
    assertThat(views.nodeGroups())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.nodes()).containsExactly("gpu-1");
              assertThat(g.runningProjects()).isEqualTo(1);
              assertThat(g.bars())
                  .extracting(Bar::usedText, Bar::limitText)
                  .containsExactly(
                      org.assertj.core.groups.Tuple.tuple("400m", "8"),
                      org.assertj.core.groups.Tuple.tuple("3Gi", "32Gi"),
                      org.assertj.core.groups.Tuple.tuple("1", "2"));
            });
  }

  @Test
  void theBottleneckResourceIsReadFromTheMessage() {
    assertThat(
            List.of(
                "memory: needs 8Gi, 2Gi of 64Gi free",
                "running projects: 3 of 3 allowed are running",
                "node group physics: cpu needs 8",
                "queued behind course/student-2 in the namespace quota of course, which fits now",
                "never fits node group gpu, even with nothing else running (gpu: needs 4)",
                "something else"))
        .map(Rejection::resourceOf)
        .containsExactly("memory", "running-projects", "node-group", "queue", "gpu", "unknown");
  }
}
