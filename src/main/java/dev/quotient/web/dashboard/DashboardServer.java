package dev.quotient.web.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's dashboard: a static page (HTML, CSS, JS from the jar's {@code dashboard/} folder) and
 * the JSON API it reads, which scripts can read too. Read only, no login: it binds to 127.0.0.1
 * unless told otherwise, and is reached with {@code kubectl port-forward}.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  private static final Map<String, String> STATIC =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/dashboard.css", "dashboard.css",
          "/dashboard.js", "dashboard.js");

  private final HttpServer server;
  private final ExecutorService executor;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public DashboardServer(String host, int port, DashboardSource source) {
    DashboardViews views = new DashboardViews(source);
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "dashboard-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    api("/api/overview", q -> views.overview());
    api(
        "/api/running",
        q ->
            views.running(
                q.getOrDefault("sort", "project"),
                "desc".equalsIgnoreCase(q.get("order")),
                integer(q.get("page"), 1),
                integer(q.get("size"), 50)));
    api("/api/waiting", q -> views.waiting());
    api("/api/rejections", q -> views.rejections());
    api("/api/licenses", q -> views.licenses());
    api("/api/nodegroups", q -> views.nodeGroups());
    server.createContext("/", this::serveStatic);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void api(String path, Function<Map<String, String>, Object> view) {
    server.createContext(
        path,
        ex -> {
          try (ex) {
            if (!ex.getRequestURI().getPath().equals(path)) {
              send(ex, 404, "text/plain", bytes("not found\n"));
              return;
            }
            byte[] body;
            try {
              body = json.writeValueAsBytes(view.apply(query(ex)));
            } catch (JsonProcessingException | RuntimeException e) {
              log.warn("dashboard {} failed: {}", path, e.toString(), e);
              send(ex, 500, "text/plain", bytes("error: " + e + "\n"));
              return;
            }
            send(ex, 200, "application/json", body);
          }
        });
  }

  private void serveStatic(HttpExchange ex) throws IOException {
    try (ex) {
      String file = STATIC.get(ex.getRequestURI().getPath());
      if (file == null) {
        send(ex, 404, "text/plain", bytes("not found\n"));
        return;
      }
      byte[] body = resource(file);
      String type =
          file.endsWith(".html")
              ? "text/html; charset=utf-8"
              : file.endsWith(".css")
                  ? "text/css; charset=utf-8"
                  : "text/javascript; charset=utf-8";
      send(ex, 200, type, body);
    }
  }

  private static byte[] resource(String file) throws IOException {
    try (InputStream in = DashboardServer.class.getResourceAsStream("/dashboard/" + file)) {
      if (in == null) {
        throw new IOException("dashboard/" + file + " is missing from the jar");
      }
      return in.readAllBytes();
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static int integer(String text, int otherwise) {
    try {
      return text == null ? otherwise : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    // The figures change all the time: never let a browser show an old page of them.
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
