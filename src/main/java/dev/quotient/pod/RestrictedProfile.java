package dev.quotient.pod;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** Checks a pod against the Pod Security Standards "restricted" profile; returns violations. */
public final class RestrictedProfile {
  private RestrictedProfile() {}

  public static List<String> violations(Pod pod) {
    List<String> out = new ArrayList<>();
    PodSpec spec = pod.getSpec();
    if (Boolean.TRUE.equals(spec.getHostNetwork())
        || Boolean.TRUE.equals(spec.getHostPID())
        || Boolean.TRUE.equals(spec.getHostIPC())) {
      out.add("host namespaces (hostNetwork/hostPID/hostIPC) are not allowed");
    }
    for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
      if (v.getHostPath() != null) {
        out.add("volume '" + v.getName() + "' uses hostPath");
      } else if (v.getConfigMap() == null
          && v.getCsi() == null
          && v.getDownwardAPI() == null
          && v.getEmptyDir() == null
          && v.getEphemeral() == null
          && v.getPersistentVolumeClaim() == null
          && v.getProjected() == null
          && v.getSecret() == null) {
        out.add("volume '" + v.getName() + "' has a type the restricted profile does not allow");
      }
    }
    PodSecurityContext psc = spec.getSecurityContext();
    boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
    if (psc != null && Long.valueOf(0).equals(psc.getRunAsUser())) {
      out.add("the pod runs as user 0 (root)");
    }
    if (psc != null && Boolean.FALSE.equals(psc.getRunAsNonRoot())) {
      out.add("the pod sets runAsNonRoot: false");
    }
    String podSeccomp =
        psc == null || psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
    if (podSeccomp != null
        && !"RuntimeDefault".equals(podSeccomp)
        && !"Localhost".equals(podSeccomp)) {
      out.add("the pod's seccompProfile must be RuntimeDefault or Localhost, not " + podSeccomp);
    }
    List<Container> containers =
        Stream.of(spec.getInitContainers(), spec.getContainers())
            .filter(Objects::nonNull)
            .flatMap(List::stream)
            .toList();
    for (Container c : containers) {
      String who = "container '" + c.getName() + "'";
      SecurityContext sc = c.getSecurityContext();
      if (sc == null) {
        out.add(
            who
                + " has no securityContext (needs allowPrivilegeEscalation: false, capabilities drop ALL)");
        continue;
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        out.add(who + " is privileged");
      }
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add(who + " must set allowPrivilegeEscalation: false");
      }
      if (Long.valueOf(0).equals(sc.getRunAsUser())) {
        out.add(who + " runs as user 0 (root)");
      }
      if (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot())) {
        out.add(who + " must run as non-root (runAsNonRoot: true)");
      }
      if (Boolean.FALSE.equals(sc.getRunAsNonRoot())) {
        out.add(who + " sets runAsNonRoot: false");
      }
      Capabilities caps = sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
        out.add(who + " must drop ALL capabilities");
      }
      if (caps != null
          && caps.getAdd() != null
          && caps.getAdd().stream().anyMatch(a -> !a.equals("NET_BIND_SERVICE"))) {
        out.add(
            who + " adds capabilities " + caps.getAdd() + " (only NET_BIND_SERVICE is allowed)");
      }
      String seccomp =
          sc.getSeccompProfile() == null ? podSeccomp : sc.getSeccompProfile().getType();
      if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
        out.add(who + " needs seccompProfile RuntimeDefault or Localhost");
      }
      for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (p.getHostPort() != null && p.getHostPort() != 0) {
          out.add(who + " uses hostPort " + p.getHostPort());
        }
      }
    }
    return out;
  }
}
