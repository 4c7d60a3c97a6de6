package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.status.Reason;
import dev.quotient.web.dashboard.Rejection;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RejectionHistoryTest {
  private static Event event(String apiVersion, String kind, String reason) {
    return new EventBuilder()
        .withNewMetadata()
        .withName("student-3.abc")
        .withNamespace("course")
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withNamespace("course")
        .withName("student-3")
        .endInvolvedObject()
        .withType("Warning")
        .withReason(reason)
        .withMessage(
            "namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free")
        .withLastTimestamp("2026-12-01T09:00:00Z")
        .build();
  }

  @Test
  void aProjectsRefusedStartIsARejection() {
    Rejection r =
        RejectionHistory.rejection(event("quotient.dev/v1alpha1", "Project", "QuotaRejected"));
    assertThat(r)
        .isEqualTo(
            new Rejection(
                Instant.parse("2026-12-01T09:00:00Z"),
                "course",
                "student-3",
                "QuotaRejected",
                "namespace-quota",
                "namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free"));
  }

  @Test
  void otherEventsAreNot() {
    assertThat(RejectionHistory.rejection(event("quotient.dev/v1alpha1", "Project", "PodCreated")))
        .isNull();
    assertThat(
            RejectionHistory.rejection(
                event("project.openshift.io/v1", "Project", "QuotaRejected")))
        .as("another group's Project")
        .isNull();
  }

  @Test
  void onlyRejectionEventsAreLabelled() {
    assertThat(RejectionHistory.labels(Reason.QuotaRejected))
        .containsEntry(RejectionHistory.LABEL, RejectionHistory.REJECTED);
    assertThat(RejectionHistory.labels(Reason.NeverFits)).isNotNull();
    assertThat(RejectionHistory.labels(Reason.PodCreated)).isNull();
  }
}
