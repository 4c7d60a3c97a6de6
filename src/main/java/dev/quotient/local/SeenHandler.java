package dev.quotient.local;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/**
 * An informer handler for the benchmark's watches, which care when an object is first seen and how
 * it changes, never that it went.
 */
final class SeenHandler {
  private SeenHandler() {}

  static <T> ResourceEventHandler<T> of(Consumer<T> added, Consumer<T> updated) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        added.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        updated.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }
}
