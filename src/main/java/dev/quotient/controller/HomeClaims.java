package dev.quotient.controller;

import dev.quotient.admission.ProjectKey;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.lifecycle.HomeClaim;
import dev.quotient.lifecycle.HomeConflict;
import dev.quotient.pod.ProjectPodFactory;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which Projects name the same home directory (effective projectId), read from the Project cache's
 * index, and whether one of them owns it instead of the project at hand.
 */
final class HomeClaims {
  private static final Set<ProjectPhase> HOLDS_POD =
      EnumSet.of(ProjectPhase.Starting, ProjectPhase.Running, ProjectPhase.Stopping);

  private final IndexedResourceCache<Project> projects;
  private final String index;

  HomeClaims(IndexedResourceCache<Project> projects, String index) {
    this.projects = projects;
    this.index = index;
  }

  /** The other project that owns this one's home, null when this one owns it or nobody shares. */
  HomeConflict conflict(Project project) {
    String id = ProjectPodFactory.projectId(project);
    if (id == null) {
      return null;
    }
    ProjectKey self = ProjectObserver.key(project);
    List<Project> sameId = projects.byIndex(index, id);
    // The usual case, on every look at every project: nobody else holds this id.
    if (sameId.isEmpty()
        || (sameId.size() == 1 && ProjectObserver.key(sameId.get(0)).equals(self))) {
      return null;
    }
    var claims =
        sameId.stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .map(HomeClaims::claim)
            .filter(c -> !c.key().equals(self))
            .toList();
    if (claims.isEmpty()) {
      return null;
    }
    // This project as it is now (the cache may lag behind the version being reconciled).
    var all = new ArrayList<>(claims);
    all.add(claim(project));
    HomeClaim owner = HomeClaim.owner(all).orElseThrow();
    return owner.key().equals(self) ? null : new HomeConflict(id, owner.key());
  }

  private static HomeClaim claim(Project p) {
    return new HomeClaim(
        ProjectObserver.key(p),
        ProjectObserver.parse(p.getMetadata().getCreationTimestamp()),
        p.getStatus() != null && HOLDS_POD.contains(p.getStatus().getPhase()));
  }
}
