package dev.quotient.embedded;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Function;

/**
 * fabric8's CRUD mock API server on 127.0.0.1 with Quotient's CRDs installed: it stores objects and
 * serves watches, and enforces nothing (README, "Two API servers"). Fault injection for tests is a
 * dispatcher of theirs, passed to {@link #start(int, Function)}.
 */
public final class MockApiServer implements AutoCloseable {
  public static final List<String> CRDS =
      List.of(
          "licenses.quotient.dev-v1.yml",
          "projects.quotient.dev-v1.yml",
          "dedicatednodegroups.quotient.dev-v1.yml");

  /**
   * The mock logs every request through java.util.logging; keep a reference so the level sticks.
   */
  private static final java.util.logging.Logger MOCK_LOG = quiet();

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private MockApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  /** Starts on the given port (0 = any free port) and installs the CRDs. */
  public static MockApiServer start(int port) {
    return start(port, ApiServerDispatcher::new);
  }

  /**
   * Starts with a dispatcher of the caller's: fabric8's CRUD dispatcher or one that extends it
   * (tests inject faults this way). It gets the map of expected requests the server's {@code
   * expect()} fills.
   */
  public static MockApiServer start(
      int port,
      Function<Map<ServerRequest, Queue<ServerResponse>>, ? extends KubernetesMixedDispatcher>
          dispatcherFor) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMixedDispatcher dispatcher = dispatcherFor.apply(responses);
    KubernetesMockServer server =
        new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // JOSDK's leader election first asks for a SelfSubjectRulesReview, which the CRUD mock
    // refuses (422); answer it as a real server would for an admin.
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{},
             "spec":{},"status":{"incomplete":false,"nonResourceRules":[],
             "resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]}}
            """)
        .always();
    MockApiServer api = new MockApiServer(server);
    api.installCrds();
    return api;
  }

  private void installCrds() {
    for (String file : CRDS) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(ApiCatalog.loadCrd(file))
          .create();
    }
  }

  private static java.util.logging.Logger quiet() {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  public KubernetesClient client() {
    return client;
  }

  /** A client of its own (the operator closes nothing it did not open). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  /** Writes a kubeconfig pointing at this server and returns its path. */
  public Path writeKubeconfig(Path file) {
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: quotient-embedded
          cluster:
            server: %s
        users:
        - name: embedded
          user:
            token: embedded
        contexts:
        - name: quotient-embedded
          context:
            cluster: quotient-embedded
            user: embedded
            namespace: default
        current-context: quotient-embedded
        """
            .formatted(url());
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
