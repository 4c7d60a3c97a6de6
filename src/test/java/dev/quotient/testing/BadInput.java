package dev.quotient.testing;

import dev.quotient.status.Reason;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bad-input corpus: one YAML file per case under src/test/resources/bad-input/, and this table
 * of what each case is expected to produce on each API server. The real control plane either
 * refuses a case (schema, CEL, admission policy: its message) or stores it and the operator answers
 * it; the mock stores everything, so there the operator answers every case. An answer is a
 * condition on the case's subject and an Event with the same reason (a settings change, on a
 * ConfigMap that has no status, is answered with the Event alone). The table is also
 * docs/bad-input.md (BadInputCorpusTest).
 */
public final class BadInput {
  public static final Path DIR = Path.of("src/test/resources/bad-input");

  private BadInput() {}

  /** What one server does with a case. */
  public sealed interface Outcome {
    /** Refused by the API server (422 from the schema or CEL, 403 from an admission policy). */
    record Refused(int code, String message) implements Outcome {}

    /**
     * Stored, and answered by the operator: {@code condition} ({@code Type=Status}, or null for an
     * Event alone) with {@code reason} and a message containing {@code message} on the subject
     * ({@code Kind/name}), and an Event with reason {@code event} (for an Event alone, its message
     * contains {@code message}).
     */
    record Answered(String subject, String condition, Reason reason, String message, Reason event)
        implements Outcome {
      public String kind() {
        return subject.substring(0, subject.indexOf('/'));
      }

      public String name() {
        return subject.substring(subject.indexOf('/') + 1);
      }
    }
  }

  /** One case: its file, what it tries, and the expected outcome per server. */
  public record Case(String file, String what, Outcome real, Outcome mock) {
    public List<GenericKubernetesResource> documents() {
      return BadInput.documents(file);
    }

    public boolean settings() {
      return documents().stream().anyMatch(d -> "ConfigMap".equals(d.getKind()));
    }
  }

  private static Outcome.Refused refused(String message) {
    return new Outcome.Refused(422, message);
  }

  private static Outcome.Answered answered(
      String subject, String condition, Reason reason, String message) {
    return new Outcome.Answered(subject, condition, reason, message, reason);
  }

  private static Outcome.Answered answered(
      String subject, String condition, Reason reason, String message, Reason event) {
    return new Outcome.Answered(subject, condition, reason, message, event);
  }

  private static Case both(String file, String what, Outcome both) {
    return new Case(file, what, both, both);
  }

  private static final String LICENSES_INVALID = "LicensesValid=False";
  private static final String NEVER_FITS = "QuotaAdmitted=False";

  /** The table. Subjects are in the test's namespace where namespaced. */
  public static final List<Case> CASES =
      List.of(
          new Case(
              "01-cpu-not-a-quantity.yaml",
              "License cpu `two`",
              refused(
                  "spec.quota.cpu: Invalid value: \"two\": spec.quota.cpu in body should match"),
              answered(
                  "Project/uses-cpu-word",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.cpu 'two' is not a Kubernetes quantity")),
          new Case(
              "02-memory-unit-typo.yaml",
              "License memory `8GB`",
              refused("spec.quota.memory: Invalid value: \"8GB\""),
              answered(
                  "Project/uses-memory-gb",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.memory '8GB' is not a Kubernetes quantity")),
          new Case(
              "03-negative-cpu.yaml",
              "License cpu `-4`",
              refused("spec.quota.cpu: Invalid value: \"-4\""),
              answered(
                  "Project/uses-negative-cpu",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.cpu '-4' is not a Kubernetes quantity")),
          both(
              "04-absurd-memory.yaml",
              "License memory `999999999Ei`",
              answered(
                  "Project/uses-absurd-memory",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.memory '999999999Ei' is too large")),
          both(
              "05-absurd-exponent.yaml",
              "License cpu `1e999`",
              answered(
                  "Project/uses-absurd-exponent",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.cpu '1e999' has an absurd exponent")),
          both(
              "06-huge-but-countable-cpu.yaml",
              "License cpu `100000` (valid, no cluster has it)",
              answered(
                  "Project/uses-huge-cpu",
                  NEVER_FITS,
                  Reason.NeverFits,
                  "Never fits: never fits the cluster quota, even with nothing else running (cpu: needs 10000,")),
          new Case(
              "07-run-limit-zero.yaml",
              "License runLimit 0",
              refused(
                  "spec.runLimit: Invalid value: 0: spec.runLimit in body should be greater than or"
                      + " equal to 1"),
              answered(
                  "License/bad-run-limit-zero",
                  "Valid=False",
                  Reason.LicenseInvalid,
                  "spec.runLimit must be at least 1")),
          new Case(
              "08-run-limit-negative.yaml",
              "License runLimit -3",
              refused("spec.runLimit: Invalid value: -3"),
              answered(
                  "License/bad-run-limit-negative",
                  "Valid=False",
                  Reason.LicenseInvalid,
                  "spec.runLimit must be at least 1")),
          new Case(
              "09-run-limit-wrong-type.yaml",
              "License runLimit `lots` (wrong type)",
              refused("spec.runLimit: Invalid value: \"string\": spec.runLimit in body must be of"),
              answered(
                  "License/bad-run-limit-word",
                  "Valid=False",
                  Reason.LicenseInvalid,
                  "spec.runLimit is \"lots\" (text) where a whole number belongs")),
          new Case(
              "10-window-backwards.yaml",
              "License expires before it activates",
              refused("spec: Invalid value: expires must be after activates"),
              answered(
                  "Project/uses-window-backwards",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.expires '2026-01-01T00:00:00Z' is not after spec.activates")),
          new Case(
              "11-timestamp-not-rfc3339.yaml",
              "License activates `next tuesday`",
              refused("spec.activates: Invalid value: \"next tuesday\""),
              answered(
                  "Project/uses-bad-timestamp",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.activates 'next tuesday' is not an RFC 3339 time")),
          both(
              "12-not-yet-active.yaml",
              "License activating in 2099",
              answered(
                  "Project/uses-not-yet-active",
                  LICENSES_INVALID,
                  Reason.LicenseNotYetActive,
                  "License 'bad-not-yet-active' activates at 2099-01-01T00:00:00Z")),
          both(
              "13-forbidden-namespace.yaml",
              "License for namespaces `tier=staff` only",
              answered(
                  "Project/uses-staff-only",
                  LICENSES_INVALID,
                  Reason.LicenseForbidden,
                  "License 'bad-staff-only' is not allowed in namespace")),
          both(
              "14-selector-unknown-operator.yaml",
              "License selector with operator `Sometimes`",
              answered(
                  "Project/uses-selector-operator",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.allowedNamespaces.matchExpressions[0].operator 'Sometimes' is not one of In, NotIn, Exists, DoesNotExist")),
          both(
              "15-unknown-license.yaml",
              "Project names a License that does not exist",
              answered(
                  "Project/uses-no-such-license",
                  LICENSES_INVALID,
                  Reason.LicenseNotFound,
                  "License 'bad-no-such-license' does not exist")),
          both(
              "16-conflicting-node-groups.yaml",
              "two Licenses on two different node groups",
              answered(
                  "Project/uses-two-groups",
                  LICENSES_INVALID,
                  Reason.LicenseIncompatible,
                  "but a license listed before it requires [bad-group-a]",
                  Reason.NeverFits)),
          both(
              "17-conflicting-gpu-kinds.yaml",
              "two Licenses with two GPU kinds",
              answered(
                  "Project/uses-two-gpu-kinds",
                  LICENSES_INVALID,
                  Reason.LicenseIncompatible,
                  "License 'bad-gpu-amd' grants amd.com/gpu but a license listed before it grants nvidia.com/gpu")),
          new Case(
              "18-gpu-count-negative.yaml",
              "License gpu count -1",
              refused("spec.quota.gpu.count: Invalid value: -1"),
              answered(
                  "Project/uses-gpu-negative",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.gpu.count '-1' must not be negative")),
          both(
              "19-gpu-count-absurd.yaml",
              "License gpu count 1000",
              answered(
                  "Project/uses-gpu-thousand", NEVER_FITS, Reason.NeverFits, "gpu: needs 1000")),
          new Case(
              "20-idle-timeout-word.yaml",
              "License idleTimeout `forever`",
              refused("spec.quota.idleTimeout: Invalid value: \"forever\""),
              answered(
                  "Project/uses-idle-forever",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.idleTimeout 'forever' is not a duration")),
          both(
              "21-idle-timeout-absurd.yaml",
              "License idleTimeout `999999999999h`",
              answered(
                  "Project/uses-idle-absurd",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.quota.idleTimeout '999999999999h' is too long")),
          both(
              "22-patch-run-as-root.yaml",
              "pod patch: run as root",
              answered(
                  "Project/uses-patch-root",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "container 'project' runs as user 0 (root)")),
          both(
              "23-patch-privileged.yaml",
              "pod patch: privileged container",
              answered(
                  "Project/uses-patch-privileged",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "container 'project' is privileged")),
          both(
              "24-patch-host-path.yaml",
              "pod patch: hostPath `/`",
              answered(
                  "Project/uses-patch-host-path",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "volume 'host-root' uses hostPath")),
          both(
              "25-patch-host-network.yaml",
              "pod patch: hostNetwork and hostPID",
              answered(
                  "Project/uses-patch-host-network",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "host namespaces (hostNetwork/hostPID/hostIPC) are not allowed")),
          both(
              "26-patch-add-capabilities.yaml",
              "pod patch: add SYS_ADMIN",
              answered(
                  "Project/uses-patch-capabilities",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "container 'project' adds capabilities [SYS_ADMIN]")),
          both(
              "27-patch-forges-ledger-labels.yaml",
              "pod patch: rewrite a `quotient.dev/` ledger label",
              answered(
                  "Project/uses-patch-ledger-labels",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "a pod patch may not set or change quotient.dev/* labels or annotations")),
          both(
              "28-patch-sidecar-beyond-lease.yaml",
              "pod patch: a sidecar requesting 64 cores",
              answered(
                  "Project/uses-patch-big-sidecar",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "a pod patch may not make the pod request more cpu than its lease (64.1 > 0.1)")),
          both(
              "29-patch-image-not-allowed.yaml",
              "pod patch: an image outside `pod.allowedImages`",
              answered(
                  "Project/uses-patch-image",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "a pod patch may only use the default image or one of pod.allowedImages; not docker.io/evil/miner:latest")),
          both(
              "30-patch-not-an-object.yaml",
              "podPatch is a string",
              answered(
                  "Project/uses-patch-string",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "podPatch must be an object (a partial Pod), not STRING")),
          both(
              "31-json-patch-bad-op.yaml",
              "podJsonPatch with op `explode`",
              answered(
                  "Project/uses-json-patch-op",
                  LICENSES_INVALID,
                  Reason.PodPatchRejected,
                  "unknown / unsupported operation explode")),
          new Case(
              "32-desired-state-unknown.yaml",
              "Project desiredState `Sleeping`",
              refused(
                  "spec.desiredState: Unsupported value: \"Sleeping\": supported values:"
                      + " \"Running\", \"Stopped\""),
              answered(
                  "Project/bad-desired-sleeping",
                  "Ready=False",
                  Reason.SpecInvalid,
                  "spec.desiredState 'Sleeping' is not one this operator knows")),
          new Case(
              "33-licenses-not-a-list.yaml",
              "Project licenses is a string (wrong type)",
              refused("spec.licenses: Invalid value: \"string\""),
              answered(
                  "Project/bad-licenses-string",
                  "Ready=False",
                  Reason.SpecInvalid,
                  "spec.licenses is \"basic-upgrade\" (text) where a list belongs")),
          new Case(
              "34-admin-quota-not-a-quantity.yaml",
              "Project adminQuota memory `lots`",
              refused("spec.adminQuota.memory: Invalid value: \"lots\""),
              answered(
                  "Project/bad-admin-quota",
                  "Ready=False",
                  Reason.PodCreateFailed,
                  "Cannot start: spec.adminQuota.memory 'lots' is not a Kubernetes quantity")),
          both(
              "35-image-not-allowed.yaml",
              "Project image outside `pod.allowedImages`",
              answered(
                  "Project/bad-image",
                  "Ready=True",
                  Reason.PodRunning,
                  "spec.image 'docker.io/evil/miner:latest' is not in pod.allowedImages: the"
                      + " project runs the default image",
                  Reason.ImageRefused)),
          both(
              "36-huge-license-name.yaml",
              "Project names a 4000-character License",
              answered(
                  "Project/bad-huge-license-name",
                  LICENSES_INVALID,
                  Reason.LicenseNotFound,
                  "License 'xxxxxxxxxx")),
          both(
              "37-longest-project-name.yaml",
              "Project with a 253-character name",
              answered(
                  "Project/bad-long-name-" + "a".repeat(239),
                  "Ready=True",
                  Reason.PodRunning,
                  "Running on",
                  Reason.PodCreated)),
          both(
              "38-huge-title.yaml",
              "License with a 20000-character title",
              answered(
                  "Project/uses-huge-title",
                  "LicensesValid=True",
                  Reason.LicensesApplied,
                  "All 1 license(s) applied",
                  Reason.PodCreated)),
          both(
              "39-node-claimed-by-two-groups.yaml",
              "two DedicatedNodeGroups claim one node",
              answered(
                  "DedicatedNodeGroup/bad-claim-b",
                  "Ready=False",
                  Reason.NoMatchingNodes,
                  "claimed by other groups: [bad-input-node (kept by bad-claim-a)]")),
          both(
              "40-node-group-selects-nothing.yaml",
              "DedicatedNodeGroup with no selector and no names",
              answered(
                  "DedicatedNodeGroup/bad-empty-group",
                  "Ready=False",
                  Reason.NoMatchingNodes,
                  "No node matches this group's nodeSelector or nodeNames")),
          both(
              "41-settings-wrong-types.yaml",
              "settings: `cpuOvercommit: ten`, `pod.uid: root`, `clusterQuota.enabled: maybe`",
              answered(
                  "ConfigMap/quotient-settings",
                  null,
                  Reason.SettingsInvalid,
                  "cpuOvercommit must be a number >= 1 (1 = no overcommit), got 'ten';"
                      + " clusterQuota.enabled must be true or false, got 'maybe'")),
          both(
              "42-settings-absurd-numbers.yaml",
              "settings: `memoryOvercommit: -5`, `pendingTimeout: 0s`",
              answered(
                  "ConfigMap/quotient-settings",
                  null,
                  Reason.SettingsInvalid,
                  "memoryOvercommit must be a number >= 1 (1 = no overcommit), got '-5';"
                      + " pendingTimeout '0s': must be longer than 0s")),
          both(
              "43-settings-yaml-not-yaml.yaml",
              "settings: `settings.yaml` is not YAML",
              answered(
                  "ConfigMap/quotient-settings",
                  null,
                  Reason.SettingsInvalid,
                  "Settings change refused, the last good settings stay: settings.yaml is not valid"
                      + " YAML")),
          new Case(
              "44-desired-state-wrong-type.yaml",
              "Project desiredState `42` (wrong type)",
              refused("spec.desiredState: Invalid value: \"integer\""),
              answered(
                  "Project/bad-desired-number",
                  "Ready=False",
                  Reason.SpecInvalid,
                  "spec.desiredState '42' is not one this operator knows (Running, Stopped)")),
          new Case(
              "45-spec-not-an-object.yaml",
              "Project spec is a string (wrong type)",
              refused("spec: Invalid value: \"string\""),
              answered(
                  "Project/bad-spec-string",
                  "Ready=False",
                  Reason.SpecInvalid,
                  "spec is \"run it please\" (text) where an object belongs")),
          new Case(
              "46-node-names-wrong-type.yaml",
              "DedicatedNodeGroup nodeNames is a string (wrong type)",
              refused("spec.nodeNames: Invalid value: \"string\""),
              answered(
                  "DedicatedNodeGroup/bad-node-names-string",
                  "Ready=False",
                  Reason.SpecInvalid,
                  "spec.nodeNames is \"physics-1\" (text) where a list belongs")),
          both(
              "47-selector-without-operator.yaml",
              "License selector requirement without an operator",
              answered(
                  "Project/uses-selector-no-operator",
                  LICENSES_INVALID,
                  Reason.LicenseInvalid,
                  "spec.allowedNamespaces.matchExpressions[0].operator 'null' is not one of In,"
                      + " NotIn, Exists, DoesNotExist")));

  /** The YAML documents of a case file, as written (nothing is checked on the client). */
  public static List<GenericKubernetesResource> documents(String file) {
    String text;
    try {
      text = Files.readString(DIR.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KubernetesSerialization json = new KubernetesSerialization();
    return Arrays.stream(text.split("(?m)^---\\s*$"))
        .filter(d -> d.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#")))
        .map(d -> json.unmarshal(d, GenericKubernetesResource.class))
        .toList();
  }

  /** The files in the corpus directory. */
  public static List<String> files() {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first comment block of a case file: what it is. */
  public static String header(String file) {
    try {
      return Files.readAllLines(DIR.resolve(file)).stream()
          .takeWhile(l -> l.startsWith("#"))
          .map(l -> l.substring(1).trim())
          .reduce((a, b) -> a + " " + b)
          .orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The table as markdown, one row per case (what docs/bad-input.md holds). */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("| case | what | real control plane | mock API server |\n");
    md.append("|---|---|---|---|\n");
    for (Case c : CASES) {
      md.append("| `")
          .append(c.file())
          .append("` | ")
          .append(c.what())
          .append(" | ")
          .append(describe(c.real()))
          .append(" | ")
          .append(c.real().equals(c.mock()) ? "same" : describe(c.mock()))
          .append(" |\n");
    }
    return md.toString();
  }

  private static String describe(Outcome o) {
    if (o instanceof Outcome.Refused r) {
      return "refused (" + r.code() + "): `" + cell(r.message()) + "`";
    }
    Outcome.Answered a = (Outcome.Answered) o;
    String name = a.name().length() > 40 ? a.name().substring(0, 37) + "..." : a.name();
    return a.kind()
        + " "
        + name
        + ": "
        + (a.condition() == null ? "" : a.condition() + " ")
        + "`"
        + a.reason()
        + "`"
        + (a.message().isEmpty() ? "" : " \"" + cell(a.message()) + "\"")
        + (a.condition() == null
            ? " (Warning Event)"
            : a.event() == a.reason() ? ", and an Event" : ", and an Event `" + a.event() + "`");
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
