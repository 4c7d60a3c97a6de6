package dev.quotient.quota;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Evaluates a Kubernetes label selector against a label map, as the API server would. */
public final class LabelSelectors {
  private LabelSelectors() {}

  private static final java.util.Set<String> NAMESPACE_OPERATORS =
      java.util.Set.of("In", "NotIn", "Exists", "DoesNotExist");

  /**
   * What makes a selector unusable, as the API server's own selector validation says it (an unknown
   * or missing operator, In/NotIn without values, Exists/DoesNotExist with values); empty when it
   * is usable. Such a selector would otherwise silently match nothing.
   */
  public static List<String> problems(String field, LabelSelector selector) {
    List<String> out = new java.util.ArrayList<>();
    if (selector == null || selector.getMatchExpressions() == null) {
      return out;
    }
    for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
      LabelSelectorRequirement r = selector.getMatchExpressions().get(i);
      String at = field + ".matchExpressions[" + i + "]";
      String op = r == null ? null : r.getOperator();
      boolean hasValues = r != null && r.getValues() != null && !r.getValues().isEmpty();
      if (r == null || r.getKey() == null || r.getKey().isBlank()) {
        out.add(at + " has no key");
      } else if (op == null || !NAMESPACE_OPERATORS.contains(op)) {
        out.add(at + ".operator '" + op + "' is not one of In, NotIn, Exists, DoesNotExist");
      } else if ((op.equals("In") || op.equals("NotIn")) && !hasValues) {
        out.add(at + " (" + op + ") needs values");
      } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && hasValues) {
        out.add(at + " (" + op + ") takes no values");
      }
    }
    return out;
  }

  /** A null or empty selector matches everything. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!Objects.equals(l.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r.getKey(), r.getOperator(), r.getValues(), l)) {
          return false;
        }
      }
    }
    return true;
  }

  /** One requirement; operators In, NotIn, Exists, DoesNotExist (plus Gt/Lt for node affinity). */
  public static boolean matches(
      String key, String operator, List<String> values, Map<String, String> labels) {
    String value = key == null ? null : labels.get(key);
    List<String> v = values == null ? List.of() : values;
    if (operator == null) {
      return false;
    }
    return switch (operator) {
      case "In" -> value != null && v.contains(value);
      case "NotIn" -> value == null || !v.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt", "Lt" -> compare(value, v, operator.equals("Gt"));
      default -> false;
    };
  }

  private static boolean compare(String value, List<String> values, boolean greater) {
    if (value == null || values.size() != 1) {
      return false;
    }
    try {
      long a = Long.parseLong(value);
      long b = Long.parseLong(values.get(0));
      return greater ? a > b : a < b;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
