package dev.quotient.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * Prepull (opt-in): project nodes stay tainted until a DaemonSet has pulled the project images on
 * them, so a user's first project on a new node does not wait for a large image.
 *
 * @param images images of {@code pod.allowedImages} to pull besides the default image
 * @param pauseImage the prepull pods' main container, which only keeps them running
 */
public record PrepullSettings(boolean enabled, List<String> images, String pauseImage) {
  public PrepullSettings {
    images = List.copyOf(images);
  }

  /** What each project node gets: the default image first, then the named ones, no repeats. */
  public List<String> imagesToPull(String defaultImage) {
    List<String> out = new ArrayList<>();
    out.add(defaultImage);
    images.stream().filter(i -> !out.contains(i)).forEach(out::add);
    return List.copyOf(out);
  }
}
