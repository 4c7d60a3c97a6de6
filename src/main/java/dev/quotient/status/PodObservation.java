package dev.quotient.status;

import dev.quotient.api.ProjectPhase;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;

/** What a project pod's status means for the Project: phase, reason and a message for people. */
public record PodObservation(
    ProjectPhase phase, Reason reason, String message, String nodeName, String startedAt) {
  /** The reason the kubelet gives a pod's Ready=False when only its readiness gates are unmet. */
  private static final String READINESS_GATES_NOT_READY = "ReadinessGatesNotReady";

  public static PodObservation of(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    var status = pod.getStatus();
    String started = status == null ? null : status.getStartTime();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return new PodObservation(
          ProjectPhase.Stopping,
          Reason.Stopping,
          "Pod " + pod.getMetadata().getName() + " is terminating",
          node,
          started);
    }
    String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
    if (phase.equals("Failed") || phase.equals("Succeeded")) {
      String why = status.getReason() != null ? status.getReason() : phase;
      String msg = status.getMessage() != null ? status.getMessage() : "the pod ended";
      return new PodObservation(
          ProjectPhase.Failed, Reason.PodFailed, "Pod " + why + ": " + msg, node, started);
    }
    List<PodCondition> conditions =
        status == null || status.getConditions() == null ? List.of() : status.getConditions();
    PodCondition scheduled = find(conditions, "PodScheduled");
    if (node == null && scheduled != null && "False".equals(scheduled.getStatus())) {
      return new PodObservation(
          ProjectPhase.Starting,
          Reason.Unschedulable,
          "Unschedulable: "
              + (scheduled.getMessage() == null ? "no node fits" : scheduled.getMessage()),
          null,
          started);
    }
    for (ContainerStatus cs :
        status == null || status.getContainerStatuses() == null
            ? List.<ContainerStatus>of()
            : status.getContainerStatuses()) {
      if (cs.getState() != null && cs.getState().getWaiting() != null) {
        String r = cs.getState().getWaiting().getReason();
        if (r != null
            && (r.contains("ImagePull")
                || r.equals("InvalidImageName")
                || r.equals("ErrImageNeverPull"))) {
          return new PodObservation(
              ProjectPhase.Starting,
              Reason.ImagePullFailed,
              r + ": " + nullToEmpty(cs.getState().getWaiting().getMessage()),
              node,
              started);
        }
        if (r != null
            && (r.equals("CrashLoopBackOff")
                || r.equals("CreateContainerConfigError")
                || r.equals("CreateContainerError"))) {
          return new PodObservation(
              ProjectPhase.Starting,
              Reason.ContainerFailing,
              r + ": " + nullToEmpty(cs.getState().getWaiting().getMessage()),
              node,
              started);
        }
      }
    }
    PodCondition ready = find(conditions, "Ready");
    if (phase.equals("Running") && ready != null && "True".equals(ready.getStatus())) {
      return new PodObservation(
          ProjectPhase.Running, Reason.PodRunning, "Running on " + node, node, started);
    }
    PodCondition containersReady = find(conditions, "ContainersReady");
    if (phase.equals("Running")
        && ready != null
        && "False".equals(ready.getStatus())
        && READINESS_GATES_NOT_READY.equals(ready.getReason())) {
      // The kubelet's word: containers run, but a readiness gate (one a license's pod patch adds)
      // is not True yet. The pod does not serve, so the project is still starting.
      return new PodObservation(
          ProjectPhase.Starting,
          Reason.PodScheduled,
          "Pod running on "
              + node
              + ", waiting for its readiness gates"
              + (ready.getMessage() == null || ready.getMessage().isBlank()
                  ? ""
                  : " (" + ready.getMessage() + ")"),
          node,
          started);
    }
    if (phase.equals("Running")
        && ready != null
        && "False".equals(ready.getStatus())
        && containersReady != null
        && "True".equals(containersReady.getStatus())) {
      // The kubelet reported the containers ready; the pod's Ready went False without them, which
      // is what kube-controller-manager does to every pod of a node whose heartbeats stopped (a
      // kube-apiserver restart, a node blip). The project still runs: reading this as "starting"
      // showed running projects as Starting and let pendingTimeout delete their pods.
      return new PodObservation(
          ProjectPhase.Running,
          Reason.NodeNotReporting,
          "Running on "
              + node
              + " (the pod is marked not ready while its containers run: node "
              + node
              + " has not reported lately)",
          node,
          started);
    }
    if (node == null) {
      return new PodObservation(
          ProjectPhase.Starting,
          Reason.PodCreated,
          "Pod created, waiting for the scheduler",
          null,
          started);
    }
    return new PodObservation(
        ProjectPhase.Starting,
        Reason.PodScheduled,
        "Pod scheduled on " + node + ", starting",
        node,
        started);
  }

  private static PodCondition find(List<PodCondition> conditions, String type) {
    for (PodCondition c : conditions) {
      if (type.equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
