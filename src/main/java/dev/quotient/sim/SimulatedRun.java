package dev.quotient.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the simulated kubelet runs a container that runs once (a pod with {@code restartPolicy:
 * Never}, i.e. an ephemeral run): nothing is executed, the command is read instead. It runs for the
 * seconds of a {@code sleep N} in it (else {@link #DEFAULT_RUN_TIME}) and exits with the code of a
 * trailing {@code exit N} (else 0): {@code ["sh", "-c", "train; sleep 5; exit 3"]} ends after 5 s
 * with code 3. kwok on the real control plane follows the same exit rule (its stage in
 * hack/kube/run-control-plane.sh).
 */
public record SimulatedRun(Duration runTime, int exitCode) {
  /** How long a run without {@code sleep N} runs. */
  public static final Duration DEFAULT_RUN_TIME = Duration.ofSeconds(1);

  private static final Pattern SLEEP = Pattern.compile("\\bsleep\\s+(\\d+)");
  private static final Pattern EXIT = Pattern.compile("\\bexit\\s+(\\d+)\\s*;?\\s*$");

  /** The run of a pod that never restarts (empty for every other pod). */
  public static Optional<SimulatedRun> of(Pod pod) {
    if (pod.getSpec() == null || !"Never".equals(pod.getSpec().getRestartPolicy())) {
      return Optional.empty();
    }
    List<String> words = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getCommand() != null) {
        words.addAll(c.getCommand());
      }
      if (c.getArgs() != null) {
        words.addAll(c.getArgs());
      }
    }
    String line = String.join(" ", words);
    Matcher sleep = SLEEP.matcher(line);
    Duration time = DEFAULT_RUN_TIME;
    while (sleep.find()) {
      time = Duration.ofSeconds(Long.parseLong(sleep.group(1)));
    }
    Matcher exit = EXIT.matcher(line);
    int code = exit.find() ? (int) Math.min(255, Long.parseLong(exit.group(1))) : 0;
    return Optional.of(new SimulatedRun(time, code));
  }

  /** When its container ends: its start plus its run time (empty before it started). */
  Optional<Instant> endsBy(Pod pod) {
    try {
      String started = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
      return started == null ? Optional.empty() : Optional.of(Instant.parse(started).plus(runTime));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The pod once its containers terminated with this run's exit code. */
  Pod terminated(Pod pod, Instant now) {
    String started = pod.getStatus().getStartTime();
    boolean ok = exitCode == 0;
    return new PodBuilder(pod)
        .editStatus()
        .withPhase(ok ? "Succeeded" : "Failed")
        .withConditions(
            pod.getStatus().getConditions().stream()
                .map(
                    c ->
                        "Ready".equals(c.getType()) || "ContainersReady".equals(c.getType())
                            ? new io.fabric8.kubernetes.api.model.PodConditionBuilder(c)
                                .withStatus("False")
                                .withReason("PodCompleted")
                                .withLastTransitionTime(now.toString())
                                .build()
                            : c)
                .toList())
        .withContainerStatuses(
            pod.getSpec().getContainers().stream()
                .map(
                    c ->
                        new ContainerStatusBuilder()
                            .withName(c.getName())
                            .withImage(c.getImage())
                            .withReady(false)
                            .withStarted(false)
                            .withRestartCount(0)
                            .withNewState()
                            .withNewTerminated()
                            .withExitCode(exitCode)
                            .withReason(ok ? "Completed" : "Error")
                            .withStartedAt(started)
                            .withFinishedAt(now.toString())
                            .endTerminated()
                            .endState()
                            .build())
                .toList())
        .endStatus()
        .build();
  }
}
