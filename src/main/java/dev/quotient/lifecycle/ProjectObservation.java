package dev.quotient.lifecycle;

import dev.quotient.admission.Preemption;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DesiredState;
import dev.quotient.api.ProjectStatus;
import dev.quotient.quota.QuotaOutcome;
import java.time.Instant;
import java.util.List;

/**
 * Everything the lifecycle decides on for one Project, read from the caches (and, where an event
 * may have been lost, checked with the API server) before anything is decided.
 *
 * @param missingLicenses Licenses the spec names that do not exist
 * @param previous its status so far (an empty one for a new project)
 * @param activity the quotient.dev/last-activity annotation as written (null when absent)
 * @param gpuActivity the quotient.dev/gpu-last-activity annotation as written (null when absent)
 * @param pod its pod, null when there is none
 * @param preview the quota its next start would get (null when the spec cannot be used)
 * @param previewProblem why there is no preview
 * @param homeConflict the other project that owns this one's projectId (null: none does); read only
 *     while the project has no pod, as only a start asks who owns the home
 * @param specProblem what of the spec this operator cannot read, naming the field and value (e.g. a
 *     newer CRD's desiredState); null when it reads all of it
 * @param ephemeral whether it is an ephemeral run (spec.lifetime: Ephemeral)
 * @param imageRefused why spec.image is not what the project runs (not an allowed image); null when
 *     it is, or when none is asked for
 * @param preemptedBy the ledger's decision to reclaim the team share this project borrows (null:
 *     none)
 */
public record ProjectObservation(
    ProjectKey key,
    Long generation,
    Instant created,
    DesiredState desiredState,
    List<String> requestedLicenses,
    List<String> missingLicenses,
    ProjectStatus previous,
    String activity,
    String gpuActivity,
    PodState pod,
    QuotaOutcome preview,
    String previewProblem,
    HomeConflict homeConflict,
    String specProblem,
    boolean ephemeral,
    String imageRefused,
    Preemption preemptedBy) {
  public ProjectObservation {
    requestedLicenses = List.copyOf(requestedLicenses);
    missingLicenses = List.copyOf(missingLicenses);
    previous = previous == null ? new ProjectStatus() : previous;
  }

  public boolean wantsRunning() {
    return desiredState != DesiredState.Stopped;
  }

  /**
   * What makes the project always-running under its current spec (null: nothing; never for an
   * ephemeral run, which runs once).
   */
  public String alwaysRunningBy() {
    return ephemeral || preview == null || !preview.quota().alwaysRunning()
        ? null
        : preview.quota().alwaysRunningBy();
  }
}
