package dev.quotient.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelEvaluationException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The two ValidatingAdmissionPolicies of operator/admission-policies.yaml, compiled and run with
 * Google's cel-java (standard library plus the strings extension, as the API server has), on
 * admission requests built here. The real-cluster tests run them in a kube-apiserver; this test
 * keeps their CEL compiling and their decisions right in the fast suite.
 */
class AdmissionPoliciesTest {
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setOptions(CelOptions.current().build())
          .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .addVar("variables", SimpleType.DYN)
          .addVar("params", SimpleType.DYN)
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .build();

  static final String ALICE = "alice";
  private final List<GenericKubernetesResource> objects = Manifests.build(Manifests.OPERATOR);
  private final Policy adminQuota =
      new Policy(
          Manifests.one(
              objects,
              "ValidatingAdmissionPolicy",
              "quotient-project-admin-quota",
              GenericKubernetesResource.class));
  private final Policy ledger =
      new Policy(
          Manifests.one(
              objects,
              "ValidatingAdmissionPolicy",
              "quotient-pod-ledger-labels",
              GenericKubernetesResource.class));

  @Test
  void everyExpressionCompiles() {
    for (Policy p : List.of(adminQuota, ledger)) {
      assertThat(p.expressions()).isNotEmpty().allSatisfy(AdmissionPoliciesTest::compile);
      assertThat(p.spec.get("failurePolicy")).isEqualTo("Fail");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void bothPoliciesAreBoundToDeny() {
    for (var binding :
        Manifests.ofKind(
            objects, "ValidatingAdmissionPolicyBinding", GenericKubernetesResource.class)) {
      assertThat((List<Object>) spec(binding).get("validationActions")).containsExactly("Deny");
    }
    assertThat(
            Manifests.ofKind(
                objects, "ValidatingAdmissionPolicyBinding", GenericKubernetesResource.class))
        .hasSize(2);
  }

  @Test
  void onlyAdminsSetOrChangeAdminQuota() {
    Map<String, Object> quota = Map.of("cpu", "4", "memory", "8Gi");
    Map<String, Object> plain = project(null, "Running");
    Map<String, Object> withQuota = project(quota, "Running");

    assertThat(adminQuota.denies(create(user(ALICE), plain))).isEmpty();
    assertThat(adminQuota.denies(create(user(ALICE), withQuota)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("spec.adminQuota", "quotient:admins", ALICE)
                    .doesNotContain("\n"));
    assertThat(adminQuota.denies(create(user("root", "quotient:admins"), withQuota))).isEmpty();
    assertThat(adminQuota.denies(create(user("kubernetes-admin", "system:masters"), withQuota)))
        .isEmpty();

    // users edit everything else freely, with or without an admin quota in place
    assertThat(adminQuota.denies(update(user(ALICE), project(quota, "Stopped"), withQuota)))
        .isEmpty();
    assertThat(adminQuota.denies(update(user(ALICE), project(null, "Stopped"), plain))).isEmpty();
    // but may not add, change or remove it
    assertThat(adminQuota.denies(update(user(ALICE), withQuota, plain))).isPresent();
    assertThat(
            adminQuota.denies(
                update(
                    user(ALICE),
                    project(Map.of("cpu", "8", "memory", "8Gi"), "Running"),
                    withQuota)))
        .hasValueSatisfying(m -> assertThat(m).contains("set, changed or removed"));
    assertThat(adminQuota.denies(update(user(ALICE), plain, withQuota))).isPresent();
    assertThat(adminQuota.denies(update(user(ALICE, "quotient:admins"), plain, withQuota)))
        .isEmpty();
    // a Project without spec at all
    assertThat(adminQuota.denies(create(user(ALICE), Map.of("metadata", Map.of("name", "p")))))
        .isEmpty();
  }

  @Test
  void onlyAdminsSetOrChangeProjectId() {
    Map<String, Object> plain = project(null, "Running");
    Map<String, Object> withId = withProjectId("3f2a");

    assertThat(adminQuota.denies(create(user(ALICE), withId)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("spec.projectId", "home directory", "quotient:admins", ALICE)
                    .doesNotContain("\n"));
    assertThat(adminQuota.denies(create(user("root", "quotient:admins"), withId))).isEmpty();
    // everything else stays the user's, with an id in place
    assertThat(adminQuota.denies(update(user(ALICE), withId, withId))).isEmpty();
    // adding, changing or removing it is not
    assertThat(adminQuota.denies(update(user(ALICE), withId, plain))).isPresent();
    assertThat(adminQuota.denies(update(user(ALICE), withProjectId("other"), withId))).isPresent();
    assertThat(adminQuota.denies(update(user(ALICE), plain, withId))).isPresent();
    assertThat(adminQuota.denies(update(user(ALICE, "system:masters"), withId, plain))).isEmpty();
  }

  private static Map<String, Object> withProjectId(String id) {
    Map<String, Object> p = new HashMap<>(project(null, "Running"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = new HashMap<>((Map<String, Object>) p.get("spec"));
    spec.put("projectId", id);
    p.put("spec", spec);
    return p;
  }

  @Test
  void onlyTheOperatorWritesQuotientLabelsAndAnnotationsOnPods() {
    Map<String, Object> ledgerPod =
        pod(
            Map.of("app.kubernetes.io/managed-by", "quotient", "quotient.dev/cpu-millis", "1000"),
            Map.of("quotient.dev/licenses", "basic"));
    Map<String, Object> plainPod = pod(Map.of("app", "web"), Map.of("note", "x"));

    assertThat(ledger.denies(create(user(Manifests.OPERATOR_USER), ledgerPod))).isEmpty();
    assertThat(ledger.denies(update(user(Manifests.OPERATOR_USER), plainPod, ledgerPod))).isEmpty();

    assertThat(ledger.denies(create(user(ALICE), plainPod))).isEmpty();
    assertThat(ledger.denies(create(user(ALICE), pod(Map.of("notquotient.dev/x", "1"), Map.of()))))
        .isEmpty();
    assertThat(ledger.denies(create(user(ALICE), ledgerPod)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains(
                        "quotient.dev/cpu-millis",
                        "quotient.dev/licenses",
                        ALICE,
                        Manifests.OPERATOR_USER)
                    .doesNotContain("\n"));
    // forging a count on someone else's pod, or erasing it, is refused ...
    assertThat(
            ledger.denies(
                update(
                    user(ALICE),
                    pod(
                        Map.of(
                            "app.kubernetes.io/managed-by",
                            "quotient",
                            "quotient.dev/cpu-millis",
                            "1"),
                        Map.of("quotient.dev/licenses", "basic")),
                    ledgerPod)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("quotient.dev/cpu-millis")
                    .doesNotContain("quotient.dev/licenses"));
    assertThat(
            ledger.denies(
                update(
                    user(ALICE),
                    pod(
                        Map.of(
                            "app.kubernetes.io/managed-by",
                            "quotient",
                            "quotient.dev/cpu-millis",
                            "1000"),
                        Map.of()),
                    ledgerPod)))
        .hasValueSatisfying(m -> assertThat(m).contains("quotient.dev/licenses"));
    assertThat(
            ledger.denies(
                update(
                    user(ALICE),
                    pod(
                        Map.of("app.kubernetes.io/managed-by", "quotient"),
                        Map.of("quotient.dev/licenses", "basic")),
                    ledgerPod)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("quotient.dev/cpu-millis")
                    .doesNotContain("quotient.dev/licenses"));
    assertThat(
            ledger.denies(
                update(
                    user(ALICE),
                    plainPod,
                    pod(Map.of("app", "web"), Map.of("quotient.dev/licenses", "x")))))
        .isPresent();
    // ... while other edits of a project pod (e.g. the kubelet's status updates) pass
    Map<String, Object> relabelled =
        pod(
            Map.of(
                "app.kubernetes.io/managed-by",
                "quotient",
                "quotient.dev/cpu-millis",
                "1000",
                "team",
                "a"),
            Map.of("quotient.dev/licenses", "basic", "seen", "yes"));
    assertThat(
            ledger.denies(
                update(user("system:node:pool-1", "system:nodes"), relabelled, ledgerPod)))
        .isEmpty();
    assertThat(ledger.denies(update(user(ALICE), pod(null, null), pod(null, null)))).isEmpty();
  }

  // --- a small ValidatingAdmissionPolicy evaluator (matchConditions, variables, validations) ---

  static final class Policy {
    final Map<String, Object> spec;

    Policy(GenericKubernetesResource policy) {
      this.spec = spec(policy);
    }

    List<String> expressions() {
      List<String> out = new ArrayList<>();
      for (String field : List.of("matchConditions", "variables")) {
        list(spec.get(field)).forEach(m -> out.add((String) m.get("expression")));
      }
      list(spec.get("validations"))
          .forEach(
              m -> {
                out.add((String) m.get("expression"));
                if (m.get("messageExpression") != null) {
                  out.add((String) m.get("messageExpression"));
                }
              });
      return out;
    }

    /** The denial message, or empty when the request is admitted. */
    Optional<String> denies(Map<String, Object> input) {
      Map<String, Object> activation = new HashMap<>(input);
      for (Map<String, Object> c : list(spec.get("matchConditions"))) {
        if (!Boolean.TRUE.equals(eval((String) c.get("expression"), activation))) {
          return Optional.empty();
        }
      }
      Map<String, Object> variables = new LinkedHashMap<>();
      activation.put("variables", variables);
      for (Map<String, Object> v : list(spec.get("variables"))) {
        variables.put((String) v.get("name"), eval((String) v.get("expression"), activation));
      }
      for (Map<String, Object> v : list(spec.get("validations"))) {
        Object ok = eval((String) v.get("expression"), activation);
        assertThat(ok)
            .as("validation must yield a bool: " + v.get("expression"))
            .isInstanceOf(Boolean.class);
        if (!(Boolean) ok) {
          String message =
              v.get("messageExpression") != null
                  ? (String) eval((String) v.get("messageExpression"), activation)
                  : (String) v.get("message");
          return Optional.of(message);
        }
      }
      return Optional.empty();
    }
  }

  private static CelAbstractSyntaxTree compile(String expression) {
    CelValidationResult r = CEL.compile(expression);
    try {
      return r.getAst();
    } catch (CelValidationException e) {
      throw new AssertionError("CEL does not compile: " + expression + "\n" + e.getMessage(), e);
    }
  }

  private static Object eval(String expression, Map<String, Object> activation) {
    try {
      return CEL.createProgram(compile(expression)).eval(activation);
    } catch (CelEvaluationException e) {
      throw new AssertionError("CEL evaluation failed: " + expression + "\n" + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> spec(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object o) {
    return o == null ? List.of() : (List<Map<String, Object>>) o;
  }

  static Map<String, Object> user(String name, String... groups) {
    List<String> g = new ArrayList<>(List.of(groups));
    g.add("system:authenticated");
    return Map.of("username", name, "groups", g);
  }

  static Map<String, Object> create(Map<String, Object> user, Map<String, Object> object) {
    Map<String, Object> in = new HashMap<>();
    in.put("request", Map.of("operation", "CREATE", "userInfo", user));
    in.put("object", object);
    in.put("oldObject", dev.cel.common.values.NullValue.NULL_VALUE);
    return in;
  }

  static Map<String, Object> update(
      Map<String, Object> user, Map<String, Object> object, Map<String, Object> old) {
    Map<String, Object> in = new HashMap<>();
    in.put("request", Map.of("operation", "UPDATE", "userInfo", user));
    in.put("object", object);
    in.put("oldObject", old);
    return in;
  }

  static Map<String, Object> project(Map<String, Object> adminQuota, String desiredState) {
    Map<String, Object> spec = new HashMap<>();
    spec.put("desiredState", desiredState);
    spec.put("licenses", List.of("basic"));
    if (adminQuota != null) {
      spec.put("adminQuota", adminQuota);
    }
    return Map.of(
        "apiVersion",
        "quotient.dev/v1alpha1",
        "kind",
        "Project",
        "metadata",
        Map.of("name", "p", "namespace", "research"),
        "spec",
        spec);
  }

  static Map<String, Object> pod(Map<String, String> labels, Map<String, String> annotations) {
    Map<String, Object> meta = new HashMap<>();
    meta.put("name", "project-p");
    meta.put("namespace", "research");
    if (labels != null) {
      meta.put("labels", labels);
    }
    if (annotations != null) {
      meta.put("annotations", annotations);
    }
    return Map.of("apiVersion", "v1", "kind", "Pod", "metadata", meta, "spec", Map.of());
  }
}
