package dev.quotient.controller;

import dev.quotient.api.Unreadable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/**
 * JOSDK's copy of each resource before a reconcile (through JSON, like its default), which keeps
 * what an {@link Unreadable} spec could not read: the JSON of an unreadable spec is empty, and a
 * copy read from it would look like a readable spec asking for the defaults (a Project would
 * start).
 */
final class UnreadableKeepingCloner implements Cloner {
  private final KubernetesSerialization serialization;

  UnreadableKeepingCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = serialization.clone(object);
    if (object instanceof CustomResource<?, ?> original
        && original.getSpec() instanceof Unreadable spec
        && spec.problem() != null
        && copy instanceof CustomResource<?, ?> cloned
        && cloned.getSpec() instanceof Unreadable copied) {
      copied.unreadable(spec.problem(), spec.raw());
    }
    return copy;
  }
}
