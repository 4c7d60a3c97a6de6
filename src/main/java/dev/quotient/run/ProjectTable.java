package dev.quotient.run;

import dev.quotient.api.LicenseState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The projects of a cluster as the local runs show them: wait until they settle, then print them
 * like {@code kubectl get projects -A -o wide}.
 */
public final class ProjectTable {
  private static final Set<ProjectPhase> SETTLED =
      Set.of(
          ProjectPhase.Running,
          ProjectPhase.Stopped,
          ProjectPhase.Failed,
          ProjectPhase.WaitingForResources);

  /** A run that runs is not settled yet: it is about to end Succeeded or Failed. */
  private static final Set<ProjectPhase> RUN_SETTLED =
      Set.of(
          ProjectPhase.Succeeded,
          ProjectPhase.Stopped,
          ProjectPhase.Failed,
          ProjectPhase.WaitingForResources);

  private ProjectTable() {}

  private static boolean settled(Project p) {
    if (p.getStatus() == null) {
      return false;
    }
    boolean run = p.getSpec() != null && p.getSpec().isEphemeral();
    return (run ? RUN_SETTLED : SETTLED).contains(p.getStatus().getPhase());
  }

  /**
   * Waits until every project of the cluster behind {@code client} is in a phase it stays in
   * without anything changing (or the timeout passes: the table then shows where they are).
   */
  public static void awaitSettled(KubernetesClient client, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      List<Project> projects = client.resources(Project.class).inAnyNamespace().list().getItems();
      if (projects.stream().allMatch(ProjectTable::settled)) {
        return;
      }
      Thread.sleep(200);
    }
  }

  /** The projects of the cluster behind {@code client} as a table, sorted by namespace and name. */
  public static void print(KubernetesClient client, PrintStream out) {
    List<Project> projects =
        new ArrayList<>(client.resources(Project.class).inAnyNamespace().list().getItems());
    projects.sort(
        Comparator.comparing((Project p) -> p.getMetadata().getNamespace())
            .thenComparing(p -> p.getMetadata().getName()));
    String fmt = "%-10s %-18s %-20s %-6s %-7s %-6s %-8s %-4s %-10s %-9s %s%n";
    out.printf(
        fmt,
        "NAMESPACE",
        "NAME",
        "PHASE",
        "CPU",
        "CPU-REQ",
        "MEMORY",
        "MEM-REQ",
        "GPU",
        "NODE",
        "GROUP",
        "MESSAGE");
    for (Project p : projects) {
      ProjectStatus s = p.getStatus() == null ? new ProjectStatus() : p.getStatus();
      var q = s.getEffectiveQuota();
      out.printf(
          fmt,
          p.getMetadata().getNamespace(),
          p.getMetadata().getName(),
          s.getPhase(),
          q == null ? "" : q.getCpuLimit(),
          q == null ? "" : q.getCpuRequest(),
          q == null ? "" : q.getMemoryLimit(),
          q == null ? "" : q.getMemoryRequest(),
          q == null || q.getGpu() == null ? "" : q.getGpu(),
          s.getNodeName() == null ? "" : s.getNodeName(),
          q == null || q.getNodeGroup() == null ? "" : q.getNodeGroup(),
          summary(s));
    }
  }

  private static String summary(ProjectStatus s) {
    StringBuilder sb = new StringBuilder(s.getMessage() == null ? "" : s.getMessage());
    if (s.getLicenses() != null) {
      s.getLicenses().stream()
          .filter(l -> l.getState() != LicenseState.Applied)
          .forEach(
              l ->
                  sb.append(" [")
                      .append(l.getName())
                      .append(": ")
                      .append(l.getState())
                      .append("]"));
    }
    return sb.toString();
  }
}
