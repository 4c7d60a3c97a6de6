package dev.quotient.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads the deployment manifests without a cluster: multi-document YAML into generic or typed
 * objects, and a small, strict reading of a kustomization (resources, namespace) that the tests
 * cross-check against {@code kubectl kustomize} with the kubectl hack/kube/build.sh builds.
 */
final class Manifests {
  static final Path OPERATOR = Path.of("operator");
  static final Path CRDS = Path.of("crds");
  static final String NAMESPACE = "quotient-system";
  static final String SERVICE_ACCOUNT = "quotient-operator";
  static final String OPERATOR_USER = "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;

  /**
   * Kinds this project ships that are cluster-scoped (kustomize must not give them a namespace).
   */
  static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "Namespace",
          "CustomResourceDefinition",
          "ClusterRole",
          "ClusterRoleBinding",
          "ValidatingAdmissionPolicy",
          "ValidatingAdmissionPolicyBinding");

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  /** Every non-empty document of a YAML file or string. */
  static List<JsonNode> documents(String yaml) {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
          out.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<JsonNode> documents(Path file) {
    return documents(read(file));
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<GenericKubernetesResource> objects(String yaml) {
    return documents(yaml).stream()
        .map(d -> SERIALIZATION.convertValue(d, GenericKubernetesResource.class))
        .toList();
  }

  static <T extends HasMetadata> T as(HasMetadata object, Class<T> type) {
    return SERIALIZATION.convertValue(object, type);
  }

  static <T extends HasMetadata> List<T> ofKind(
      List<? extends HasMetadata> objects, String kind, Class<T> type) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).map(o -> as(o, type)).toList();
  }

  static <T extends HasMetadata> T one(
      List<? extends HasMetadata> objects, String kind, String name, Class<T> type) {
    List<T> found =
        objects.stream()
            .filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
            .map(o -> as(o, type))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected exactly one " + kind + " " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  /** The kustomization file of a directory, as a tree. */
  static JsonNode kustomization(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.exists(file)) {
      throw new AssertionError(dir + " has no kustomization.yaml");
    }
    return documents(file).get(0);
  }

  static List<String> list(JsonNode node, String field) {
    List<String> out = new ArrayList<>();
    node.path(field).forEach(n -> out.add(n.asText()));
    return out;
  }

  /**
   * What {@code kubectl kustomize dir} yields, as far as this project uses kustomize: resources
   * (files, or directories with their own kustomization) and the namespace transformer (namespaced
   * kinds only). Labels and the patch transformers are left out.
   */
  static List<GenericKubernetesResource> build(Path dir) {
    JsonNode k = kustomization(dir);
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (String resource : list(k, "resources")) {
      Path p = dir.resolve(resource).normalize();
      if (Files.isDirectory(p)) {
        out.addAll(build(p));
      } else if (Files.isRegularFile(p)) {
        out.addAll(objects(read(p)));
      } else {
        throw new AssertionError(
            dir.resolve("kustomization.yaml") + " lists " + resource + ", which does not exist");
      }
    }
    String ns = k.path("namespace").asText(null);
    if (ns != null) {
      out.forEach(
          o -> {
            if (!CLUSTER_SCOPED.contains(o.getKind())) {
              o.getMetadata().setNamespace(ns);
            } else {
              o.getMetadata().setNamespace(null);
            }
          });
    }
    return out;
  }

  /**
   * Runs a command in the working directory, returns stdout; fails with stderr on a non-zero exit.
   */
  static String run(List<String> command) {
    try {
      Path err = Files.createTempFile("cmd", ".err");
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
      }
      String stderr = Files.readString(err);
      Files.deleteIfExists(err);
      if (p.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited " + p.exitValue() + ":\n" + stderr);
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String key(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> tree(Object o) {
    return SERIALIZATION.convertValue(o, Map.class);
  }
}
