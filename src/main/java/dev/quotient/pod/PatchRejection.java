package dev.quotient.pod;

/** A license's pod patch that was not applied, and why. */
public record PatchRejection(String license, String reason) {}
