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
 * fabric8's CRUD mock API server on 127.0.0.1 with Quotient's CRDs installed: it stores objects and
 * serves watches, and enforces nothing (see PLATFORM-NOTES.md).
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
  public void refuse(
      java.util.function.Predicate<String> methodAndPath, int code, String message, int times) {
    dispatcher.refusal =
        new RefusalRule(
            methodAndPath, code, message, new java.util.concurrent.atomic.AtomicInteger(times));
  }

  /**
   * Runs {@code then} right after the next request whose method and path match has been served (the
   * response is computed and the object stored, but not yet sent back), once: to stop the operator
   * at a write point, as a crash between two writes would.
   */
  public void afterServed(java.util.function.Predicate<String> methodAndPath, Runnable then) {
    dispatcher.after =
        methodAndPath == null
            ? null
            : new AfterRule(methodAndPath, then, new java.util.concurrent.atomic.AtomicBoolean());
  }

  /**
   * Holds back every event sent on watches whose request ("GET /api/v1/pods?...watch=true") matches
   * by {@code by}, in order, so an informer's cache lags the server (a stale read); null clears it
   * (events already held still arrive late).
   */
  public void lagWatches(java.util.function.Predicate<String> watchRequest, java.time.Duration by) {
    dispatcher.lag = watchRequest == null ? null : new DelayRule(watchRequest, by);
  }

  /**
   * Drops the next {@code times} watch events whose watch request matches and whose JSON text
   * matches {@code event} (e.g. contains "\"type\":\"DELETED\"" and a pod name): an event that
   * never arrives.
   */
  public void dropWatchEvents(
      java.util.function.Predicate<String> watchRequest,
      java.util.function.Predicate<String> event,
      int times) {
    dispatcher.drop =
        new DropRule(watchRequest, event, new java.util.concurrent.atomic.AtomicInteger(times));
  }

  /**
   * Ends every open watch whose request matches as an API server does when the resource version it
   * watches from is compacted: an ERROR event with a 410 Gone Status, then the socket closes.
   * Returns how many watches were ended; the clients must relist.
   */
  public int expireWatches(java.util.function.Predicate<String> watchRequest) {
    int n = 0;
    for (WatchSocket w : dispatcher.sockets) {
      if (watchRequest.test(w.request) && !w.expired) {
        w.expire();
        n++;
      }
    }
    return n;
  }

  /** Watches open now (not expired) whose request matches. */
  public int openWatches(java.util.function.Predicate<String> watchRequest) {
    return (int)
        dispatcher.sockets.stream().filter(w -> watchRequest.test(w.request) && !w.expired).count();
  }

  private record DropRule(
      java.util.function.Predicate<String> match,
      java.util.function.Predicate<String> event,
      java.util.concurrent.atomic.AtomicInteger left) {}

  /** The server side of one watch, through which the rules above see each event it sends. */
  private static final class WatchSocket implements io.fabric8.mockwebserver.http.WebSocket {
    private final io.fabric8.mockwebserver.http.WebSocket raw;
    private final String request;
    private final SlowableDispatcher rules;
    private volatile boolean expired; // after the 410 (or a close) nothing more is sent
    private java.util.concurrent.ScheduledExecutorService
        delays; // one per watch: a stuck socket holds up no other
    private long notBefore; // nanoTime before which nothing more may be sent directly (keeps order)

    WatchSocket(
        io.fabric8.mockwebserver.http.WebSocket raw, String request, SlowableDispatcher rules) {
      this.raw = raw;
      this.request = request;
      this.rules = rules;
    }

    @Override
    public io.fabric8.mockwebserver.http.RecordedRequest request() {
      return raw.request();
    }

    @Override
    public synchronized boolean send(String text) {
      if (expired) {
        return true;
      }
      DropRule d = rules.drop;
      if (d != null
          && d.match().test(request)
          && d.event().test(text)
          && d.left().getAndDecrement() > 0) {
        return true;
      }
      DelayRule lag = rules.lag;
      long now = System.nanoTime();
      long at =
          lag != null && lag.match().test(request)
              ? Math.max(now + lag.by().toNanos(), notBefore)
              : notBefore;
      if (at <= now && delays == null) {
        return raw.send(text);
      }
      // Once anything was held back, everything goes through the one queue, so order is kept.
      notBefore = Math.max(at, now);
      if (delays == null) {
        delays =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "mock-watch-lag");
                  t.setDaemon(true);
                  return t;
                });
      }
      delays.schedule(
          () -> {
            if (!expired) {
              raw.send(text);
            }
          },
          Math.max(0, at - now),
          java.util.concurrent.TimeUnit.NANOSECONDS);
      return true;
    }

    @Override
    public boolean send(byte[] bytes) {
      return raw.send(bytes);
    }

    @Override
    public boolean close(int code, String reason) {
      return raw.close(code, reason);
    }

    synchronized void expire() {
      raw.send(
          "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\","
              + "\"code\":410,\"reason\":\"Expired\",\"message\":\"too old resource version\"}}");
      // The client closes the watch on this event and relists. Closing it from here instead could
      // reach the client first: it would then re-watch from its last resourceVersion without a
      // relist, and this mock (unlike a real API server) replays nothing since that version.
      ended();
    }

    synchronized void ended() {
      expired = true;
      if (delays != null) {
        delays.shutdownNow();
      }
    }
  }

  /** Hands the watch listener our socket instead of the raw one. */
  private static final class WatchListener extends io.fabric8.mockwebserver.http.WebSocketListener {
    private final io.fabric8.mockwebserver.http.WebSocketListener inner;
    private final String request;
    private final SlowableDispatcher rules;
    private volatile WatchSocket socket;

    WatchListener(
        io.fabric8.mockwebserver.http.WebSocketListener inner,
        String request,
        SlowableDispatcher rules) {
      this.inner = inner;
      this.request = request;
      this.rules = rules;
    }

    private synchronized WatchSocket wrap(io.fabric8.mockwebserver.http.WebSocket raw) {
      if (socket == null) {
        socket = new WatchSocket(raw, request, rules);
        rules.sockets.add(socket);
      }
      return socket;
    }

    @Override
    public void onBeforeAccept(
        io.fabric8.mockwebserver.http.WebSocket ws, io.fabric8.mockwebserver.http.Response r) {
      inner.onBeforeAccept(wrap(ws), r);
    }

    @Override
    public void onOpen(
        io.fabric8.mockwebserver.http.WebSocket ws, io.fabric8.mockwebserver.http.Response r) {
      inner.onOpen(wrap(ws), r);
    }

    @Override
    public void onMessage(io.fabric8.mockwebserver.http.WebSocket ws, String text) {
      inner.onMessage(wrap(ws), text);
    }

    @Override
    public void onMessage(
        io.fabric8.mockwebserver.http.WebSocket ws,
        io.fabric8.mockwebserver.http.ByteString bytes) {
      inner.onMessage(wrap(ws), bytes);
    }

    @Override
    public void onMessage(io.fabric8.mockwebserver.http.WebSocket ws, byte[] bytes) {
      inner.onMessage(wrap(ws), bytes);
    }

    @Override
    public void onClosing(io.fabric8.mockwebserver.http.WebSocket ws, int code, String reason) {
      wrap(ws).ended();
      inner.onClosing(wrap(ws), code, reason);
    }

    @Override
    public void onClosed(io.fabric8.mockwebserver.http.WebSocket ws, int code, String reason) {
      wrap(ws).ended();
      rules.sockets.remove(socket);
      inner.onClosed(wrap(ws), code, reason);
    }

    @Override
    public void onFailure(
        io.fabric8.mockwebserver.http.WebSocket ws,
        Throwable t,
        io.fabric8.mockwebserver.http.Response r) {
      wrap(ws).ended();
      rules.sockets.remove(socket);
      inner.onFailure(wrap(ws), t, r);
    }
  }

  private record AfterRule(
      java.util.function.Predicate<String> match,
      Runnable then,
      java.util.concurrent.atomic.AtomicBoolean fired) {}

  private record DelayRule(java.util.function.Predicate<String> match, java.time.Duration by) {}

  private record RefusalRule(
      java.util.function.Predicate<String> match,
      int code,
      String message,
      java.util.concurrent.atomic.AtomicInteger left) {}

  /** The mock's dispatcher with an optional delay rule in front. */
  private static final class SlowableDispatcher extends KubernetesMixedDispatcher {
    private volatile DelayRule rule;
    private volatile RefusalRule refusal;
    private volatile AfterRule after;
    private volatile DelayRule lag;
    private volatile DropRule drop;
    private final java.util.Set<WatchSocket> sockets =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    SlowableDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
      super(responses);
    }

    @Override
    public io.fabric8.mockwebserver.http.MockResponse dispatch(
        io.fabric8.mockwebserver.http.RecordedRequest request) {
      DelayRule r = rule;
      if (r != null && r.match().test(request.getMethod() + " " + request.getPath())) {
        try {
          Thread.sleep(r.by().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      RefusalRule no = refusal;
      if (no != null
          && no.match().test(request.getMethod() + " " + request.getPath())
          && no.left().getAndDecrement() > 0) {
        return status(no.code(), null, no.message());
      }
      io.fabric8.mockwebserver.http.MockResponse served;
      try {
        served = super.dispatch(request);
      } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
        // A JSON patch that does not apply (a failed "test", a missing path): the mock lets the
        // exception escape and drops the connection, which the client retries for a minute; a
        // real API server answers 422 at once.
        return status(422, "Invalid", "the patch does not apply: " + e.getMessage());
      }
      AfterRule a = after;
      if (a != null
          && a.match().test(request.getMethod() + " " + request.getPath())
          && a.fired().compareAndSet(false, true)) {
        a.then().run();
      }
      if (served.getWebSocketListener() != null) {
        served.withWebSocketUpgrade(
            new WatchListener(
                served.getWebSocketListener(),
                request.getMethod() + " " + request.getPath(),
                this));
      }
      return served;
    }
  }

  private static io.fabric8.mockwebserver.http.MockResponse status(
      int code, String reason, String message) {
    io.fabric8.kubernetes.api.model.Status status =
        new io.fabric8.kubernetes.api.model.StatusBuilder()
            .withStatus("Failure")
            .withCode(code)
            .withReason(reason)
            .withMessage(message)
            .build();
    return new io.fabric8.mockwebserver.http.MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(io.fabric8.kubernetes.client.utils.Serialization.asJson(status));
  }

  /** Starts on the given port (0 = any free port) and installs the CRDs. */
  public static MockApiServer start(int port) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    SlowableDispatcher dispatcher = new SlowableDispatcher(responses);
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
    MockApiServer api = new MockApiServer(server, dispatcher);
    api.installCrds();
    return api;
  }

  private void installCrds() {
    for (String file : CRDS) {
      try (InputStream in = MockApiServer.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
        if (in == null) {
          throw new IllegalStateException(
              "CRD " + file + " is not on the classpath; build with 'mvn package'");
        }
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
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
