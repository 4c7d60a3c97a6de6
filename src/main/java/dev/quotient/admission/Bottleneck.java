package dev.quotient.admission;

/**
 * Why a project cannot start now: the resource (also the metric label) and a message for people.
 */
public record Bottleneck(String resource, String message) {}
