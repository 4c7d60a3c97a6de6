package dev.quotient.embedded;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's CRUD mock API server on 127.0.0.1 with Quotient's CRDs installed: it stores
 * objects and serves watches, and enforces nothing (see PLATFORM-NOTES.md).
 */
public final class MockApiServer implements AutoCloseable {
  public static final List<String> CRDS = List.of(
      "licenses.quotient.dev-v1.yml", "projects.quotient.dev-v1.yml", "dedicatednodegroups.quotient.dev-v1.yml");
  /** The mock logs every request through java.util.logging; keep a reference so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = quiet();
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private final SlowableDispatcher dispatcher;

  private MockApiServer(KubernetesMockServer server, SlowableDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = server.createClient();
  }

  /**
   * Delays requests whose method and path match (e.g. "GET /api/v1/pods"), to test what the
   * operator does while a LIST is slow; null clears it.
   */
  public void delay(java.util.function.Predicate<String> methodAndPath, java.time.Duration by) {
    dispatcher.rule = methodAndPath == null ? null : new DelayRule(methodAndPath, by);
  }

  /**
   * Answers the next {@code times} requests whose method and path match with {@code code} and a
   * Status whose message is {@code message} instead of serving them, as a real API server's
   * admission (ResourceQuota, a webhook) or an outage would.
   */
  public void refuse(java.util.function.Predicate<String> methodAndPath, int code, String message, int times) {
    dispatcher.refusal = new RefusalRule(methodAndPath, code, message, new java.util.concurrent.atomic.AtomicInteger(times));
  }

  /**
   * Runs {@code then} right after the next request whose method and path match has been served
   * (the response is computed and the object stored, but not yet sent back), once: to stop the
   * operator at a write point, as a crash between two writes would.
   */
  public void afterServed(java.util.function.Predicate<String> methodAndPath, Runnable then) {
    dispatcher.after = methodAndPath == null ? null : new AfterRule(methodAndPath, then,
        new java.util.concurrent.atomic.AtomicBoolean());
  }

  private record AfterRule(java.util.function.Predicate<String> match, Runnable then,
      java.util.concurrent.atomic.AtomicBoolean fired) {}

  private record DelayRule(java.util.function.Predicate<String> match, java.time.Duration by) {}

  private record RefusalRule(java.util.function.Predicate<String> match, int code, String message,
      java.util.concurrent.atomic.AtomicInteger left) {}

  /** The mock's dispatcher with an optional delay rule in front. */
  private static final class SlowableDispatcher extends KubernetesMixedDispatcher {
    private volatile DelayRule rule;
    private volatile RefusalRule refusal;
    private volatile AfterRule after;

    SlowableDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
      super(responses);
    }

    @Override
    public io.fabric8.mockwebserver.http.MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
      DelayRule r = rule;
      if (r != null && r.match().test(request.getMethod() + " " + request.getPath())) {
        try {
          Thread.sleep(r.by().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      RefusalRule no = refusal;
      if (no != null && no.match().test(request.getMethod() + " " + request.getPath())
          && no.left().getAndDecrement() > 0) {
        io.fabric8.kubernetes.api.model.Status status = new io.fabric8.kubernetes.api.model.StatusBuilder()
            .withStatus("Failure").withCode(no.code()).withMessage(no.message()).build();
        return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(no.code())
            .setHeader("Content-Type", "application/json")
            .setBody(io.fabric8.kubernetes.client.utils.Serialization.asJson(status));
      }
      io.fabric8.mockwebserver.http.MockResponse served = super.dispatch(request);
      AfterRule a = after;
      if (a != null && a.match().test(request.getMethod() + " " + request.getPath()) && a.fired().compareAndSet(false, true)) {
        a.then().run();
      }
      return served;
    }
  }

  /** Starts on the given port (0 = any free port) and installs the CRDs. */
  public static MockApiServer start(int port) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    SlowableDispatcher dispatcher = new SlowableDispatcher(responses);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // JOSDK's leader election first asks for a SelfSubjectRulesReview, which the CRUD mock
    // refuses (422); answer it as a real server would for an admin.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{},
             "spec":{},"status":{"incomplete":false,"nonResourceRules":[],
             "resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]}}
            """).always();
    MockApiServer api = new MockApiServer(server, dispatcher);
    api.installCrds();
    return api;
  }

  private void installCrds() {
    for (String file : CRDS) {
      try (InputStream in = MockApiServer.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + file + " is not on the classpath; build with 'mvn package'");
        }
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
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
    String yaml = """
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
        """.formatted(url());
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
