package dev.quotient.prepull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The prepull DaemonSet: one pod per project node, whose init containers pull each image by running
 * {@code sh -c true} in it (so every project image is assumed to have a shell: interactive
 * workspaces do) and whose main container is a pause image that only keeps the pod Ready. The pod
 * template carries the image set's hash, so a new default image rolls every pod (all at once: a
 * gated node has no use for its old pod). Restricted Pod Security profile, no token, tiny requests.
 *
 * <p>Its labels avoid the {@code quotient.dev/} prefix: the DaemonSet controller, not the operator,
 * creates these pods, and the ledger policy lets only the operator write {@code quotient.dev/} keys
 * on pods.
 */
public final class PrepullDaemonSet {
  public static final String NAME = "quotient-prepull";
  public static final String APP_NAME = "app.kubernetes.io/name";
  public static final String PART_OF = "app.kubernetes.io/part-of";

  /** Pod label: the hash of the image set the pod pulled ({@link PrepullTarget#imagesHash()}). */
  public static final String IMAGES_HASH_LABEL = "prepull.quotient.dev/images-hash";

  /** Annotation on the DaemonSet and its pods: the images, comma-separated. */
  public static final String IMAGES_ANNOTATION = "prepull.quotient.dev/images";

  /**
   * Annotation on the DaemonSet: a hash of the whole desired object, so the operator writes it only
   * when something of it changed (the API server's defaults never make it differ).
   */
  public static final String SPEC_HASH_ANNOTATION = "prepull.quotient.dev/spec-hash";

  private static final ObjectMapper JSON = new ObjectMapper();

  private PrepullDaemonSet() {}

  /** The labels of the DaemonSet and its pods; the first one is its selector. */
  public static Map<String, String> selector() {
    return Map.of(APP_NAME, NAME);
  }

  public static DaemonSet desired(PrepullTarget target) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(APP_NAME, NAME);
    labels.put(PART_OF, "quotient");
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    podLabels.put(IMAGES_HASH_LABEL, target.imagesHash());
    List<Container> pulls = new ArrayList<>();
    for (int i = 0; i < target.images().size(); i++) {
      pulls.add(
          container("pull-" + i, target.images().get(i), target)
              .withCommand("sh", "-c", "true")
              .build());
    }
    PodSpecBuilder spec =
        new PodSpecBuilder()
            .withTolerations(target.tolerations())
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withTerminationGracePeriodSeconds(1L)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(target.pod().uid())
            .withRunAsGroup(target.pod().gid())
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withInitContainers(pulls)
            .withContainers(container("pause", target.pauseImage(), target).build());
    List<NodeSelectorTerm> terms = nodeSelectorTerms(target);
    if (!terms.isEmpty()) {
      spec.withNewAffinity()
          .withNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution()
          .withNodeSelectorTerms(terms)
          .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endNodeAffinity()
          .endAffinity();
    }
    DaemonSet ds =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(target.namespace())
            .withLabels(labels)
            .withAnnotations(new LinkedHashMap<>(Map.of(IMAGES_ANNOTATION, target.imageList())))
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(selector())
            .endSelector()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString("100%"))
            .endRollingUpdate()
            .endUpdateStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels)
            .withAnnotations(Map.of(IMAGES_ANNOTATION, target.imageList()))
            .endMetadata()
            .withSpec(spec.build())
            .endTemplate()
            .endSpec()
            .build();
    ds.getMetadata().getAnnotations().put(SPEC_HASH_ANNOTATION, hash(ds));
    return ds;
  }

  /** The spec hash the DaemonSet carries (null when it has none). */
  public static String specHash(DaemonSet ds) {
    Map<String, String> a = ds.getMetadata().getAnnotations();
    return a == null ? null : a.get(SPEC_HASH_ANNOTATION);
  }

  /**
   * The same nodes as {@link PrepullTarget#selects}'s labels: the project-node selector, or a
   * node-group member; no terms (every node) when the selector is empty.
   */
  private static List<NodeSelectorTerm> nodeSelectorTerms(PrepullTarget target) {
    Map<String, String> selector = target.pod().projectNodeSelector();
    if (selector.isEmpty()) {
      return List.of();
    }
    NodeSelectorTermBuilder projectNodes = new NodeSelectorTermBuilder();
    selector.forEach(
        (k, v) ->
            projectNodes.addToMatchExpressions(
                new NodeSelectorRequirementBuilder()
                    .withKey(k)
                    .withOperator("In")
                    .withValues(v)
                    .build()));
    NodeSelectorTerm groupMembers =
        new NodeSelectorTermBuilder()
            .addToMatchExpressions(
                new NodeSelectorRequirementBuilder()
                    .withKey(target.pod().nodeGroupKey())
                    .withOperator("Exists")
                    .build())
            .build();
    return List.of(projectNodes.build(), groupMembers);
  }

  private static ContainerBuilder container(String name, String image, PrepullTarget target) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withImagePullPolicy(target.pod().imagePullPolicy())
        .withNewResources()
        .withRequests(
            new TreeMap<>(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi"))))
        .withLimits(
            new TreeMap<>(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi"))))
        .endResources()
        .withSecurityContext(restricted());
  }

  private static SecurityContext restricted() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withRunAsNonRoot(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private static String hash(DaemonSet ds) {
    try {
      return PrepullTarget.hash(JSON.writeValueAsString(ds));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
