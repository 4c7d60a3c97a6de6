package dev.quotient.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** The pod to create, and the license patches that had to be left out. */
public record PodPlan(Pod pod, List<PatchRejection> rejectedPatches) {
  public PodPlan {
    rejectedPatches = List.copyOf(rejectedPatches);
  }
}
