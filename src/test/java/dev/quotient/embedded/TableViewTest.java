package dev.quotient.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TableViewTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void agesAreWrittenAsKubectlWritesThem() {
    assertThat(TableView.age("2026-12-01T09:59:15Z", NOW)).isEqualTo("45s");
    assertThat(TableView.age("2026-12-01T09:54:57Z", NOW)).isEqualTo("5m3s");
    assertThat(TableView.age("2026-12-01T09:30:00Z", NOW)).isEqualTo("30m");
    assertThat(TableView.age("2026-12-01T07:00:00Z", NOW)).isEqualTo("3h");
    assertThat(TableView.age("2026-11-29T05:00:00Z", NOW)).isEqualTo("2d5h");
  }

  @Test
  void aListBecomesRowsSortedByNamespaceAndNameWithTheCrdsColumns() throws Exception {
    ApiResource projects =
        ApiCatalog.embedded().find("quotient.dev/v1alpha1", "projects").orElseThrow();
    JsonNode list =
        JSON.readTree(
            """
            {"kind":"List","metadata":{"resourceVersion":"7"},"items":[
              {"metadata":{"name":"b","namespace":"research","creationTimestamp":"2026-12-01T09:59:15Z"},
               "status":{"phase":"Running","effectiveQuota":{"cpuLimit":"2","gpu":1}}},
              {"metadata":{"name":"a","namespace":"research","creationTimestamp":"2026-12-01T09:59:15Z"}}]}
            """);
    JsonNode table = JSON.readTree(TableView.of(projects, list, NOW));
    assertThat(table.get("kind").asText()).isEqualTo("Table");
    assertThat(table.get("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Name", "Phase", "CPU", "Memory", "GPU", "Node", "Age", "Message", "Group");
    JsonNode first = table.get("rows").get(0);
    assertThat(first.get("cells").get(0).asText()).isEqualTo("a");
    assertThat(first.get("cells").get(1).isNull()).isTrue();
    JsonNode second = table.get("rows").get(1).get("cells");
    assertThat(second.get(1).asText()).isEqualTo("Running");
    assertThat(second.get(4).asInt()).isEqualTo(1);
    assertThat(second.get(6).asText()).isEqualTo("45s");
    assertThat(table.get("rows").get(1).at("/object/metadata/namespace").asText())
        .isEqualTo("research");
  }
}
