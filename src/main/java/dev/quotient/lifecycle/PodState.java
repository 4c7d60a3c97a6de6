package dev.quotient.lifecycle;

import dev.quotient.status.ContainerExit;
import dev.quotient.status.PodObservation;
import dev.quotient.status.StartRecord;
import java.time.Instant;

/**
 * A project's pod as the operator sees it, reduced to what the lifecycle decides on.
 *
 * @param ownedByProject whether it belongs to this Project (not to an earlier one of the same name)
 * @param seen what its status means for the Project
 * @param runStarted when it started running (null while it has not)
 * @param deletionDeadline its deletionTimestamp: the time by which it should be gone (null: not
 *     being deleted)
 * @param startRecord what it was started with (null when the annotation is missing or unreadable)
 * @param licensesAtStart the project's spec.licenses when it was created (null when unknown)
 * @param endReason status.reason of a pod that ended ("NodeLost", "Evicted", ...)
 * @param exit how its project container terminated (null while it has not): an ephemeral run's
 *     result
 */
public record PodState(
    String name,
    boolean ownedByProject,
    PodObservation seen,
    Instant created,
    Instant runStarted,
    Instant deletionDeadline,
    StartRecord startRecord,
    String licensesAtStart,
    String endReason,
    ContainerExit exit) {

  /** A pod whose container has not terminated. */
  public PodState(
      String name,
      boolean ownedByProject,
      PodObservation seen,
      Instant created,
      Instant runStarted,
      Instant deletionDeadline,
      StartRecord startRecord,
      String licensesAtStart,
      String endReason) {
    this(
        name,
        ownedByProject,
        seen,
        created,
        runStarted,
        deletionDeadline,
        startRecord,
        licensesAtStart,
        endReason,
        null);
  }

  public boolean terminating() {
    return deletionDeadline != null;
  }
}
