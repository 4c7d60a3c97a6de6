package dev.quotient.status;

import dev.quotient.api.QuotientLabels;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * How a run's project container ended, from its terminated state: the exit code, the kubelet's
 * reason (Completed, Error, OOMKilled, ...) and message (the container's termination message).
 *
 * @param finishedAt when it ended (RFC 3339), null when the kubelet did not say
 */
public record ContainerExit(int exitCode, String reason, String message, String finishedAt) {

  /** The project container's terminated state, when it has one. */
  public static Optional<ContainerExit> of(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
      if (!QuotientLabels.CONTAINER.equals(cs.getName()) || cs.getState() == null) {
        continue;
      }
      ContainerStateTerminated t = cs.getState().getTerminated();
      if (t != null && t.getExitCode() != null) {
        return Optional.of(
            new ContainerExit(t.getExitCode(), t.getReason(), t.getMessage(), t.getFinishedAt()));
      }
    }
    return Optional.empty();
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** For people: "exited with code 3 (Error: out of data)". */
  public String describe() {
    String why = reason == null || reason.isBlank() ? "" : reason;
    String said = message == null || message.isBlank() ? "" : message.trim();
    String detail =
        why.isEmpty() && said.isEmpty()
            ? ""
            : " (" + why + (said.isEmpty() ? "" : (why.isEmpty() ? "" : ": ") + said) + ")";
    return "exited with code " + exitCode + detail;
  }
}
