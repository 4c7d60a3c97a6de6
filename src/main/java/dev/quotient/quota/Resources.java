package dev.quotient.quota;

/**
 * CPU (millicores), memory (bytes) and GPUs (devices): the amounts that are limited, requested and
 * leased. Plain longs so the arithmetic is exact and cheap.
 */
public record Resources(long cpuMillis, long memoryBytes, long gpu) {
  public static final Resources ZERO = new Resources(0, 0, 0);

  public Resources {
    if (cpuMillis < 0 || memoryBytes < 0 || gpu < 0) {
      throw new IllegalArgumentException(
          "negative resources: " + cpuMillis + "m, " + memoryBytes + ", " + gpu);
    }
  }

  public Resources plus(Resources o) {
    return new Resources(
        Math.addExact(cpuMillis, o.cpuMillis),
        Math.addExact(memoryBytes, o.memoryBytes),
        Math.addExact(gpu, o.gpu));
  }

  /** Subtraction that stops at zero: free capacity is never negative, even over-committed. */
  public Resources minusFloorZero(Resources o) {
    return new Resources(
        Math.max(0, cpuMillis - o.cpuMillis),
        Math.max(0, memoryBytes - o.memoryBytes),
        Math.max(0, gpu - o.gpu));
  }

  public Resources max(Resources o) {
    return new Resources(
        Math.max(cpuMillis, o.cpuMillis),
        Math.max(memoryBytes, o.memoryBytes),
        Math.max(gpu, o.gpu));
  }

  public Resources min(Resources o) {
    return new Resources(
        Math.min(cpuMillis, o.cpuMillis),
        Math.min(memoryBytes, o.memoryBytes),
        Math.min(gpu, o.gpu));
  }

  public boolean fitsIn(Resources o) {
    return cpuMillis <= o.cpuMillis && memoryBytes <= o.memoryBytes && gpu <= o.gpu;
  }

  @Override
  public String toString() {
    return "cpu "
        + Quantities.formatCpu(cpuMillis)
        + ", memory "
        + Quantities.formatBytes(memoryBytes)
        + ", gpu "
        + gpu;
  }
}
