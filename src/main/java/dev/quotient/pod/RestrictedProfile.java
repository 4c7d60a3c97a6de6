package dev.quotient.pod;

import io.fabric8.kubernetes.api.model.AppArmorProfile;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/** Checks a pod against the Pod Security Standards "restricted" profile; returns violations. */
public final class RestrictedProfile {
  /** What the baseline profile (and so restricted) allows; everything else is refused. */
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");

  private static final Set<String> SELINUX_TYPES =
      Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");
  private static final String APPARMOR_ANNOTATION =
      "container.apparmor.security.beta.kubernetes.io/";

  private RestrictedProfile() {}

  /** SELinux: no user or role, and only the container types. */
  private static List<String> seLinux(String who, SELinuxOptions o) {
    List<String> out = new ArrayList<>();
    if (o == null) {
      return out;
    }
    if (o.getType() != null && !o.getType().isEmpty() && !SELINUX_TYPES.contains(o.getType())) {
      out.add(who + " sets SELinux type " + o.getType());
    }
    if ((o.getUser() != null && !o.getUser().isEmpty())
        || (o.getRole() != null && !o.getRole().isEmpty())) {
      out.add(who + " sets an SELinux user or role");
    }
    return out;
  }

  private static List<String> appArmor(String who, AppArmorProfile p) {
    if (p == null
        || p.getType() == null
        || "RuntimeDefault".equals(p.getType())
        || "Localhost".equals(p.getType())) {
      return List.of();
    }
    return List.of(who + " sets AppArmor profile " + p.getType());
  }

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
    if (psc != null) {
      out.addAll(seLinux("the pod", psc.getSeLinuxOptions()));
      out.addAll(appArmor("the pod", psc.getAppArmorProfile()));
      if (psc.getWindowsOptions() != null
          && Boolean.TRUE.equals(psc.getWindowsOptions().getHostProcess())) {
        out.add("the pod sets windowsOptions.hostProcess");
      }
      for (Sysctl sysctl : psc.getSysctls() == null ? List.<Sysctl>of() : psc.getSysctls()) {
        if (!SAFE_SYSCTLS.contains(sysctl.getName())) {
          out.add("the pod sets sysctl " + sysctl.getName() + " (not one of the safe sysctls)");
        }
      }
    }
    Map<String, String> annotations =
        pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null
            ? Map.of()
            : pod.getMetadata().getAnnotations();
    annotations.forEach(
        (k, v) -> {
          if (k.startsWith(APPARMOR_ANNOTATION)
              && !"runtime/default".equals(v)
              && (v == null || !v.startsWith("localhost/"))) {
            out.add(
                "annotation "
                    + k
                    + ": "
                    + v
                    + " (AppArmor must be runtime/default or localhost/<profile>)");
          }
        });
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
      if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add(who + " sets procMount " + sc.getProcMount());
      }
      out.addAll(seLinux(who, sc.getSeLinuxOptions()));
      out.addAll(appArmor(who, sc.getAppArmorProfile()));
      if (sc.getWindowsOptions() != null
          && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
        out.add(who + " sets windowsOptions.hostProcess");
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
