package dev.quotient.admission;

import java.time.Instant;

/** The outcome of asking to start: admitted with a reserved lease, or waiting. */
public sealed interface AdmissionDecision {
  /** The lease is reserved: create the pod, and release the lease if that fails. */
  record Admitted(Lease lease) implements AdmissionDecision {}

  /**
   * Not now.
   *
   * @param bottleneck what it is short of, in which scope
   * @param position place in that scope's queue, 1 = next to wake; 0 when it never fits
   * @param neverFits true when the request exceeds the scope's limit even with nothing else
   *     running: it holds nobody back and is retried when that limit changes
   * @param since when it started waiting (the queue order, kept in status.waitingSince)
   */
  record Waiting(Bottleneck bottleneck, int position, boolean neverFits, Instant since)
      implements AdmissionDecision {}
}
