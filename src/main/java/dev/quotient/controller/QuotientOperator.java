package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.settings.InvalidSettingsException;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import dev.quotient.timers.GpuActivityTracker;
import dev.quotient.web.HealthProbe;
import dev.quotient.web.MetricsServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the operator by hand: settings, ledger, recorder, the three reconcilers, and JOSDK
 * configured for API servers without server-side apply (the same path in tests and production).
 */
public final class QuotientOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QuotientOperator.class);

  public static final String LEASE_NAME = "quotient-operator";
  private final Operator operator;
  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final SettingsWatcher watcher;

  private final MetricsServer metrics;
  private final ProjectReconciler projects;
  private final NodeCache nodes;
  private final PrepullController prepull;
  private final Dashboard dashboard;
  private final OperatorHealth health;
  private final EventRecorder events;
  private final DcgmExporterScraper dcgm;

  private QuotientOperator(
      Operator operator,
      SettingsStore settings,
      LeaseLedger ledger,
      SettingsWatcher watcher,
      MetricsServer metrics,
      ProjectReconciler projects,
      NodeCache nodes,
      PrepullController prepull,
      Dashboard dashboard,
      OperatorHealth health,
      EventRecorder events,
      DcgmExporterScraper dcgm) {
    this.dcgm = dcgm;
    this.prepull = prepull;
    this.operator = operator;
    this.settings = settings;
    this.ledger = ledger;
    this.watcher = watcher;
    this.metrics = metrics;
    this.projects = projects;
    this.nodes = nodes;
    this.dashboard = dashboard;
    this.health = health;
    this.events = events;
  }

  /** What /healthz and /readyz answer. */
  public HealthProbe health() {
    return health;
  }

  /**
   * Loads the settings (throws {@link InvalidSettingsException} when they are unusable, so the
   * process can exit with the reason) and starts the reconcilers.
   */
  public static QuotientOperator start(KubernetesClient client, OperatorConfig config) {
    return start(client, config, null);
  }

  /**
   * Starts the operator, and starts it again with backoff while a start fails for a reason that
   * waiting may cure (see {@link StartupRetry}); throws the last failure once {@code retry} gives
   * up, and {@link InvalidSettingsException} at once.
   */
  public static QuotientOperator startRetrying(
      KubernetesClient client, OperatorConfig config, StartupRetry retry) {
    return retry.start(config.metricsPort(), note -> start(client, config, note));
  }

  /**
   * One start attempt. Whatever it opened is closed again when it fails.
   *
   * @param startupNote what /readyz adds while this attempt starts (why the last one failed), or
   *     null
   */
  static QuotientOperator start(
      KubernetesClient client, OperatorConfig config, String startupNote) {
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      return start(client, config, startupNote, opened);
    } catch (RuntimeException e) {
      for (int i = opened.size() - 1; i >= 0; i--) {
        try {
          opened.get(i).close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
  }

  private static QuotientOperator start(
      KubernetesClient client,
      OperatorConfig config,
      String startupNote,
      List<AutoCloseable> opened) {
    Settings initial = loadSettings(client, config);
    SettingsStore settings = new SettingsStore(initial);
    LeaseLedger ledger = new LeaseLedger();
    EventRecorder events = new EventRecorder(client, config.clock());
    opened.add(events);
    // One registry for JOSDK's reconcile metrics, ours and the ledger's: /metrics scrapes it.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics operatorMetrics = new OperatorMetrics(registry);
    OperatorHealth health =
        new OperatorHealth(
            config.leaderElection() == null ? null : config.leaderElection().identity(),
            startupNote);
    // Served before any informer lists, so the probes can say "starting" (and why) rather than
    // refuse while the caches fill.
    MetricsServer metrics =
        config.metricsPort() == null
            ? null
            : new MetricsServer("0.0.0.0", config.metricsPort(), ledger, registry, health);
    if (metrics != null) {
      opened.add(metrics);
    }
    // An informer that fails while the operator starts fails the start, which startRetrying tries
    // again; only one that stops for good once the operator runs leaves it blind: then the process
    // exits (in production) and the Deployment restarts it with fresh caches.
    BiConsumer<String, Throwable> informerStopped =
        (what, failure) -> {
          if (!health.hasStarted()) {
            log.warn("The informer for {} failed while starting: {}", what, failure.toString());
            return;
          }
          log.error("The informer for {} stopped and cannot resume: {}", what, failure, failure);
          health.informerStopped(what);
          if (config.exitOnInformerFailure()) {
            System.exit(1);
          }
        };
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withResourceCloner(
                        new UnreadableKeepingCloner(client.getKubernetesSerialization()))
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                    .withConcurrentReconciliationThreads(config.reconcileThreads())
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(5))
                    // Nothing may reconcile on a cache that has not listed everything (the
                    // ledger is rebuilt from the pod list): an informer that cannot start fails
                    // the whole start, and startRetrying starts again, rather than JOSDK going
                    // on with it unsynced.
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofMinutes(2))
                    .withInformerStoppedHandler(
                        (informer, failure) -> {
                          if (failure != null) {
                            informerStopped.accept(
                                informer.getApiTypeClass().getSimpleName(), failure);
                          }
                        })
                    .withLeaderElectionConfiguration(
                        config.leaderElection() == null
                            ? null
                            : LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                                    LEASE_NAME)
                                .withLeaseNamespace(config.namespace())
                                .withIdentity(config.leaderElection().identity())
                                .withLeaseDuration(config.leaderElection().leaseDuration())
                                .withRenewDeadline(config.leaderElection().renewDeadline())
                                .withRetryPeriod(config.leaderElection().retryPeriod())
                                .withExitOnStopLeading(config.leaderElection().exitOnStopLeading())
                                .withLeaderCallbacks(health.leaderCallbacks())
                                .build()));
    opened.add(operator::stop);
    NodeCache nodes = new NodeCache(client, failure -> informerStopped.accept("Node", failure));
    opened.add(nodes);
    GpuActivityTracker gpuActivity = new GpuActivityTracker();
    DcgmExporterScraper dcgm =
        new DcgmExporterScraper(settings, config.clock(), gpuActivity, operatorMetrics);
    opened.add(dcgm);
    ProjectReconciler projects =
        new ProjectReconciler(
            settings, ledger, nodes, events, config.clock(), operatorMetrics, gpuActivity);
    opened.add(projects);
    operator.register(
        projects,
        o ->
            o.withItemStore(PrunedStore.projects())
                // Each project's next look is the lifecycle's to say (ProjectTimerDriver). JOSDK's
                // own ten-hour resync left a cancelled java.util.Timer task behind per reconcile,
                // kept until its ten hours were up: heap that grew with every look.
                .withReconciliationMaxInterval(null));
    LicenseReconciler licenses = new LicenseReconciler(settings, ledger, events, config.clock());
    operator.register(licenses);
    DedicatedNodeGroupReconciler nodeGroups =
        new DedicatedNodeGroupReconciler(settings, ledger, nodes, events, config.clock());
    operator.register(nodeGroups);
    SettingsWatcher watcher =
        new SettingsWatcher(
            client, config.namespace(), config.settingsConfigMap(), settings, events);
    opened.add(watcher);
    health.watch(
        projects::ledgerRebuild,
        () -> operator.getRuntimeInfo().unhealthyInformerWrappingEventSourceHealthIndicator());
    PrepullController prepull =
        new PrepullController(
            client,
            config.namespace(),
            settings,
            nodes,
            events,
            health::leads,
            failure -> informerStopped.accept("DaemonSet/Pod (prepull)", failure));
    opened.add(prepull);
    // Registered before the operator starts, so no leadership it wins is missed.
    health.onStartLeading(prepull::trigger);
    operator.start();
    health.started();
    // Every replica scrapes (one request per interval), so a new leader's view is warm.
    dcgm.start();
    Dashboard dashboard =
        config.dashboardPort() == null
            ? null
            : Dashboard.start(client, config, ledger, settings, projects, licenses, nodeGroups);
    log.info(
        "Quotient operator started (settings {}/{}{}{})",
        config.namespace(),
        config.settingsConfigMap(),
        metrics == null ? "" : ", metrics on :" + metrics.port(),
        dashboard == null
            ? ""
            : ", dashboard on http://" + config.dashboardHost() + ":" + dashboard.port() + "/");
    return new QuotientOperator(
        operator, settings, ledger, watcher, metrics, projects, nodes, prepull, dashboard, health,
        events, dcgm);
  }

  static Settings loadSettings(KubernetesClient client, OperatorConfig config) {
    ConfigMap cm =
        client
            .configMaps()
            .inNamespace(config.namespace())
            .withName(config.settingsConfigMap())
            .get();
    if (cm == null) {
      log.warn(
          "settings ConfigMap {}/{} not found: using the defaults",
          config.namespace(),
          config.settingsConfigMap());
      return SettingsParser.parse(Map.of());
    }
    return SettingsParser.parse(cm.getData() == null ? Map.of() : cm.getData());
  }

  /**
   * Fires the project timers that are due by the operator's clock now: for tests that move a fake
   * clock instead of sleeping.
   */
  public void checkTimersNow() {
    // The GPU activity first: the timers that fire now decide on the scrape of now.
    dcgm.scrapeIfDue();
    projects.checkTimersNow();
  }

  /** How many of the cached Projects this instance has reconciled at least once. */
  public int reconciledOnce() {
    return projects.reconciledOnce();
  }

  /** One look at every cached Project, without acting: see {@link ProjectReconciler#lookAtAll}. */
  public ProjectReconciler.LookPass lookAtAll() {
    return projects.lookAtAll();
  }

  public LeaseLedger ledger() {
    return ledger;
  }

  public Settings settings() {
    return settings.current();
  }

  /** The port of /metrics, or -1 when not served. */
  public int metricsPort() {
    return metrics == null ? -1 : metrics.port();
  }

  /** The port of the dashboard, or -1 when not served. */
  public int dashboardPort() {
    return dashboard == null ? -1 : dashboard.port();
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.close();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    watcher.close();
    dcgm.close();
    prepull.close();
    // The timers (and the sweep for deleted projects) stop before the informers: a stopping
    // informer serves an empty cache, in which every project looks deleted.
    projects.close();
    operator.stop();
    nodes.close();
    events.close();
  }
}
