package dev.quotient.timers;

/** A pod by namespace and name, as an exporter's {@code namespace} and {@code pod} labels say. */
public record PodRef(String namespace, String name) {}
