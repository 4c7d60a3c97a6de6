package dev.quotient.lifecycle;

import dev.quotient.api.StopReason;
import java.util.List;

/** The one thing the reconciler does for a Project this time. */
public sealed interface Step {
  /** Admit and reserve (or wait), then create the pod. */
  record Start() implements Step {}

  /** Delete the pod, for this reason; its lease is released once it is gone. */
  record DeletePod(String podName, StopReason reason) implements Step {}

  /** The pod is going away (or belongs to an earlier project of the same name): wait for it. */
  record AwaitPodGone(String podName) implements Step {}

  /** The pod runs (or starts): nothing to do but show it. */
  record Observe() implements Step {}

  /** Not running, and nothing to do until the next look (or an event). */
  record Hold() implements Step {}

  /**
   * A finished ephemeral run's record has been kept for ephemeralRetention: delete the Project
   * itself.
   */
  record DeleteProject() implements Step {}

  /** A new project waits a little for the Licenses it names (GitOps applies in any order). */
  record WaitForLicenses(List<String> missing) implements Step {}
}
