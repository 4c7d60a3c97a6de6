package dev.quotient.controller;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.status.Reason;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Project reconcile that threw (the API server down, a conflict that kept coming back): the user
 * sees Ready=False with reason ReconcileError and what went wrong, and an Event; JOSDK retries with
 * backoff, and once its retries are exhausted the next event on the project retries.
 */
final class ReconcileErrorStatus {
  private static final Logger log = LoggerFactory.getLogger(ReconcileErrorStatus.class);
  private final EventRecorder events;
  private final Clock clock;

  ReconcileErrorStatus(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  ErrorStatusUpdateControl<Project> record(
      Project project, Context<Project> context, Exception thrown) {
    Exception e = unwrapped(thrown);
    if (e instanceof KubernetesClientException gone
        && gone.getCode() == 404
        && context
                .getClient()
                .resources(Project.class)
                .inNamespace(project.getMetadata().getNamespace())
                .withName(project.getMetadata().getName())
                .get()
            == null) {
      // The project was deleted while we reconciled it (its status write found nothing).
      log.debug("project {} was deleted during its reconcile", ProjectObserver.key(project));
      return ErrorStatusUpdateControl.<Project>noStatusUpdate().withNoRetry();
    }
    int attempt = context.getRetryInfo().map(RetryInfo::getAttemptCount).orElse(1);
    boolean last = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
    String cause =
        e instanceof KubernetesClientException ke
                && ke.getStatus() != null
                && ke.getStatus().getMessage() != null
            ? "API server answered " + ke.getCode() + ": " + ke.getStatus().getMessage()
            : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    String msg =
        "The operator could not reconcile this project ("
            + cause
            + "); "
            + (last
                ? "gave up after "
                    + attempt
                    + " attempt(s): the next change to the project or its pod retries"
                : "retrying (attempt " + attempt + ")");
    log.warn("project {}: {}", ProjectObserver.key(project), msg, e);
    events.warning(project, Reason.ReconcileError, msg);
    ProjectStatus prev = project.getStatus();
    ProjectPhase phase =
        prev == null || prev.getPhase() == null ? ProjectPhase.Starting : prev.getPhase();
    ProjectStatus next =
        new ProjectStatusBuilder(prev, project.getMetadata().getGeneration(), clock.instant())
            .phase(phase, Reason.ReconcileError, msg)
            .build();
    try {
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
          project,
          context,
          p -> {
            p.setStatus(next);
            return p;
          });
    } catch (RuntimeException writeFailed) {
      log.warn(
          "project {}: could not write the error status either: {}",
          ProjectObserver.key(project),
          writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /**
   * What the reconciler threw: JOSDK's Micrometer metrics time the reconcile and hand its failure
   * on wrapped in an OperatorException.
   */
  static Exception unwrapped(Exception e) {
    Exception out = e;
    while (out instanceof io.javaoperatorsdk.operator.OperatorException
        && out.getCause() instanceof Exception cause) {
      out = cause;
    }
    return out;
  }
}
