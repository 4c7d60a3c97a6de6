package dev.quotient.testing;

import dev.quotient.testing.BadInput.Case;
import dev.quotient.testing.BadInput.Outcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies the bad-input corpus to an API server exactly as written (generic objects: the client
 * checks nothing) and reads back what a user sees: the subject's conditions and its Events. The
 * same driver serves the mock and the real control plane.
 */
public final class BadInputDriver {
  private final KubernetesClient client;
  private final String namespace;
  private final String settingsNamespace;
  private final String settingsName;
  private final List<GenericKubernetesResource> clusterScoped = new ArrayList<>();

  public BadInputDriver(
      KubernetesClient client, String namespace, String settingsNamespace, String settingsName) {
    this.client = client;
    this.namespace = namespace;
    this.settingsNamespace = settingsNamespace;
    this.settingsName = settingsName;
  }

  /**
   * Creates the case's objects in order and returns the first refusal (the objects after it are not
   * sent), or null when all were stored. A settings case merges its keys into the operator's
   * settings ConfigMap (use {@link #restoreSettings} afterwards).
   */
  public KubernetesClientException apply(Case c) {
    for (GenericKubernetesResource doc : c.documents()) {
      try {
        if ("ConfigMap".equals(doc.getKind())) {
          mergeSettings(doc);
        } else if (namespaced(doc.getKind())) {
          doc.getMetadata().setNamespace(namespace);
          client
              .genericKubernetesResources(doc.getApiVersion(), doc.getKind())
              .inNamespace(namespace)
              .resource(doc)
              .create();
        } else {
          client
              .genericKubernetesResources(doc.getApiVersion(), doc.getKind())
              .resource(doc)
              .create();
          clusterScoped.add(doc);
        }
      } catch (KubernetesClientException e) {
        return e;
      }
    }
    return null;
  }

  private static boolean namespaced(String kind) {
    return "Project".equals(kind);
  }

  /** The settings ConfigMap's data before the first settings case, restored by restoreSettings. */
  private Map<String, String> savedSettings;

  private void mergeSettings(GenericKubernetesResource doc) {
    @SuppressWarnings("unchecked")
    Map<String, String> data = (Map<String, String>) doc.getAdditionalProperties().get("data");
    ConfigMap cm = client.configMaps().inNamespace(settingsNamespace).withName(settingsName).get();
    if (savedSettings == null) {
      savedSettings = new HashMap<>(cm.getData() == null ? Map.of() : cm.getData());
    }
    Map<String, String> next = new HashMap<>(savedSettings);
    next.putAll(data);
    cm.setData(next);
    client.configMaps().inNamespace(settingsNamespace).resource(cm).update();
  }

  /** Puts back the settings as they were before the first settings case. */
  public void restoreSettings() {
    if (savedSettings == null) {
      return;
    }
    client
        .configMaps()
        .inNamespace(settingsNamespace)
        .withName(settingsName)
        .edit(
            cm -> {
              cm.setData(new HashMap<>(savedSettings));
              return cm;
            });
  }

  /** Null when the subject shows the answer, else what it shows instead. */
  public String mismatch(Outcome.Answered expected) {
    String seen = "";
    if (expected.condition() != null) {
      Map<String, Object> condition = condition(expected);
      String[] typeStatus = expected.condition().split("=");
      if (condition == null) {
        return "no condition " + typeStatus[0] + "; status " + status(expected);
      }
      seen =
          typeStatus[0]
              + "="
              + condition.get("status")
              + " "
              + condition.get("reason")
              + " '"
              + condition.get("message")
              + "'";
      if (!typeStatus[1].equals(condition.get("status"))
          || !expected.reason().name().equals(condition.get("reason"))
          || !String.valueOf(condition.get("message")).contains(expected.message())) {
        return seen + "; events " + eventSummary(expected);
      }
    }
    boolean event =
        events(expected).stream()
            .anyMatch(
                e ->
                    expected.event().name().equals(e.getReason())
                        && (expected.condition() != null
                            || e.getMessage().contains(expected.message())));
    return event ? null : seen + "; no Event " + expected.event() + ": " + eventSummary(expected);
  }

  private String eventSummary(Outcome.Answered a) {
    return events(a).stream()
        .map(e -> e.getReason() + " '" + e.getMessage() + "'")
        .toList()
        .toString();
  }

  private GenericKubernetesResource subject(Outcome.Answered a) {
    String api = "ConfigMap".equals(a.kind()) ? "v1" : "quotient.dev/v1alpha1";
    var resources = client.genericKubernetesResources(api, a.kind());
    return "Project".equals(a.kind())
        ? resources.inNamespace(namespace).withName(a.name()).get()
        : resources.withName(a.name()).get();
  }

  @SuppressWarnings("unchecked")
  private String status(Outcome.Answered a) {
    GenericKubernetesResource r = subject(a);
    return r == null
        ? "(no such object)"
        : String.valueOf(r.getAdditionalProperties().get("status"));
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> condition(Outcome.Answered a) {
    GenericKubernetesResource r = subject(a);
    if (r == null || !(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return null;
    }
    if (!(status.get("conditions") instanceof List<?> conditions)) {
      return null;
    }
    String type = a.condition().split("=")[0];
    return conditions.stream()
        .map(c -> (Map<String, Object>) c)
        .filter(c -> type.equals(c.get("type")))
        .findFirst()
        .orElse(null);
  }

  /** The Events about the subject. */
  public List<Event> events(Outcome.Answered a) {
    String ns =
        switch (a.kind()) {
          case "Project" -> namespace;
          case "ConfigMap" -> settingsNamespace;
          default -> "default";
        };
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> a.name().equals(e.getInvolvedObject().getName()))
        .filter(e -> Objects.equals(a.kind(), e.getInvolvedObject().getKind()))
        .toList();
  }

  /** Deletes the cluster-scoped objects the corpus created (node groups before their nodes). */
  public void cleanUp() {
    for (String kind : List.of("DedicatedNodeGroup", "License", "Node")) {
      for (GenericKubernetesResource r : clusterScoped) {
        if (kind.equals(r.getKind())) {
          client
              .genericKubernetesResources(r.getApiVersion(), r.getKind())
              .withName(r.getMetadata().getName())
              .delete();
        }
      }
    }
  }

  /** How long the operator may take to answer (a missing License is waited for 15 s). */
  public static final java.time.Duration ANSWERED_WITHIN = java.time.Duration.ofSeconds(60);

  /** Waits until every case shows its answer; fails naming each one that does not. */
  public void awaitAnswers(Map<String, Outcome.Answered> cases) {
    Map<String, String> mismatches = new java.util.LinkedHashMap<>();
    try {
      org.awaitility.Awaitility.await()
          .atMost(ANSWERED_WITHIN)
          .pollInterval(java.time.Duration.ofMillis(500))
          .until(
              () -> {
                mismatches.clear();
                cases.forEach(
                    (file, answer) -> {
                      String m = mismatch(answer);
                      if (m != null) {
                        mismatches.put(file, m);
                      }
                    });
                return mismatches.isEmpty();
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder report = new StringBuilder("cases without their expected answer:");
      mismatches.forEach((f, m) -> report.append("\n  ").append(f).append(": ").append(m));
      throw new AssertionError(report.toString(), e);
    }
  }
}
