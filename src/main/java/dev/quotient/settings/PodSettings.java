package dev.quotient.settings;

import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * How project pods look: image policy, home volume, identity, project-node placement and whether a
 * GPU pod tolerates the taint named after its GPU resource.
 */
public record PodSettings(
    String defaultImage,
    List<String> allowedImages,
    String imagePullPolicy,
    String homeClaimName,
    String homeSubPath,
    String homeMountPath,
    long uid,
    long gid,
    Map<String, String> projectNodeSelector,
    List<Toleration> projectTolerations,
    boolean tolerateGpuTaint,
    String nodeGroupKey,
    boolean allowPrivilegedPatches) {

  public PodSettings {
    allowedImages = List.copyOf(allowedImages);
    // Insertion order kept: the pods we build should be byte-for-byte the same every time.
    projectNodeSelector =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(projectNodeSelector));
    projectTolerations = List.copyOf(projectTolerations);
  }

  /**
   * Why a project's own image is not used (it is not the default nor in allowedImages), naming both
   * images; null when it is used or none is asked for.
   */
  public String imageRefusal(String requested) {
    String used = imageFor(requested);
    if (requested == null || requested.isBlank() || used.equals(requested)) {
      return null;
    }
    String shown = requested.length() > 200 ? requested.substring(0, 197) + "..." : requested;
    return "spec.image '"
        + shown
        + "' is not in pod.allowedImages: the project runs the default image "
        + used;
  }

  /** The image a project runs: its own if allowed, else the default. */
  public String imageFor(String requested) {
    if (requested == null || requested.isBlank()) {
      return defaultImage;
    }
    return requested.equals(defaultImage) || allowedImages.contains(requested)
        ? requested
        : defaultImage;
  }
}
