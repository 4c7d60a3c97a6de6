package dev.quotient.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quotient.controller.OperatorConfig;
import dev.quotient.controller.QuotientOperator;
import dev.quotient.run.DefaultNodes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real control plane ({@link ControlPlane}) made ready for Quotient: the CRDs, the operator's
 * manifests from {@code operator/} (namespace, ServiceAccount, RBAC, admission policies; not the
 * Deployment: the operator runs in this JVM), the settings ConfigMap, and the operator itself,
 * authenticated as its ServiceAccount (a bound token), not as admin, so its RBAC is exercised. Used
 * by {@code quotient local}, {@code quotient benchmark} and the real-cluster tests.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  public static final String NAMESPACE = "quotient-system";
  public static final String SERVICE_ACCOUNT = "quotient-operator";
  public static final String SETTINGS_CONFIG_MAP = "quotient-settings";
  public static final List<String> CRDS =
      List.of(
          "licenses.quotient.dev-v1.yml",
          "projects.quotient.dev-v1.yml",
          "dedicatednodegroups.quotient.dev-v1.yml");
  private static final java.util.Set<String> NAMESPACED_KINDS =
      java.util.Set.of(
          "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Deployment", "Service", "Secret");

  /** operator/ as copied into the jar by the build (see pom.xml). */
  static final String OPERATOR_RESOURCES = "/dev/quotient/local/operator/";

  /**
   * @param nodesFile Node objects for kwok (null: the simulation's default nodes)
   * @param settings flat settings keys merged over operator/'s settings ConfigMap
   * @param logFile the control-plane script's log
   * @param operatorRequests counts the operator client's requests (null: not counted)
   */
  public record Options(
      Path nodesFile,
      Map<String, String> settings,
      Path logFile,
      boolean runOperator,
      RequestCounter operatorRequests,
      Integer dashboardPort) {
    /** The dashboard is on, on a free port of 127.0.0.1. */
    public static Options defaults(Path logFile) {
      return new Options(null, DefaultNodes.SETTINGS, logFile, true, null, 0);
    }

    public Options withNodesFile(Path file) {
      return new Options(file, settings, logFile, runOperator, operatorRequests, dashboardPort);
    }

    public Options withOperatorRequests(RequestCounter counter) {
      return new Options(nodesFile, settings, logFile, runOperator, counter, dashboardPort);
    }

    /**
     * The control plane with the CRDs and settings, but no operator (benchmarks start their own).
     */
    public Options withoutOperator() {
      return new Options(nodesFile, settings, logFile, false, operatorRequests, dashboardPort);
    }

    /** null = no dashboard. */
    public Options withDashboardPort(Integer port) {
      return new Options(nodesFile, settings, logFile, runOperator, operatorRequests, port);
    }
  }

  private final ControlPlane controlPlane;
  private final KubernetesClient admin;
  private final KubernetesClient operatorClient;
  // Replaced by restartOperator, as a Deployment replaces the operator's pod.
  private volatile QuotientOperator operator;
  private final OperatorConfig operatorConfig;

  private LocalCluster(
      ControlPlane controlPlane,
      KubernetesClient admin,
      KubernetesClient operatorClient,
      QuotientOperator operator,
      OperatorConfig operatorConfig) {
    this.controlPlane = controlPlane;
    this.admin = admin;
    this.operatorClient = operatorClient;
    this.operator = operator;
    this.operatorConfig = operatorConfig;
  }

  public static LocalCluster start(Options options) {
    KubeBinaries binaries = KubeBinaries.locate();
    Path nodes =
        options.nodesFile() != null ? options.nodesFile() : ControlPlane.defaultNodesFile();
    ControlPlane cp = ControlPlane.start(binaries, nodes, options.logFile(), Duration.ofMinutes(3));
    KubernetesClient admin = null;
    KubernetesClient operatorClient = null;
    try {
      admin = new KubernetesClientBuilder().withConfig(cp.adminConfig()).build();
      installCrds(admin);
      installOperatorManifests(admin);
      writeSettings(admin, options.settings());
      QuotientOperator operator = null;
      OperatorConfig config =
          OperatorConfig.defaults(NAMESPACE).withDashboardPort(options.dashboardPort());
      if (options.runOperator()) {
        KubernetesClientBuilder b =
            new KubernetesClientBuilder()
                .withConfig(serviceAccountConfig(cp.adminConfig(), serviceAccountToken(admin)));
        if (options.operatorRequests() != null) {
          b.withHttpClientBuilderConsumer(options.operatorRequests().installer());
        }
        operatorClient = b.build();
        operator = QuotientOperator.start(operatorClient, config);
      }
      return new LocalCluster(cp, admin, operatorClient, operator, config);
    } catch (RuntimeException e) {
      if (operatorClient != null) {
        operatorClient.close();
      }
      if (admin != null) {
        admin.close();
      }
      cp.close();
      throw e;
    }
  }

  /** Creates the CRDs the build generated and waits until the API server serves them. */
  static void installCrds(KubernetesClient admin) {
    for (String file : CRDS) {
      try (InputStream in = LocalCluster.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
        if (in == null) {
          throw new IllegalStateException(
              "CRD " + file + " is not on the classpath; build with 'mvn package'");
        }
        CustomResourceDefinition crd =
            admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        admin
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .resource(crd)
            .createOr(NonDeletingOperation::update);
        admin
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                c ->
                    c != null
                        && c.getStatus() != null
                        && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                            .anyMatch(
                                cond ->
                                    "Established".equals(cond.getType())
                                        && "True".equals(cond.getStatus())),
                30,
                TimeUnit.SECONDS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The objects of operator/kustomization.yaml's resources, in its order, with its namespace,
   * except the Deployment (the operator runs in this JVM instead) and {@code ../crds} (installed
   * from the build's generated CRDs, which CrdsUpToDateTest keeps equal to crds/).
   */
  public static List<HasMetadata> operatorManifests(KubernetesClient client) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String file : kustomizationResources()) {
      if (file.contains("/") || !(file.endsWith(".yaml") || file.endsWith(".yml"))) {
        continue;
      }
      try (InputStream in = LocalCluster.class.getResourceAsStream(OPERATOR_RESOURCES + file)) {
        if (in == null) {
          throw new IllegalStateException(
              "operator/"
                  + file
                  + " (listed in operator/kustomization.yaml) is not on the classpath");
        }
        for (HasMetadata o : client.load(in).items()) {
          if ("Deployment".equals(o.getKind())) {
            continue;
          }
          if (NAMESPACED_KINDS.contains(o.getKind()) && o.getMetadata().getNamespace() == null) {
            o.getMetadata().setNamespace(NAMESPACE); // kustomization.yaml's namespace
          }
          objects.add(o);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  static List<String> kustomizationResources() {
    try (InputStream in =
        LocalCluster.class.getResourceAsStream(OPERATOR_RESOURCES + "kustomization.yaml")) {
      if (in == null) {
        throw new IllegalStateException(
            "operator/kustomization.yaml is not on the classpath; build with 'mvn package'");
      }
      Map<String, Object> k = new ObjectMapper(new YAMLFactory()).readValue(in, Map.class);
      return (List<String>) k.getOrDefault("resources", List.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void installOperatorManifests(KubernetesClient admin) {
    for (HasMetadata o : operatorManifests(admin)) {
      String ns = o.getMetadata().getNamespace();
      if (ns != null && admin.namespaces().withName(ns).get() == null) {
        admin
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .createOr(NonDeletingOperation::update);
      }
      admin.resource(o).createOr(NonDeletingOperation::update);
    }
  }

  /** Flat keys win over operator/'s settings.yaml (SettingsParser), so they are merged in. */
  static void writeSettings(KubernetesClient admin, Map<String, String> settings) {
    ConfigMap existing =
        admin.configMaps().inNamespace(NAMESPACE).withName(SETTINGS_CONFIG_MAP).get();
    Map<String, String> data =
        new LinkedHashMap<>(
            existing == null || existing.getData() == null ? Map.of() : existing.getData());
    data.putAll(settings);
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(SETTINGS_CONFIG_MAP)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withData(data)
                .build())
        .createOr(NonDeletingOperation::update);
  }

  /** A bound token of the operator's ServiceAccount (what a pod of the Deployment would get). */
  static String serviceAccountToken(KubernetesClient admin) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin
            .serviceAccounts()
            .inNamespace(NAMESPACE)
            .withName(SERVICE_ACCOUNT)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(7L * 24 * 3600)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 || System.nanoTime() > deadline) {
          throw e;
        }
        sleep(200);
      }
    }
  }

  /** The admin configuration with its client certificate swapped for a bearer token. */
  static Config serviceAccountConfig(Config admin, String token) {
    admin.setClientCertData(null);
    admin.setClientCertFile(null);
    admin.setClientKeyData(null);
    admin.setClientKeyFile(null);
    admin.setOauthToken(token);
    return admin;
  }

  /**
   * A client that acts as {@code user} in {@code groups} (Impersonate-User/Group headers, allowed
   * for admins).
   */
  public KubernetesClient impersonating(String user, String... groups) {
    Config c = controlPlane.adminConfig();
    c.setImpersonateUsername(user);
    c.setImpersonateGroups(groups);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  /** The built kubectl, against this cluster as admin. */
  public Kubectl kubectl() {
    return new Kubectl(controlPlane.binaries().kubectl(), controlPlane.kubeconfig());
  }

  public KubernetesClient admin() {
    return admin;
  }

  /**
   * A new client acting as the operator's ServiceAccount, counting its requests in {@code requests}
   * (null: not counted); the caller closes it.
   */
  public KubernetesClient newOperatorClient(RequestCounter requests) {
    KubernetesClientBuilder b =
        new KubernetesClientBuilder()
            .withConfig(
                serviceAccountConfig(controlPlane.adminConfig(), serviceAccountToken(admin)));
    if (requests != null) {
      b.withHttpClientBuilderConsumer(requests.installer());
    }
    return b.build();
  }

  /** The operator's own client (its ServiceAccount token); null when the operator is not run. */
  public KubernetesClient operatorClient() {
    return operatorClient;
  }

  public QuotientOperator operator() {
    return operator;
  }

  /**
   * Stops the operator, runs {@code whileStopped}, and starts a new one with the same
   * ServiceAccount client: it rebuilds its caches and its lease ledger from the API server, as the
   * replacement pod of a Deployment would.
   */
  public synchronized void restartOperator(Runnable whileStopped) {
    if (operator == null) {
      throw new IllegalStateException("this cluster runs no operator");
    }
    operator.close();
    try {
      whileStopped.run();
    } finally {
      operator = QuotientOperator.start(operatorClient, operatorConfig);
    }
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The user name the API server sees for the operator. */
  public static String operatorUser() {
    return "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    admin.close();
    controlPlane.close();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
