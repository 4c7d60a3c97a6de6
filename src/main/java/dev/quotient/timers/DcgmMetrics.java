package dev.quotient.timers;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What NVIDIA's dcgm-exporter says about the GPUs of pods: its {@code DCGM_FI_DEV_GPU_UTIL} gauge
 * (percent of time a kernel ran, one sample per GPU) with the {@code namespace}, {@code pod} and
 * {@code container} labels it adds when it maps GPUs to pods through the kubelet. A pod with
 * several GPUs is as busy as its busiest one.
 */
public final class DcgmMetrics {
  public static final String GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";

  private DcgmMetrics() {}

  /**
   * One scrape, read.
   *
   * @param utilisation per pod, the highest utilisation of its GPUs (percent)
   * @param gpus GPU samples read
   * @param unassigned GPU samples of no pod (idle GPUs, or an exporter without pod mapping)
   * @param malformed lines that broke the text format, left out
   */
  public record Reading(Map<PodRef, Double> utilisation, int gpus, int unassigned, int malformed) {
    public Reading {
      utilisation = Map.copyOf(utilisation);
    }

    /** Pods with a GPU above {@code percent}. */
    public Set<PodRef> busyAbove(double percent) {
      return utilisation.entrySet().stream()
          .filter(e -> e.getValue() > percent)
          .map(Map.Entry::getKey)
          .collect(Collectors.toUnmodifiableSet());
    }
  }

  public static Reading read(String text) {
    PrometheusText.Parsed parsed = PrometheusText.parse(text);
    Map<PodRef, Double> byPod = new HashMap<>();
    int gpus = 0;
    int unassigned = 0;
    for (PrometheusText.Sample s : parsed.samples()) {
      if (!GPU_UTIL.equals(s.name()) || Double.isNaN(s.value())) {
        continue;
      }
      gpus++;
      String pod = s.label("pod");
      String namespace = s.label("namespace");
      if (pod == null || pod.isEmpty() || namespace == null || namespace.isEmpty()) {
        unassigned++;
        continue;
      }
      byPod.merge(new PodRef(namespace, pod), s.value(), Math::max);
    }
    return new Reading(byPod, gpus, unassigned, parsed.malformed());
  }

  /** Several exporters' readings (one per GPU node) as one. */
  public static Reading merge(Collection<Reading> readings) {
    Map<PodRef, Double> byPod = new HashMap<>();
    int gpus = 0;
    int unassigned = 0;
    int malformed = 0;
    for (Reading r : readings) {
      r.utilisation().forEach((pod, u) -> byPod.merge(pod, u, Math::max));
      gpus += r.gpus();
      unassigned += r.unassigned();
      malformed += r.malformed();
    }
    return new Reading(byPod, gpus, unassigned, malformed);
  }
}
