package dev.quotient.web.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DashboardServerTest {
  private final DashboardServer server = new DashboardServer("127.0.0.1", 0, new FakeSource());
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(String path) throws Exception {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void everyViewHasItsJsonApi() throws Exception {
    assertThat(json("/api/overview").path("namespaces").get(0).path("name").asText())
        .isEqualTo("course/compute");
    JsonNode running = json("/api/running?sort=gpu&order=desc&size=2&page=1");
    assertThat(running.path("total").asInt()).isEqualTo(4);
    assertThat(running.path("pages").asInt()).isEqualTo(2);
    assertThat(running.path("order").asText()).isEqualTo("desc");
    assertThat(running.path("items").get(0).path("name").asText()).isEqualTo("gpu-training");
    assertThat(
            json("/api/waiting")
                .path("queues")
                .get(0)
                .path("projects")
                .get(0)
                .path("name")
                .asText())
        .isEqualTo("student-3");
    assertThat(json("/api/rejections").path("items").get(0).path("time").asText())
        .isEqualTo(FakeSource.NOW.minusSeconds(120).toString());
    assertThat(json("/api/licenses").get(0).path("name").asText()).isEqualTo("course-2026");
    assertThat(json("/api/nodegroups").get(0).path("nodes").get(0).asText()).isEqualTo("gpu-1");
  }

  @Test
  void thePageComesFromTheJar() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.body()).contains("dashboard.js");
    assertThat(get("/dashboard.js").statusCode()).isEqualTo(200);
    assertThat(get("/dashboard.css").statusCode()).isEqualTo(200);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(get("/api/overview/extra").statusCode()).isEqualTo(404);
  }
}
