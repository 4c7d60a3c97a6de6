package dev.quotient.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.LicenseResult;
import dev.quotient.api.LicenseState;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.pod.PatchRejection;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.LicenseVerdict;
import dev.quotient.quota.Resources;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProjectStatusBuilderTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");

  static EffectiveQuota quota() {
    return new EffectiveQuota(
        new Resources(2000, 4L << 30, 1),
        new Resources(200, 820L << 20, 1),
        0,
        "nvidia.com/gpu",
        java.util.Map.of(),
        List.of(),
        false,
        null,
        Duration.ofMinutes(90),
        Duration.ofHours(8),
        List.of("dgx", "hpc"),
        List.of("a"),
        List.of(),
        null,
        null);
  }

  static Condition condition(ProjectStatus s, String type) {
    return Conditions.find(s.getConditions(), type);
  }

  static LicenseVerdict verdict(String name, LicenseState state) {
    return new LicenseVerdict(name, state, "License '" + name + "' is " + state);
  }

  @ParameterizedTest
  @EnumSource(ProjectPhase.class)
  void readyIsTrueOnlyWhenRunning(ProjectPhase phase) {
    ProjectStatus s =
        new ProjectStatusBuilder(null, 4L, T1).phase(phase, Reason.PodRunning, "msg").build();
    Condition ready = condition(s, ProjectStatusBuilder.READY);
    assertThat(ready.getStatus()).isEqualTo(phase == ProjectPhase.Running ? "True" : "False");
    assertThat(ready.getReason()).isEqualTo("PodRunning");
    assertThat(ready.getMessage()).isEqualTo("msg");
    assertThat(s.getPhase()).isEqualTo(phase);
    assertThat(s.getMessage()).isEqualTo("msg");
    assertThat(s.getObservedGeneration()).isEqualTo(4L);
    assertThat(ready.getObservedGeneration()).isEqualTo(4L);
  }

  @Test
  void readyReasonDefaultsToPodStarting() {
    ProjectStatus s = new ProjectStatusBuilder(null, 1L, T1).build();
    assertThat(condition(s, ProjectStatusBuilder.READY).getReason()).isEqualTo("PodStarting");
  }

  @Test
  void quotaAdmittedOnlyWhenDecided() {
    assertThat(
            condition(
                new ProjectStatusBuilder(null, 1L, T1).build(),
                ProjectStatusBuilder.QUOTA_ADMITTED))
        .isNull();
    ProjectStatus yes =
        new ProjectStatusBuilder(null, 1L, T1).admitted(true, Reason.QuotaAdmitted, "ok").build();
    assertThat(condition(yes, ProjectStatusBuilder.QUOTA_ADMITTED))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly("True", "QuotaAdmitted", "ok");
    ProjectStatus no =
        new ProjectStatusBuilder(null, 1L, T1)
            .admitted(false, Reason.QuotaRejected, "memory: needs 8Gi, 2Gi of 64Gi free")
            .build();
    assertThat(condition(no, ProjectStatusBuilder.QUOTA_ADMITTED))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly("False", "QuotaRejected", "memory: needs 8Gi, 2Gi of 64Gi free");
    ProjectStatus idle = new ProjectStatusBuilder(null, 1L, T1).notRequested().build();
    assertThat(condition(idle, ProjectStatusBuilder.QUOTA_ADMITTED))
        .extracting(Condition::getStatus, Condition::getReason)
        .containsExactly("Unknown", "NotRequested");
  }

  static Stream<Arguments> licensesValid() {
    return Stream.of(
        Arguments.of(
            "no licenses",
            List.of(),
            List.of(),
            null,
            "True",
            "LicensesApplied",
            "No licenses requested; the default quota applies"),
        Arguments.of(
            "all applied",
            List.of(verdict("a", LicenseState.Applied), verdict("b", LicenseState.Applied)),
            List.of(),
            null,
            "True",
            "LicensesApplied",
            "All 2 license(s) applied"),
        Arguments.of(
            "one expired",
            List.of(verdict("a", LicenseState.Applied), verdict("b", LicenseState.Expired)),
            List.of(),
            null,
            "False",
            "LicenseExpired",
            "License 'b' is Expired"),
        Arguments.of(
            "first problem gives the reason",
            List.of(
                verdict("a", LicenseState.RunLimitReached), verdict("b", LicenseState.NotFound)),
            List.of(),
            null,
            "False",
            "LicenseRunLimitReached",
            "License 'a' is RunLimitReached; License 'b' is NotFound"),
        Arguments.of(
            "rejected patch",
            List.of(verdict("a", LicenseState.Applied)),
            List.of(new PatchRejection("a", "container 'project' is privileged")),
            null,
            "False",
            "PodPatchRejected",
            "pod patch of license 'a' was not applied: container 'project' is privileged"),
        Arguments.of(
            "license change pending",
            List.of(verdict("a", LicenseState.Applied)),
            List.of(),
            "spec.licenses changed; takes effect at the next start",
            "False",
            "LicenseChangePending",
            "spec.licenses changed; takes effect at the next start"),
        Arguments.of(
            "verdict before patch before note",
            List.of(verdict("a", LicenseState.Forbidden)),
            List.of(new PatchRejection("b", "x")),
            "note",
            "False",
            "LicenseForbidden",
            "License 'a' is Forbidden; pod patch of license 'b' was not applied: x; note"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void licensesValid(
      String title,
      List<LicenseVerdict> verdicts,
      List<PatchRejection> rejected,
      String note,
      String status,
      String reason,
      String message) {
    ProjectStatus s =
        new ProjectStatusBuilder(null, 1L, T1)
            .licenses(verdicts)
            .rejectedPatches(rejected)
            .licenseNote(note)
            .build();
    assertThat(condition(s, ProjectStatusBuilder.LICENSES_VALID))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly(status, reason, message);
    if (verdicts.isEmpty()) {
      assertThat(s.getLicenses()).isNull();
    } else {
      assertThat(s.getLicenses())
          .extracting(LicenseResult::getName, LicenseResult::getState)
          .containsExactlyElementsOf(
              verdicts.stream()
                  .map(v -> org.assertj.core.groups.Tuple.tuple(v.license(), v.state()))
                  .toList());
    }
  }

  @Test
  void everyLicenseStateHasItsOwnReason() {
    for (LicenseState state : LicenseState.values()) {
      assertThat(Reason.forLicenseState(state).name())
          .isEqualTo(state == LicenseState.Applied ? "LicensesApplied" : "License" + state.name());
    }
  }

  @Test
  void effectiveQuotaIsShownInKubernetesForms() {
    EffectiveQuotaStatus q = ProjectStatusBuilder.toStatus(quota());
    assertThat(q.getCpuLimit()).isEqualTo("2");
    assertThat(q.getCpuRequest()).isEqualTo("200m");
    assertThat(q.getMemoryLimit()).isEqualTo("4Gi");
    assertThat(q.getMemoryRequest()).isEqualTo("820Mi");
    assertThat(q.getEphemeralStorage()).isNull();
    assertThat(q.getGpu()).isEqualTo(1);
    assertThat(q.getGpuResource()).isEqualTo("nvidia.com/gpu");
    assertThat(q.getAlwaysRunning()).isFalse();
    assertThat(q.getIdleTimeout()).isEqualTo("1h30m");
    assertThat(q.getMaxDuration()).isEqualTo("8h");
    assertThat(q.getNodeGroup()).isEqualTo("dgx");

    EffectiveQuota bare =
        new EffectiveQuota(
            new Resources(1500, 1_500_000_000L, 0),
            new Resources(150, 300L << 20, 0),
            10L << 30,
            null,
            java.util.Map.of(),
            List.of(),
            true,
            null,
            null,
            null,
            List.of(),
            List.of(),
            List.of(),
            null,
            null);
    EffectiveQuotaStatus b = ProjectStatusBuilder.toStatus(bare);
    assertThat(b.getCpuLimit()).isEqualTo("1500m");
    assertThat(b.getMemoryLimit()).isEqualTo("1500M");
    assertThat(b.getEphemeralStorage()).isEqualTo("10Gi");
    assertThat(b.getIdleTimeout()).isNull();
    assertThat(b.getMaxDuration()).isNull();
    assertThat(b.getNodeGroup()).isNull();
    assertThat(b.getAlwaysRunning()).isTrue();
  }

  @Test
  void previousStatusIsCarriedOverAndNotModified() {
    ProjectStatus prev =
        new ProjectStatusBuilder(null, 1L, T1)
            .phase(ProjectPhase.Starting, Reason.PodCreated, "m")
            .quota(quota())
            .licenses(List.of(verdict("a", LicenseState.Applied)))
            .pod("project-x", "node-1", "t0")
            .lastActivity("t1")
            .queuePosition(3)
            .build();
    assertThat(prev.getQueuePosition()).isEqualTo(3);
    int conditionsBefore = prev.getConditions().size();
    ProjectStatus next =
        new ProjectStatusBuilder(prev, 2L, T2)
            .phase(ProjectPhase.Running, Reason.PodRunning, "up")
            .build();
    assertThat(next.getPodName()).isEqualTo("project-x");
    assertThat(next.getNodeName()).isEqualTo("node-1");
    assertThat(next.getStartedAt()).isEqualTo("t0");
    assertThat(next.getLastActivity()).isEqualTo("t1");
    assertThat(next.getEffectiveQuota().getCpuLimit()).isEqualTo("2");
    assertThat(next.getLicenses()).hasSize(1);
    assertThat(next.getQueuePosition()).as("queue position is only kept when set again").isNull();
    assertThat(next.getObservedGeneration()).isEqualTo(2L);
    assertThat(prev.getPhase()).isEqualTo(ProjectPhase.Starting);
    assertThat(prev.getObservedGeneration()).isEqualTo(1L);
    assertThat(prev.getConditions()).hasSize(conditionsBefore);
    assertThat(condition(prev, ProjectStatusBuilder.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void transitionTimesSurviveRebuildsWithTheSameStatus() {
    ProjectStatus a =
        new ProjectStatusBuilder(null, 1L, T1)
            .phase(ProjectPhase.Starting, Reason.PodCreated, "m")
            .licenses(List.of())
            .build();
    ProjectStatus b =
        new ProjectStatusBuilder(a, 1L, T2)
            .phase(ProjectPhase.Starting, Reason.PodScheduled, "m2")
            .build();
    assertThat(condition(b, ProjectStatusBuilder.READY).getLastTransitionTime())
        .isEqualTo(T1.toString());
    assertThat(condition(b, ProjectStatusBuilder.LICENSES_VALID).getLastTransitionTime())
        .isEqualTo(T1.toString());
    ProjectStatus c =
        new ProjectStatusBuilder(b, 1L, T2)
            .phase(ProjectPhase.Running, Reason.PodRunning, "up")
            .build();
    assertThat(condition(c, ProjectStatusBuilder.READY).getLastTransitionTime())
        .isEqualTo(T2.toString());
  }

  @Test
  void stoppedAndCleared() {
    ProjectStatus s =
        new ProjectStatusBuilder(null, 1L, T1)
            .stopped(T2, dev.quotient.api.StopReason.IdleTimeout)
            .quota(null)
            .build();
    assertThat(s.getStoppedAt()).isEqualTo(T2.toString());
    assertThat(s.getStopReason()).isEqualTo(dev.quotient.api.StopReason.IdleTimeout);
    assertThat(s.getEffectiveQuota()).isNull();
    ProjectStatus cleared = new ProjectStatusBuilder(s, 1L, T2).stopped(null, null).build();
    assertThat(cleared.getStoppedAt()).isNull();
    assertThat(cleared.getStopReason()).isNull();
  }

  @Test
  void startRecordRestoresQuotaLicensesAndRejections() {
    StartRecord record =
        new StartRecord(
            ProjectStatusBuilder.toStatus(quota()),
            ProjectStatusBuilder.toResults(
                List.of(verdict("a", LicenseState.Applied), verdict("b", LicenseState.Expired))),
            List.of(new PatchRejection("a", "privileged")),
            T1.toString());
    StartRecord roundTrip = StartRecord.fromJson(record.toJson()).orElseThrow();
    assertThat(roundTrip).isEqualTo(record);
    assertThat(StartRecord.fromJson("not json")).isEmpty();
    assertThat(StartRecord.fromJson(" ")).isEmpty();
    assertThat(StartRecord.fromJson(null)).isEmpty();

    ProjectStatus s = new ProjectStatusBuilder(null, 1L, T1).startRecord(roundTrip).build();
    assertThat(s.getEffectiveQuota()).isEqualTo(ProjectStatusBuilder.toStatus(quota()));
    assertThat(s.getLicenses()).extracting(LicenseResult::getName).containsExactly("a", "b");
    Condition valid = condition(s, ProjectStatusBuilder.LICENSES_VALID);
    assertThat(valid.getReason()).isEqualTo("LicenseExpired");
    assertThat(valid.getMessage()).contains("pod patch of license 'a' was not applied: privileged");
  }
}
