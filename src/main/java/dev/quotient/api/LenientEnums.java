package dev.quotient.api;

/**
 * Reads enum values leniently: a value this operator does not know (written by a newer operator, or
 * allowed by a newer CRD) reads as null instead of failing the whole object, which would fail the
 * informer's list or watch for every object of the kind.
 */
final class LenientEnums {
  private LenientEnums() {}

  static <E extends Enum<E>> E valueOrNull(Class<E> type, String value) {
    if (value == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(value)) {
        return e;
      }
    }
    return null;
  }
}
