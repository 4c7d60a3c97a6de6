package dev.quotient.settings;

/** Cluster-wide quota limits; a null field is derived from the project nodes' allocatable. */
public record ClusterQuotaSettings(
    boolean enabled, Long cpuMillis, Long memoryBytes, Long gpu, Long runningProjects) {}
