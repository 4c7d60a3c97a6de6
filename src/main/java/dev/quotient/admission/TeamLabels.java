package dev.quotient.admission;

import static dev.quotient.api.QuotientLabels.BORROWED;
import static dev.quotient.api.QuotientLabels.BORROWED_SINCE;
import static dev.quotient.api.QuotientLabels.TEAM;

import dev.quotient.quota.Timestamps;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A lease's team placement on its pod (labels quotient.dev/team and quotient.dev/borrowed, the
 * annotation quotient.dev/borrowed-since) and back: the ledger is rebuilt from pods, so what is
 * borrowed, and since when, must survive an operator restart.
 */
public final class TeamLabels {
  private TeamLabels() {}

  /** Writes the placement onto a pod about to be created (nothing for a lease without one). */
  public static void apply(Pod pod, TeamPlacement placement) {
    if (placement == null) {
      return;
    }
    ObjectMeta m = pod.getMetadata();
    Map<String, String> labels = m.getLabels() == null ? new HashMap<>() : m.getLabels();
    if (placement.team() != null) {
      labels.put(TEAM, placement.team());
    }
    if (placement.borrowed()) {
      labels.put(BORROWED, "true");
      Map<String, String> annotations =
          m.getAnnotations() == null ? new HashMap<>() : m.getAnnotations();
      if (placement.since() != null) {
        annotations.put(BORROWED_SINCE, placement.since().toString());
      }
      m.setAnnotations(annotations);
    }
    m.setLabels(labels);
  }

  /** The placement a pod's labels record (null: none). */
  static TeamPlacement placement(Pod pod) {
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    String team = labels.get(TEAM);
    boolean borrowed = "true".equals(labels.get(BORROWED));
    if (!borrowed) {
      return team == null ? null : TeamPlacement.within(team);
    }
    Map<String, String> a = pod.getMetadata().getAnnotations();
    Instant since = Timestamps.parseOrNull(a == null ? null : a.get(BORROWED_SINCE));
    if (since == null) {
      // Unknown: count it as admitted when its pod was made.
      since = Timestamps.parseOrNull(pod.getMetadata().getCreationTimestamp());
    }
    return TeamPlacement.borrowing(team, since);
  }
}
