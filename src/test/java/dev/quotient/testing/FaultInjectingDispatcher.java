package dev.quotient.testing;

import dev.quotient.embedded.ApiServerDispatcher;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * fabric8's CRUD dispatcher with faults in front, for tests on the mock API server ({@link
 * MockCluster#faults()}): slow or refused requests, a hook right after a request was served, and
 * watches that lag, drop events or expire. Rules match "METHOD /path?query" text.
 */
public final class FaultInjectingDispatcher extends ApiServerDispatcher {
  private volatile DelayRule slowRequests;
  private volatile RefusalRule refusal;
  private volatile AfterRule after;
  private volatile DelayRule lag;
  private volatile DropRule drop;
  private final Set<WatchSocket> sockets = ConcurrentHashMap.newKeySet();

  public FaultInjectingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  /**
   * Delays requests whose method and path match (e.g. "GET /api/v1/pods"), to test what the
   * operator does while a LIST is slow; null clears it.
   */
  public void delay(Predicate<String> methodAndPath, Duration by) {
    slowRequests = methodAndPath == null ? null : new DelayRule(methodAndPath, by);
  }

  /**
   * Answers the next {@code times} requests whose method and path match with {@code code} and a
   * Status whose message is {@code message} instead of serving them, as a real API server's
   * admission (ResourceQuota, a webhook) or an outage would.
   */
  public void refuse(Predicate<String> methodAndPath, int code, String message, int times) {
    refusal =
        new RefusalRule(methodAndPath, code, message, new AtomicInteger(times), Long.MAX_VALUE);
  }

  /**
   * Answers every request whose method and path match with {@code code} for the next {@code
   * duration} of real time, as an API server that is away (restarting, or refusing until its RBAC
   * caches fill) would.
   */
  public void refuseFor(
      Predicate<String> methodAndPath, int code, String message, Duration duration) {
    refusal =
        new RefusalRule(
            methodAndPath,
            code,
            message,
            new AtomicInteger(Integer.MAX_VALUE),
            System.nanoTime() + duration.toNanos());
  }

  /**
   * Runs {@code then} right after the next request whose method and path match has been served (the
   * response is computed and the object stored, but not yet sent back), once: to stop the operator
   * at a write point, as a crash between two writes would.
   */
  public void afterServed(Predicate<String> methodAndPath, Runnable then) {
    after = methodAndPath == null ? null : new AfterRule(methodAndPath, then, new AtomicBoolean());
  }

  /**
   * Holds back every event sent on watches whose request ("GET /api/v1/pods?...watch=true") matches
   * by {@code by}, in order, so an informer's cache lags the server (a stale read); null clears it
   * (events already held still arrive late).
   */
  public void lagWatches(Predicate<String> watchRequest, Duration by) {
    lag = watchRequest == null ? null : new DelayRule(watchRequest, by);
  }

  /**
   * Drops the next {@code times} watch events whose watch request matches and whose JSON text
   * matches {@code event} (e.g. contains "\"type\":\"DELETED\"" and a pod name): an event that
   * never arrives.
   */
  public void dropWatchEvents(Predicate<String> watchRequest, Predicate<String> event, int times) {
    drop = new DropRule(watchRequest, event, new AtomicInteger(times));
  }

  /**
   * Ends every open watch whose request matches as an API server does when the resource version it
   * watches from is compacted: an ERROR event with a 410 Gone Status, then the socket closes.
   * Returns how many watches were ended; the clients must relist.
   */
  public int expireWatches(Predicate<String> watchRequest) {
    int n = 0;
    for (WatchSocket w : sockets) {
      if (watchRequest.test(w.request) && !w.expired) {
        w.expire();
        n++;
      }
    }
    return n;
  }

  /** Watches open now (not expired) whose request matches. */
  public int openWatches(Predicate<String> watchRequest) {
    return (int) sockets.stream().filter(w -> watchRequest.test(w.request) && !w.expired).count();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    DelayRule r = slowRequests;
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
        && System.nanoTime() < no.untilNanos()
        && no.left().getAndDecrement() > 0) {
      Status status =
          new StatusBuilder()
              .withStatus("Failure")
              .withCode(no.code())
              .withMessage(no.message())
              .build();
      return new MockResponse()
          .setResponseCode(no.code())
          .setHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(status));
    }
    MockResponse served = super.dispatch(request);
    AfterRule a = after;
    if (a != null
        && a.match().test(request.getMethod() + " " + request.getPath())
        && a.fired().compareAndSet(false, true)) {
      a.then().run();
    }
    if (served.getWebSocketListener() != null) {
      served.withWebSocketUpgrade(
          new WatchListener(
              served.getWebSocketListener(), request.getMethod() + " " + request.getPath(), this));
    }
    return served;
  }

  private record DropRule(Predicate<String> match, Predicate<String> event, AtomicInteger left) {}

  /** The server side of one watch, through which the rules above see each event it sends. */
  private static final class WatchSocket implements WebSocket {
    private final WebSocket raw;
    private final String request;
    private final FaultInjectingDispatcher rules;
    private volatile boolean expired; // after the 410 (or a close) nothing more is sent
    private ScheduledExecutorService delays; // one per watch: a stuck socket holds up no other
    private long notBefore; // nanoTime before which nothing more may be sent directly (keeps order)

    WatchSocket(WebSocket raw, String request, FaultInjectingDispatcher rules) {
      this.raw = raw;
      this.request = request;
      this.rules = rules;
    }

    @Override
    public RecordedRequest request() {
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
            Executors.newSingleThreadScheduledExecutor(
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
          TimeUnit.NANOSECONDS);
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

  /** Hands the watch listener a {@link WatchSocket} instead of the raw one. */
  private static final class WatchListener extends WebSocketListener {
    private final WebSocketListener inner;
    private final String request;
    private final FaultInjectingDispatcher rules;
    private volatile WatchSocket socket;

    WatchListener(WebSocketListener inner, String request, FaultInjectingDispatcher rules) {
      this.inner = inner;
      this.request = request;
      this.rules = rules;
    }

    private synchronized WatchSocket wrap(WebSocket raw) {
      if (socket == null) {
        socket = new WatchSocket(raw, request, rules);
        rules.sockets.add(socket);
      }
      return socket;
    }

    @Override
    public void onBeforeAccept(WebSocket ws, Response r) {
      inner.onBeforeAccept(wrap(ws), r);
    }

    @Override
    public void onOpen(WebSocket ws, Response r) {
      inner.onOpen(wrap(ws), r);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      inner.onMessage(wrap(ws), text);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      inner.onMessage(wrap(ws), bytes);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      inner.onMessage(wrap(ws), bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      wrap(ws).ended();
      inner.onClosing(wrap(ws), code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      wrap(ws).ended();
      rules.sockets.remove(socket);
      inner.onClosed(wrap(ws), code, reason);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response r) {
      wrap(ws).ended();
      rules.sockets.remove(socket);
      inner.onFailure(wrap(ws), t, r);
    }
  }

  private record AfterRule(Predicate<String> match, Runnable then, AtomicBoolean fired) {}

  private record DelayRule(Predicate<String> match, Duration by) {}

  private record RefusalRule(
      Predicate<String> match, int code, String message, AtomicInteger left, long untilNanos) {}
}
