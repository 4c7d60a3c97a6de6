package dev.quotient.admission;

/**
 * Why a project cannot start now: the resource it is short of, in which scope, and a message for
 * people with the numbers ("memory: needs 8Gi, 2Gi of 64Gi free").
 */
public record Bottleneck(BottleneckResource resource, Scope scope, String message) {}
