package dev.quotient.controller;

import dev.quotient.status.Reason;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads settings when their ConfigMap changes. A broken change is refused (the last good settings
 * stay), logged, and reported as a Warning Event on the ConfigMap.
 */
public final class SettingsWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SettingsWatcher.class);
  private final SharedIndexInformer<ConfigMap> informer;

  public SettingsWatcher(
      KubernetesClient client,
      String namespace,
      String name,
      SettingsStore store,
      EventRecorder events) {
    this.informer =
        client
            .configMaps()
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ConfigMap cm) {
                    apply(cm);
                  }

                  @Override
                  public void onUpdate(ConfigMap oldCm, ConfigMap cm) {
                    apply(cm);
                  }

                  @Override
                  public void onDelete(ConfigMap cm, boolean unknown) {
                    log.warn(
                        "settings ConfigMap {}/{} was deleted; keeping the settings in force",
                        namespace,
                        name);
                  }

                  private void apply(ConfigMap cm) {
                    List<String> problems =
                        store.reload(cm.getData() == null ? Map.of() : cm.getData());
                    if (!problems.isEmpty()) {
                      events.warning(
                          cm,
                          Reason.SettingsInvalid,
                          "Settings change refused, the last good settings stay: "
                              + String.join("; ", problems));
                    }
                  }
                });
  }

  @Override
  public void close() {
    informer.close();
  }
}
