package dev.quotient.run;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code kubectl apply -f DIR} for an API server without kubectl (the CRUD mock): every object of
 * the directory's YAML files, created, or updated when it exists.
 */
public final class ManifestDirectory {
  private ManifestDirectory() {}

  /**
   * Creates every object in the YAML files of a directory (sorted by file name), each object's
   * namespace first.
   */
  public static List<HasMetadata> apply(KubernetesClient client, Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    List<HasMetadata> created = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        for (HasMetadata item : client.load(in).items()) {
          created.add(apply(client, item));
        }
      }
    }
    return created;
  }

  /** Creates one object (and its namespace if missing), or updates it when it exists. */
  public static HasMetadata apply(KubernetesClient client, HasMetadata item) {
    String ns = item.getMetadata().getNamespace();
    if (ns != null && client.namespaces().withName(ns).get() == null) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    try {
      return client.resource(item).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return client.resource(item).update();
      }
      throw e;
    }
  }
}
