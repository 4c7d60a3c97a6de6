package dev.quotient.controller;

import dev.quotient.status.Reason;
import dev.quotient.status.StatusEvent;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events (what {@code kubectl describe} shows). The same event for the same object
 * is written at most once per ten minutes, so a reconcile loop cannot flood the API. Failing to
 * write an Event never fails a reconcile.
 */
public final class EventRecorder {
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

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
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
    try {
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
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
                  .build())
          .create();
    } catch (RuntimeException e) {
      log.debug(
          "could not record event {} on {}: {}",
          reason,
          object.getMetadata().getName(),
          e.getMessage());
    }
  }
}
