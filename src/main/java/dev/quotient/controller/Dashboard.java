package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.web.dashboard.DashboardServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's server and the one thing it adds to the operator's reads: the informer on the
 * Projects' rejection Events. Only there when the dashboard is on.
 */
final class Dashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  private final RejectionHistory rejections;
  private final DashboardServer server;

  private Dashboard(RejectionHistory rejections, DashboardServer server) {
    this.rejections = rejections;
    this.server = server;
  }

  static Dashboard start(
      KubernetesClient client,
      OperatorConfig config,
      LeaseLedger ledger,
      SettingsStore settings,
      ProjectReconciler projects,
      LicenseReconciler licenses,
      DedicatedNodeGroupReconciler nodeGroups) {
    RejectionHistory rejections =
        new RejectionHistory(
            client,
            // The dashboard only: the operator goes on deciding without this history.
            failure ->
                log.error(
                    "The informer for the rejection Events stopped and cannot resume: {}",
                    failure.toString(),
                    failure));
    try {
      DashboardServer server =
          new DashboardServer(
              config.dashboardHost(),
              config.dashboardPort(),
              new DashboardFeed(
                  ledger, settings, projects, licenses, nodeGroups, rejections, config.clock()));
      return new Dashboard(rejections, server);
    } catch (RuntimeException e) {
      rejections.close();
      throw e;
    }
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    rejections.close();
  }
}
