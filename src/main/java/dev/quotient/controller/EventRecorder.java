package dev.quotient.controller;

import dev.quotient.status.Reason;
import dev.quotient.status.StatusEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events (what {@code kubectl describe} shows). The same event for the same object
 * is written at most once per ten minutes, so a reconcile loop cannot flood the API. Failing to
 * write an Event never fails a reconcile. Events are posted by a few threads of their own, as
 * client-go's event broadcaster does, so a reconcile never waits for one: under a start storm that
 * wait was a third of each start's requests. When more are pending than the queue holds, new ones
 * are dropped, counted and logged, rather than slowing the operator.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  private static final Duration REPEAT_AFTER = Duration.ofMinutes(10);
  private static final int MAX_REMEMBERED = 10_000;
  public static final String COMPONENT = "quotient-operator";

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Instant> recent =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  private static final int POSTING_THREADS = 4;
  private static final int MAX_PENDING = 10_000;
  private final ThreadPoolExecutor posting;
  private final AtomicLong dropped = new AtomicLong();

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    AtomicLong threads = new AtomicLong();
    this.posting =
        new ThreadPoolExecutor(
            POSTING_THREADS,
            POSTING_THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING),
            r -> {
              Thread t = new Thread(r, "quotient-events-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            (r, executor) -> {
              if (executor.isShutdown()) {
                log.debug("Event not written: the operator is stopping");
                return;
              }
              if (dropped.incrementAndGet() % 1000 == 1) {
                log.warn(
                    "{} Events dropped: more than {} were waiting to be written",
                    dropped.get(),
                    MAX_PENDING);
              }
            });
    this.posting.allowCoreThreadTimeOut(true);
  }

  /** Events dropped because too many were waiting to be written. */
  public long dropped() {
    return dropped.get();
  }

  /** Writes what is still waiting (a few seconds at most), then stops. */
  @Override
  public void close() {
    posting.shutdown();
    try {
      if (!posting.awaitTermination(5, TimeUnit.SECONDS)) {
        posting.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      posting.shutdownNow();
    }
  }

  /**
   * The Event's name: the object's, a dot and a random suffix, within the 253 characters a name may
   * have (a Project may have a 253-character name itself; its Events would be refused).
   */
  static String eventName(String objectName, String suffix) {
    int room = 253 - 1 - suffix.length();
    String prefix =
        objectName.length() <= room
            ? objectName
            : objectName.substring(0, room).replaceAll("[.-]+$", "");
    return prefix + "." + suffix;
  }

  public void normal(HasMetadata object, Reason reason, String message) {
    record(object, "Normal", reason, message);
  }

  public void warning(HasMetadata object, Reason reason, String message) {
    record(object, "Warning", reason, message);
  }

  /** Records an Event a status builder decided on. */
  public void record(HasMetadata object, StatusEvent event) {
    record(object, event.type().name(), event.reason(), event.message());
  }

  private void record(HasMetadata object, String type, Reason reason, String message) {
    Instant now = clock.instant();
    String key = object.getMetadata().getUid() + "|" + reason + "|" + message;
    synchronized (recent) {
      Instant last = recent.get(key);
      if (last != null && last.plus(REPEAT_AFTER).isAfter(now)) {
        return;
      }
      recent.put(key, now);
    }
    String ns =
        object.getMetadata().getNamespace() == null
            ? "default"
            : object.getMetadata().getNamespace();
    String msg = message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                eventName(
                    object.getMetadata().getName(),
                    UUID.randomUUID().toString().substring(0, 13).replace("-", "")))
            .withNamespace(ns)
            .withLabels(RejectionHistory.labels(reason))
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(object.getApiVersion())
                    .withKind(object.getKind())
                    .withName(object.getMetadata().getName())
                    .withNamespace(object.getMetadata().getNamespace())
                    .withUid(object.getMetadata().getUid())
                    .withResourceVersion(object.getMetadata().getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason.name())
            .withMessage(msg)
            .withCount(1)
            .withFirstTimestamp(now.toString())
            .withLastTimestamp(now.toString())
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .withReportingInstance(COMPONENT)
            .build();
    posting.execute(() -> post(ns, event));
  }

  private void post(String ns, Event event) {
    try {
      client.v1().events().inNamespace(ns).resource(event).create();
    } catch (RuntimeException e) {
      log.debug(
          "could not record event {} on {}: {}",
          event.getReason(),
          event.getInvolvedObject().getName(),
          e.getMessage());
    }
  }
}
