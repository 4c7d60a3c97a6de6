package dev.quotient.lifecycle;

import dev.quotient.admission.ProjectKey;

/** This project's home directory (projectId) belongs to another project: it must not start. */
public record HomeConflict(String projectId, ProjectKey owner) {}
