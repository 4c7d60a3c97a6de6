package dev.quotient.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.api.GpuSpec;
import dev.quotient.api.License;
import dev.quotient.api.LicenseSpec;
import dev.quotient.api.QuotaSpec;
import dev.quotient.settings.PodSettings;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LicenseValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PodSettings POD = SettingsParser.parse(Map.of()).pod();

  static License license(Consumer<LicenseSpec> edit) {
    License l = new License();
    l.setMetadata(new ObjectMetaBuilder().withName("course").build());
    LicenseSpec spec = new LicenseSpec();
    spec.setRunLimit(30);
    QuotaSpec q = new QuotaSpec();
    q.setCpu("2");
    q.setMemory("4Gi");
    q.setIdleTimeout("2h");
    spec.setQuota(q);
    edit.accept(spec);
    l.setSpec(spec);
    return l;
  }

  static List<String> problems(Consumer<LicenseSpec> edit) {
    return LicenseValidation.problems(license(edit), POD, "nvidia.com/gpu");
  }

  static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void goodLicenseHasNoProblems() {
    assertThat(problems(s -> {})).isEmpty();
    assertThat(
            problems(
                s -> {
                  s.setActivates("2026-01-01T00:00:00Z");
                  s.setExpires("2027-01-01T00:00:00Z");
                  s.getQuota().setDedicatedNodeGroup("dgx");
                  GpuSpec gpu = new GpuSpec();
                  gpu.setCount(1);
                  s.getQuota().setGpu(gpu);
                }))
        .isEmpty();
  }

  @Test
  void missingSpec() {
    License l = new License();
    l.setMetadata(new ObjectMetaBuilder().withName("x").build());
    assertThat(LicenseValidation.problems(l, POD, "nvidia.com/gpu"))
        .containsExactly("spec is missing");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "cpu         | 8 cores | spec.quota.cpu '8 cores'",
        "memory      | 8GB     | spec.quota.memory '8GB'",
        "idleTimeout | 2 hours | spec.quota.idleTimeout '2 hours'",
        "maxDuration | forever | spec.quota.maxDuration 'forever'",
        "expires     | soon    | spec.expires 'soon'",
        "activates   | 2026-01-01 | spec.activates '2026-01-01'",
      })
  void badFieldsAreNamed(String field, String value, String problem) {
    List<String> problems =
        problems(
            s -> {
              switch (field) {
                case "cpu" -> s.getQuota().setCpu(value);
                case "memory" -> s.getQuota().setMemory(value);
                case "idleTimeout" -> s.getQuota().setIdleTimeout(value);
                case "maxDuration" -> s.getQuota().setMaxDuration(value);
                case "expires" -> s.setExpires(value);
                default -> s.setActivates(value);
              }
            });
    assertThat(problems).singleElement().asString().contains(problem);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void runLimitMustBeAtLeastOne(int limit) {
    assertThat(problems(s -> s.setRunLimit(limit)))
        .containsExactly("spec.runLimit must be at least 1");
  }

  @Test
  void missingRunLimit() {
    assertThat(problems(s -> s.setRunLimit(null)))
        .containsExactly("spec.runLimit must be at least 1");
  }

  @Test
  void usablePodPatchesPass() {
    assertThat(
            problems(
                s ->
                    s.setPodPatch(
                        json(
                            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"env\":[{\"name\":\"COURSE\",\"value\":\"m\"}]}]}}"))))
        .isEmpty();
    assertThat(
            problems(
                s ->
                    s.setPodJsonPatch(
                        List.of(
                            json(
                                "{\"op\":\"add\",\"path\":\"/metadata/labels/course\",\"value\":\"m\"}")))))
        .isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"spec\":{\"containers\":[{\"name\":\"project\",\"securityContext\":{\"privileged\":true}}]}} | is privileged",
        "{\"spec\":{\"containers\":[{\"name\":\"project\",\"resources\":{\"limits\":{\"cpu\":\"8\"}}}]}} | resources",
        "[1,2]                                                                                          | must be an object",
      })
  void unusablePodPatchesAreReported(String patch, String reason) {
    assertThat(problems(s -> s.setPodPatch(json(patch))))
        .singleElement()
        .asString()
        .startsWith("pod patch not usable: ")
        .contains(reason);
  }

  @Test
  void privilegedPatchPassesWhenSettingsAllowIt() {
    License l =
        license(
            s ->
                s.setPodPatch(
                    json(
                        "{\"spec\":{\"containers\":[{\"name\":\"project\",\"securityContext\":{\"privileged\":true}}]}}")));
    PodSettings allow = SettingsParser.parse(Map.of("allowPrivilegedPatches", "true")).pod();
    assertThat(LicenseValidation.problems(l, allow, "nvidia.com/gpu")).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<String> problems =
        problems(
            s -> {
              s.setRunLimit(0);
              s.setExpires("never");
              s.getQuota().setCpu("lots");
              s.setPodJsonPatch(
                  List.of(json("{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"x\"}")));
            });
    assertThat(problems)
        .hasSize(4)
        .anyMatch(p -> p.contains("spec.expires"))
        .anyMatch(p -> p.contains("spec.quota.cpu"))
        .anyMatch(p -> p.contains("spec.runLimit"))
        .anyMatch(p -> p.startsWith("pod patch not usable"));
  }
}
