package dev.quotient.lifecycle;

import dev.quotient.admission.AdmissionDecision;
import dev.quotient.pod.PatchRejection;
import dev.quotient.quota.QuotaOutcome;
import java.util.List;

/** What an attempt to start came to (admission, then the pod create). */
public sealed interface StartOutcome {
  /** The lease is held and the pod was created. */
  record Started(QuotaOutcome quota, String podName, List<PatchRejection> rejectedPatches)
      implements StartOutcome {}

  /** Not admitted now. */
  record Waiting(QuotaOutcome quota, AdmissionDecision.Waiting decision) implements StartOutcome {}

  /** The pod exists already (the cache had not seen it yet). */
  record AlreadyExists(QuotaOutcome quota) implements StartOutcome {}

  /** Something that passes by itself (a new namespace's ServiceAccount): try again soon. */
  record RetrySoon(String message) implements StartOutcome {}

  /** The API server refused the pod for good (validation, a policy). */
  record Refused(String message) implements StartOutcome {}

  /** The spec cannot be used (a malformed quantity in adminQuota). */
  record InvalidSpec(String message) implements StartOutcome {}
}
