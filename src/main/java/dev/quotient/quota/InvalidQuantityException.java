package dev.quotient.quota;

/** A quantity or duration that cannot be used, with a message naming the field and the fix. */
public class InvalidQuantityException extends IllegalArgumentException {
  public InvalidQuantityException(String field, String value, String problem) {
    super(field + " '" + value + "' " + problem);
  }
}
