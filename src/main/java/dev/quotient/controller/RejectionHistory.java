package dev.quotient.controller;

import dev.quotient.api.Project;
import dev.quotient.quota.Timestamps;
import dev.quotient.status.Reason;
import dev.quotient.web.dashboard.Rejection;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The recent refused starts, for the dashboard: the QuotaRejected and NeverFits Events of Projects,
 * read by an informer, so the history survives operator restarts for as long as the API server
 * keeps Events (kube-apiserver's {@code --event-ttl}, one hour by default) and every replica sees
 * the leader's. At most {@link #MAX} are kept, the newest.
 *
 * <p>The informer selects them by the label {@link #LABEL}, which {@link EventRecorder} puts on
 * these Events: a label selector keeps the cache to them on every API server, where a field
 * selector on the reason would not (the CRUD mock of the embedded run matches field selectors only
 * on metadata).
 */
final class RejectionHistory implements AutoCloseable {
  static final int MAX = 1000;

  /** On the Events of refused starts, value {@link #REJECTED}. */
  static final String LABEL = "quotient.dev/admission";

  static final String REJECTED = "rejected";
  private static final String GROUP = HasMetadata.getGroup(Project.class) + "/";
  private final SharedIndexInformer<Event> informer;

  /** By Event uid, so an Event seen again (a resync, an update) counts once. */
  private final Map<String, Rejection> byUid = new TreeMap<>();

  RejectionHistory(KubernetesClient client, Consumer<Throwable> onFailure) {
    informer =
        client
            .v1()
            .events()
            .inAnyNamespace()
            .withLabel(LABEL, REJECTED)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Event e) {
                    seen(e);
                  }

                  @Override
                  public void onUpdate(Event old, Event e) {
                    seen(e);
                  }

                  @Override
                  public void onDelete(Event e, boolean unknownFinalState) {
                    // An Event the API server let expire stays in the history: it is bounded.
                  }
                },
                0);
    informer
        .stopped()
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                onFailure.accept(failure);
              }
            });
  }

  private void seen(Event e) {
    Rejection r = rejection(e);
    if (r == null) {
      return;
    }
    synchronized (byUid) {
      byUid.put(
          e.getMetadata().getUid() == null ? e.getMetadata().getName() : e.getMetadata().getUid(),
          r);
      if (byUid.size() > MAX) {
        byUid.entrySet().stream()
            .min(Comparator.comparing(x -> x.getValue().time()))
            .map(Map.Entry::getKey)
            .ifPresent(byUid::remove);
      }
    }
  }

  /** The labels of an Event for this reason: the rejection label for a refused start, or null. */
  static Map<String, String> labels(Reason reason) {
    // null rather than empty, so the other Events stay as they were
    return isRejection(reason.name()) ? Map.of(LABEL, REJECTED) : null;
  }

  private static boolean isRejection(String reason) {
    return Reason.QuotaRejected.name().equals(reason) || Reason.NeverFits.name().equals(reason);
  }

  /** The rejection an Event records, or null when it is not one of a Project's. */
  static Rejection rejection(Event e) {
    ObjectReference o = e.getInvolvedObject();
    String reason = e.getReason();
    if (o == null
        || !HasMetadata.getKind(Project.class).equals(o.getKind())
        || o.getApiVersion() == null
        || !o.getApiVersion().startsWith(GROUP)
        || !isRejection(reason)) {
      return null;
    }
    Instant time =
        firstOf(
            e.getLastTimestamp(),
            e.getEventTime() == null ? null : e.getEventTime().getTime(),
            e.getFirstTimestamp(),
            e.getMetadata().getCreationTimestamp());
    return new Rejection(
        time == null ? Instant.EPOCH : time, o.getNamespace(), o.getName(), reason, e.getMessage());
  }

  private static Instant firstOf(String... times) {
    for (String t : times) {
      Instant i = t == null ? null : Timestamps.parseOrNull(t);
      if (i != null) {
        return i;
      }
    }
    return null;
  }

  /** Oldest first. */
  List<Rejection> list() {
    List<Rejection> out;
    synchronized (byUid) {
      out = new ArrayList<>(byUid.values());
    }
    out.sort(Comparator.comparing(Rejection::time));
    return out;
  }

  @Override
  public void close() {
    informer.close();
  }
}
