package dev.quotient.build;

import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step after fabric8's CRD generator: puts printer columns in the order the classes declare
 * them (the generator sorts them by JSON path, so {@code kubectl get projects} would start with
 * AGE). Run by Maven at process-classes; the committed {@code crds/} are its output.
 */
public final class CrdPostProcessor {
  private CrdPostProcessor() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/classes/META-INF/fabric8");
    for (Class<? extends CustomResource<?, ?>> type :
        List.of(License.class, Project.class, DedicatedNodeGroup.class)) {
      Path file = dir.resolve(CustomResource.getCRDName(type) + "-v1.yml");
      CustomResourceDefinition crd;
      try (InputStream in = Files.newInputStream(file)) {
        crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      }
      List<String> order =
          Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      crd.getSpec()
          .getVersions()
          .forEach(
              v -> {
                List<CustomResourceColumnDefinition> cols = v.getAdditionalPrinterColumns();
                if (cols != null) {
                  cols.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
                }
              });
      Files.writeString(
          file,
          "# Generated from the classes in dev.quotient.api by fabric8's CRD generator and\n"
              + "# dev.quotient.build.CrdPostProcessor. Do not edit: change the classes and rebuild.\n"
              + Serialization.asYaml(crd));
    }
  }
}
