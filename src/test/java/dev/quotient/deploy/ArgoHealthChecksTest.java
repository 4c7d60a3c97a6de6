package dev.quotient.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * The Argo CD health checks of helm/quotient/argocd run on sample Projects and Licenses as Argo CD
 * runs them (the object as the global {@code obj}, the returned table's status and message), and
 * the README's GitOps section and the argocd-cm patch are the scripts as they are (refreshed with
 * -Dquotient.updateDocs=true).
 */
class ArgoHealthChecksTest {
  static final Path DIR = Path.of("helm/quotient/argocd");
  static final Path PROJECT_LUA = DIR.resolve("health-project.lua");
  static final Path LICENSE_LUA = DIR.resolve("health-license.lua");
  static final Path PATCH = DIR.resolve("argocd-cm-patch.yaml");
  static final Path README = Path.of("README.md");
  static final String BEGIN =
      "<!-- Argo CD health checks: generated from helm/quotient/argocd by ArgoHealthChecksTest -->";
  static final String END = "<!-- end of Argo CD health checks -->";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One sample: the object Argo CD sees, and the health it must show. */
  record Case(String kind, String situation, ObjectNode object, String health, String message) {
    @Override
    public String toString() {
      return kind + ": " + situation;
    }
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(
        project(
            "no status yet",
            p -> p.remove("status"),
            "Progressing",
            "Waiting for the operator to report the project's status"));
    c.add(
        project(
            "spec edited, not yet observed (observedGeneration < generation)",
            p -> {
              meta(p).put("generation", 3);
              status(p).put("observedGeneration", 2);
            },
            "Progressing",
            "Waiting for the operator to act on generation 3"));
    c.add(project("Running", p -> {}, "Healthy", "Running on pool-1"));
    c.add(
        project(
            "Starting",
            p -> phase(p, "Starting", "Starting: pod project-p scheduled on pool-1"),
            "Progressing",
            "Starting: pod project-p scheduled on pool-1"));
    c.add(
        project(
            "WaitingForResources (the bottleneck is the message)",
            p ->
                phase(
                    p,
                    "WaitingForResources",
                    "Waiting for resources: namespace quota course/compute: requests.memory needs"
                        + " 410Mi, 204Mi of 1Gi free"),
            "Progressing",
            "Waiting for resources: namespace quota course/compute: requests.memory needs 410Mi,"
                + " 204Mi of 1Gi free"));
    c.add(
        project(
            "WaitingForResources that never fits (QuotaAdmitted reason NeverFits)",
            p -> {
              phase(
                  p,
                  "WaitingForResources",
                  "Never fits: cluster quota: cpu needs 64, the limit is 32");
              condition(p, "QuotaAdmitted", "False", "NeverFits", "cpu needs 64, the limit is 32");
            },
            "Degraded",
            "Never fits: cluster quota: cpu needs 64, the limit is 32"));
    c.add(
        project(
            "Stopping",
            p -> phase(p, "Stopping", "Stopping: deleting pod project-p"),
            "Progressing",
            "Stopping: deleting pod project-p"));
    c.add(
        project(
            "Stopped, desiredState Stopped (as declared)",
            p -> {
              spec(p).put("desiredState", "Stopped");
              phase(p, "Stopped", "Stopped: desiredState is Stopped");
              status(p).put("stopReason", "UserStopped");
            },
            "Healthy",
            "Stopped: desiredState is Stopped"));
    c.add(
        project(
            "Stopped by a timer, desiredState Running (idle)",
            p -> {
              phase(p, "Stopped", "Stopped (IdleTimeout): no activity since 2026-06-01T10:00:00Z");
              status(p).put("stopReason", "IdleTimeout");
            },
            "Suspended",
            "Stopped (IdleTimeout): no activity since 2026-06-01T10:00:00Z"));
    c.add(
        project(
            "Stopped for idle GPUs, desiredState Running",
            p -> {
              phase(p, "Stopped", "Stopped (GpuIdle): no GPU activity since 2026-06-01T11:00:00Z");
              status(p).put("stopReason", "GpuIdle");
            },
            "Suspended",
            "Stopped (GpuIdle): no GPU activity since 2026-06-01T11:00:00Z"));
    c.add(
        project(
            "Stopped: another project owns its projectId (Ready reason ProjectIdInUse)",
            p -> {
              phase(p, "Stopped", "Stopped: projectId in use");
              condition(
                  p,
                  "Ready",
                  "False",
                  "ProjectIdInUse",
                  "projectId 42 is the home of research/owner; set another spec.projectId");
            },
            "Degraded",
            "ProjectIdInUse: projectId 42 is the home of research/owner; set another"
                + " spec.projectId"));
    c.add(
        project(
            "desiredState this operator does not know (Ready reason SpecInvalid)",
            p -> {
              spec(p).put("desiredState", "Sleeping");
              phase(p, "Stopped", "Stopped");
              condition(
                  p,
                  "Ready",
                  "False",
                  "SpecInvalid",
                  "spec.desiredState 'Sleeping' is not one this operator knows (Running, Stopped)");
            },
            "Degraded",
            "SpecInvalid: spec.desiredState 'Sleeping' is not one this operator knows (Running,"
                + " Stopped)"));
    c.add(
        project(
            "Failed (pending timeout)",
            p -> {
              phase(
                  p,
                  "Failed",
                  "Failed (PendingTimeout): Unschedulable: 0/4 nodes are available: 4 Insufficient"
                      + " memory.");
              status(p).put("stopReason", "PendingTimeout");
            },
            "Degraded",
            "Failed (PendingTimeout): Unschedulable: 0/4 nodes are available: 4 Insufficient"
                + " memory."));
    c.add(
        project(
            "ephemeral run Succeeded",
            p -> phase(p, "Succeeded", "Succeeded: the command exited 0"),
            "Healthy",
            "Succeeded: the command exited 0"));
    c.add(
        project(
            "ephemeral run Failed",
            p -> phase(p, "Failed", "Failed: the command exited 1"),
            "Degraded",
            "Failed: the command exited 1"));
    c.add(
        project(
            "a phase of a newer operator",
            p -> phase(p, "Hibernating", "Hibernating"),
            "Unknown",
            "status.phase Hibernating is not known to this health check"));
    c.add(
        license(
            "no status yet",
            l -> l.remove("status"),
            "Progressing",
            "Waiting for the operator to report the license's status"));
    c.add(
        license(
            "spec edited, not yet observed",
            l -> {
              meta(l).put("generation", 5);
              status(l).put("observedGeneration", 4);
            },
            "Progressing",
            "Waiting for the operator to act on generation 5"));
    c.add(license("Active", l -> {}, "Healthy", "Active: upgrades 2 of 30 running projects"));
    c.add(
        license(
            "Active, nothing running",
            l -> status(l).remove("runningProjects"),
            "Healthy",
            "Active: upgrades 0 of 30 running projects"));
    c.add(
        license(
            "Pending (before activates)",
            l -> {
              spec(l).put("activates", "2027-01-01T00:00:00Z");
              status(l).put("phase", "Pending");
              status(l).remove("runningProjects");
            },
            "Progressing",
            "Pending: activates at 2027-01-01T00:00:00Z"));
    c.add(
        license(
            "Expired",
            l -> {
              spec(l).put("expires", "2025-01-31T00:00:00Z");
              status(l).put("phase", "Expired");
              status(l).remove("runningProjects");
            },
            "Suspended",
            "Expired at 2025-01-31T00:00:00Z: upgrades no project until spec.expires is moved"));
    c.add(
        license(
            "a pod patch the operator refuses (Valid=False)",
            l ->
                condition(
                    l,
                    "Valid",
                    "False",
                    "PodPatchRejected",
                    "podPatch sets privileged: true, which breaks the restricted profile"),
            "Degraded",
            "PodPatchRejected: podPatch sets privileged: true, which breaks the restricted"
                + " profile"));
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void argoCdShowsTheHealthOfTheObject(Case c) throws IOException {
    LuaValue hs = run(c.kind().equals("Project") ? PROJECT_LUA : LICENSE_LUA, c.object());
    assertThat(hs.get("status").tojstring()).as("hs.status").isEqualTo(c.health());
    assertThat(hs.get("message").tojstring()).as("hs.message").isEqualTo(c.message());
  }

  /** Every health Argo CD knows is one of these; the scripts return no other. */
  @Test
  void everyCaseIsAHealthArgoCdKnows() {
    assertThat(cases())
        .extracting(Case::health)
        .allMatch(
            h -> List.of("Healthy", "Progressing", "Degraded", "Suspended", "Unknown").contains(h));
  }

  @Test
  void readmeAndTheArgoCdPatchShowTheScriptsAsTheyAre() throws IOException {
    String patch = patch();
    String section = section();
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int a = readme.indexOf(BEGIN);
    int b = readme.indexOf(END);
    assertThat(a).as("README has the Argo CD markers").isNotNegative();
    assertThat(b).as("README has the Argo CD end marker").isGreaterThan(a);
    if (Boolean.getBoolean("quotient.updateDocs")) {
      Files.writeString(PATCH, patch, StandardCharsets.UTF_8);
      readme = readme.substring(0, a + BEGIN.length()) + section + readme.substring(b);
      Files.writeString(README, readme, StandardCharsets.UTF_8);
    }
    String hint = "; run: mvn -q test -Dtest=ArgoHealthChecksTest -Dquotient.updateDocs=true";
    assertThat(readme.substring(readme.indexOf(BEGIN) + BEGIN.length(), readme.indexOf(END)))
        .as("README's GitOps section is out of date" + hint)
        .isEqualTo(section);
    assertThat(Files.exists(PATCH) ? Files.readString(PATCH, StandardCharsets.UTF_8) : "")
        .as(PATCH + " is out of date" + hint)
        .isEqualTo(patch);
    // And the patch, read as YAML the way kubectl reads it, holds each script byte for byte.
    JsonNode data = new ObjectMapper(new YAMLFactory()).readTree(patch).get("data");
    assertThat(data.get("resource.customizations.health.quotient.dev_Project").asText())
        .isEqualTo(Files.readString(PROJECT_LUA, StandardCharsets.UTF_8));
    assertThat(data.get("resource.customizations.health.quotient.dev_License").asText())
        .isEqualTo(Files.readString(LICENSE_LUA, StandardCharsets.UTF_8));
  }

  /** The argocd-cm data that installs both checks (a strategic-merge patch of argocd-cm). */
  static String patch() throws IOException {
    return "# Generated from health-project.lua and health-license.lua by ArgoHealthChecksTest.\n"
        + "# kubectl -n argocd patch configmap argocd-cm --patch-file argocd-cm-patch.yaml\n"
        + "data:\n"
        + entry("quotient.dev_Project", PROJECT_LUA)
        + entry("quotient.dev_License", LICENSE_LUA);
  }

  private static String entry(String groupKind, Path lua) throws IOException {
    return "  resource.customizations.health."
        + groupKind
        + ": |\n"
        + Files.readString(lua, StandardCharsets.UTF_8)
            .lines()
            .map(l -> l.isEmpty() ? "" : "    " + l)
            .collect(Collectors.joining("\n", "", "\n"));
  }

  /** The README text between the markers: what each case shows, then the two scripts. */
  static String section() throws IOException {
    StringBuilder md = new StringBuilder("\n");
    md.append("| kind | situation | Argo CD health | message |\n| --- | --- | --- | --- |\n");
    for (Case c : cases()) {
      md.append("| ")
          .append(c.kind())
          .append(" | ")
          .append(c.situation().replace("|", "\\|"))
          .append(" | ")
          .append(c.health())
          .append(" | ")
          .append(c.message().replace("|", "\\|"))
          .append(" |\n");
    }
    for (Path lua : List.of(PROJECT_LUA, LICENSE_LUA)) {
      md.append("\n[`")
          .append(lua)
          .append("`](")
          .append(lua)
          .append("):\n\n```lua\n")
          .append(Files.readString(lua, StandardCharsets.UTF_8))
          .append("```\n");
    }
    return md.append("\n").toString();
  }

  /**
   * Runs a health script as Argo CD does: the object as the global {@code obj}, only the base,
   * table, string and math libraries (no io, no os), the returned table is the health.
   */
  static LuaValue run(Path script, JsonNode object) throws IOException {
    Globals g = new Globals();
    g.load(new JseBaseLib());
    g.load(new PackageLib());
    g.load(new TableLib());
    g.load(new StringLib());
    g.load(new JseMathLib());
    LoadState.install(g);
    LuaC.install(g);
    g.set("obj", lua(object));
    LuaValue hs =
        g.load(Files.readString(script, StandardCharsets.UTF_8), script.toString()).call();
    assertThat(hs.istable()).as(script + " returns a table").isTrue();
    return hs;
  }

  /** JSON as Argo CD hands it to Lua: objects and arrays as tables (arrays from 1), null as nil. */
  static LuaValue lua(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (n.isObject()) {
      LuaTable t = new LuaTable();
      n.fields().forEachRemaining(e -> t.set(e.getKey(), lua(e.getValue())));
      return t;
    }
    if (n.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < n.size(); i++) {
        t.set(i + 1, lua(n.get(i)));
      }
      return t;
    }
    if (n.isBoolean()) {
      return LuaValue.valueOf(n.booleanValue());
    }
    if (n.isIntegralNumber()) {
      return LuaValue.valueOf(n.longValue());
    }
    if (n.isNumber()) {
      return LuaValue.valueOf(n.doubleValue());
    }
    return LuaValue.valueOf(n.asText());
  }

  private static Case project(
      String situation, Consumer<ObjectNode> edit, String health, String message) {
    ObjectNode p =
        parse(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p", "namespace": "research", "generation": 1},
             "spec": {"desiredState": "Running", "licenses": ["basic-upgrade"]},
             "status": {"observedGeneration": 1, "phase": "Running", "message": "Running on pool-1",
                        "podName": "project-p", "nodeName": "pool-1",
                        "conditions": [
                          {"type": "Ready", "status": "True", "reason": "PodRunning",
                           "message": "Running on pool-1"},
                          {"type": "QuotaAdmitted", "status": "True", "reason": "QuotaAdmitted",
                           "message": "Admitted: the project holds its quota"},
                          {"type": "LicensesValid", "status": "True", "reason": "LicensesApplied",
                           "message": "All licenses applied"}]}}
            """);
    edit.accept(p);
    return new Case("Project", situation, p, health, message);
  }

  private static Case license(
      String situation, Consumer<ObjectNode> edit, String health, String message) {
    ObjectNode l =
        parse(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "License",
             "metadata": {"name": "course-2026", "generation": 1},
             "spec": {"title": "Data science course 2026", "runLimit": 30,
                      "expires": "2030-01-01T00:00:00Z", "quota": {"memory": "2Gi"}},
             "status": {"observedGeneration": 1, "phase": "Active",
                        "runningProjects": {"count": 2, "names": ["course/student-1", "course/student-2"]},
                        "conditions": [
                          {"type": "Valid", "status": "True", "reason": "LicenseValid",
                           "message": "Quota and pod patch are usable"}]}}
            """);
    edit.accept(l);
    return new Case("License", situation, l, health, message);
  }

  private static ObjectNode meta(ObjectNode o) {
    return (ObjectNode) o.get("metadata");
  }

  private static ObjectNode spec(ObjectNode o) {
    return (ObjectNode) o.get("spec");
  }

  private static ObjectNode status(ObjectNode o) {
    return (ObjectNode) o.get("status");
  }

  private static void phase(ObjectNode o, String phase, String message) {
    status(o).put("phase", phase).put("message", message);
  }

  /** Sets a condition, replacing one of the same type. */
  private static void condition(
      ObjectNode o, String type, String status, String reason, String message) {
    ArrayNode conditions = (ArrayNode) status(o).get("conditions");
    for (int i = 0; i < conditions.size(); i++) {
      if (conditions.get(i).get("type").asText().equals(type)) {
        conditions.remove(i);
        break;
      }
    }
    conditions.add(
        JSON.valueToTree(
            Map.of("type", type, "status", status, "reason", reason, "message", message)));
  }

  private static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
