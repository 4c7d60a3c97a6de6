package dev.quotient.admission;

/** namespace/name of a Project: how the ledger names the holder of a lease. */
public record ProjectKey(String namespace, String name) implements Comparable<ProjectKey> {
  @Override
  public String toString() {
    return namespace + "/" + name;
  }

  @Override
  public int compareTo(ProjectKey o) {
    return toString().compareTo(o.toString());
  }
}
