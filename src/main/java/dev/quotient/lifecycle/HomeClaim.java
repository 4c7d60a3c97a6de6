package dev.quotient.lifecycle;

import dev.quotient.admission.ProjectKey;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * A Project's claim on a home directory (its effective projectId), as the Project cache shows it.
 *
 * @param created its creationTimestamp (null sorts last)
 * @param holdsPod whether its status says it has a pod (Starting, Running, Stopping)
 */
public record HomeClaim(ProjectKey key, Instant created, boolean holdsPod) {
  /**
   * Who owns a home that several projects name: a project that holds a pod first (an admin setting
   * an id on another project never puts a second pod on a home in use), then the oldest, then by
   * namespace and name, so that every reconcile of every claimant names the same owner.
   */
  private static final Comparator<HomeClaim> OWNER_FIRST =
      Comparator.comparing((HomeClaim c) -> !c.holdsPod())
          .thenComparing(HomeClaim::created, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(c -> c.key().namespace())
          .thenComparing(c -> c.key().name());

  /** The owner among the claims on one home; empty when there are none. */
  public static Optional<HomeClaim> owner(Collection<HomeClaim> claims) {
    return claims.stream().min(OWNER_FIRST);
  }
}
