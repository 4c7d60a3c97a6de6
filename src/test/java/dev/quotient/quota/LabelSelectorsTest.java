package dev.quotient.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSelectorsTest {
  private static final Map<String, String> NS =
      Map.of("team", "physics", "tier", "gold", "size", "5");

  @Test
  void nullOrEmptySelectorMatchesEverything() {
    assertThat(LabelSelectors.matches(null, NS)).isTrue();
    assertThat(LabelSelectors.matches(null, null)).isTrue();
    assertThat(LabelSelectors.matches(new LabelSelector(), Map.of())).isTrue();
    assertThat(
            LabelSelectors.matches(
                new LabelSelectorBuilder().withMatchLabels(Map.of()).build(), Map.of()))
        .isTrue();
  }

  static Stream<Arguments> matchLabels() {
    return Stream.of(
        Arguments.of(Map.of("team", "physics"), NS, true),
        Arguments.of(Map.of("team", "physics", "tier", "gold"), NS, true),
        Arguments.of(Map.of("team", "chemistry"), NS, false),
        Arguments.of(Map.of("team", "physics", "tier", "silver"), NS, false),
        Arguments.of(Map.of("missing", "x"), NS, false),
        Arguments.of(Map.of("team", "physics"), Map.of(), false),
        Arguments.of(Map.of("team", "physics"), null, false));
  }

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @MethodSource
  void matchLabels(Map<String, String> selector, Map<String, String> labels, boolean expected) {
    assertThat(
            LabelSelectors.matches(
                new LabelSelectorBuilder().withMatchLabels(selector).build(), labels))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} {1} [{2}] -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "team | In           | physics,chemistry | true",
        "team | In           | chemistry         | false",
        "nope | In           | physics           | false",
        "team | NotIn        | chemistry         | true",
        "team | NotIn        | physics           | false",
        "nope | NotIn        | physics           | true",
        "team | Exists       |                   | true",
        "nope | Exists       |                   | false",
        "team | DoesNotExist |                   | false",
        "nope | DoesNotExist |                   | true",
        "size | Gt           | 4                 | true",
        "size | Gt           | 5                 | false",
        "size | Lt           | 6                 | true",
        "size | Lt           | 5                 | false",
        "team | Gt           | 4                 | false",
        "size | Gt           | 4,5               | false",
        "nope | Gt           | 4                 | false",
        "team | Bogus        | physics           | false",
      })
  void matchExpressions(String key, String operator, String values, boolean expected) {
    List<String> v = values == null ? null : Arrays.asList(values.split(","));
    LabelSelector selector =
        new LabelSelectorBuilder()
            .withMatchExpressions(
                new LabelSelectorRequirementBuilder()
                    .withKey(key)
                    .withOperator(operator)
                    .withValues(v)
                    .build())
            .build();
    assertThat(LabelSelectors.matches(selector, NS)).isEqualTo(expected);
  }

  @Test
  void labelsAndExpressionsMustAllMatch() {
    LabelSelector selector =
        new LabelSelectorBuilder()
            .withMatchLabels(Map.of("team", "physics"))
            .withMatchExpressions(
                new LabelSelectorRequirementBuilder()
                    .withKey("tier")
                    .withOperator("In")
                    .withValues("gold", "platinum")
                    .build())
            .build();
    assertThat(LabelSelectors.matches(selector, NS)).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("team", "physics", "tier", "bronze")))
        .isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("team", "biology", "tier", "gold")))
        .isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "tier | In           | gold  | -",
        "tier | Sometimes    | gold  | spec.allowedNamespaces.matchExpressions[0].operator 'Sometimes' is not one of In, NotIn, Exists, DoesNotExist",
        "tier | -            | gold  | spec.allowedNamespaces.matchExpressions[0].operator 'null' is not one of In, NotIn, Exists, DoesNotExist",
        "tier | Gt           | 4     | spec.allowedNamespaces.matchExpressions[0].operator 'Gt' is not one of In, NotIn, Exists, DoesNotExist",
        "tier | In           | -     | spec.allowedNamespaces.matchExpressions[0] (In) needs values",
        "tier | Exists       | gold  | spec.allowedNamespaces.matchExpressions[0] (Exists) takes no values",
        "-    | Exists       | -     | spec.allowedNamespaces.matchExpressions[0] has no key",
      })
  void anUnusableNamespaceSelectorIsAProblemNotASilentMismatch(
      String key, String operator, String values, String problem) {
    LabelSelector selector =
        new LabelSelectorBuilder()
            .withMatchExpressions(
                new LabelSelectorRequirementBuilder()
                    .withKey(key)
                    .withOperator(operator)
                    .withValues(values == null ? null : List.of(values))
                    .build())
            .build();
    assertThat(LabelSelectors.problems("spec.allowedNamespaces", selector))
        .isEqualTo(problem == null ? List.of() : List.of(problem));
    // and matching never throws on it (a missing operator used to)
    assertThat(LabelSelectors.matches(selector, NS)).isIn(true, false);
  }
}
