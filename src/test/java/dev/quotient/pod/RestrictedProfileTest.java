package dev.quotient.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RestrictedProfileTest {

  static SecurityContextBuilder restrictedContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities();
  }

  /** A pod that meets the restricted profile with settings at pod level where allowed. */
  static PodBuilder compliant() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .endMetadata()
        .withNewSpec()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(2001L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("project")
        .withSecurityContext(restrictedContainer().build())
        .endContainer()
        .addNewVolume()
        .withName("home")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .addNewVolume()
        .withName("claim")
        .withNewPersistentVolumeClaim()
        .withClaimName("c")
        .endPersistentVolumeClaim()
        .endVolume()
        .addNewVolume()
        .withName("cfg")
        .withNewConfigMap()
        .withName("c")
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("sec")
        .withNewSecret()
        .withSecretName("s")
        .endSecret()
        .endVolume()
        .addNewVolume()
        .withName("proj")
        .withNewProjected()
        .endProjected()
        .endVolume()
        .endSpec();
  }

  @Test
  void compliantPodHasNoViolations() {
    assertThat(RestrictedProfile.violations(compliant().build())).isEmpty();
  }

  @Test
  void containerLevelSettingsAreEnoughToo() {
    Pod pod =
        compliant()
            .editSpec()
            .withSecurityContext(null)
            .editFirstContainer()
            .withSecurityContext(
                restrictedContainer()
                    .withRunAsNonRoot(true)
                    .withNewSeccompProfile()
                    .withType("Localhost")
                    .withLocalhostProfile("p.json")
                    .endSeccompProfile()
                    .withNewCapabilities()
                    .withDrop("ALL")
                    .withAdd("NET_BIND_SERVICE")
                    .endCapabilities()
                    .build())
            .endContainer()
            .endSpec()
            .build();
    assertThat(RestrictedProfile.violations(pod)).isEmpty();
  }

  static Stream<Arguments> violations() {
    return Stream.<Arguments>of(
        v("hostNetwork", b -> b.editSpec().withHostNetwork(true).endSpec(), "host namespaces"),
        v("hostPID", b -> b.editSpec().withHostPID(true).endSpec(), "host namespaces"),
        v("hostIPC", b -> b.editSpec().withHostIPC(true).endSpec(), "host namespaces"),
        v(
            "hostPath volume",
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("sock")
                    .withNewHostPath()
                    .withPath("/var/run")
                    .endHostPath()
                    .endVolume()
                    .endSpec(),
            "volume 'sock' uses hostPath"),
        v(
            "nfs volume",
            b ->
                b.editSpec()
                    .addNewVolume()
                    .withName("n")
                    .withNewNfs()
                    .withServer("s")
                    .withPath("/")
                    .endNfs()
                    .endVolume()
                    .endSpec(),
            "volume 'n' has a type"),
        v(
            "pod runAsUser 0",
            b ->
                b.editSpec().editSecurityContext().withRunAsUser(0L).endSecurityContext().endSpec(),
            "the pod runs as user 0"),
        v(
            "pod runAsNonRoot false",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .withRunAsNonRoot(false)
                    .endSecurityContext()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withRunAsNonRoot(true)
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "the pod sets runAsNonRoot: false"),
        v(
            "pod seccomp Unconfined",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .editSeccompProfile()
                    .withType("Unconfined")
                    .endSeccompProfile()
                    .endSecurityContext()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withNewSeccompProfile()
                    .withType("RuntimeDefault")
                    .endSeccompProfile()
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "the pod's seccompProfile must be RuntimeDefault or Localhost"),
        v(
            "no seccomp anywhere",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .withSeccompProfile(null)
                    .endSecurityContext()
                    .endSpec(),
            "needs seccompProfile"),
        v(
            "container seccomp Unconfined",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withNewSeccompProfile()
                    .withType("Unconfined")
                    .endSeccompProfile()
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "needs seccompProfile"),
        v(
            "no container securityContext",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .withSecurityContext(null)
                    .endContainer()
                    .endSpec(),
            "container 'project' has no securityContext"),
        v(
            "privileged",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withPrivileged(true)
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "container 'project' is privileged"),
        v(
            "privilege escalation unset",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withAllowPrivilegeEscalation(null)
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "must set allowPrivilegeEscalation: false"),
        v(
            "container runAsUser 0",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withRunAsUser(0L)
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "container 'project' runs as user 0"),
        v(
            "container runAsNonRoot false",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withRunAsNonRoot(false)
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "sets runAsNonRoot: false"),
        v(
            "non-root nowhere",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .withRunAsNonRoot(null)
                    .endSecurityContext()
                    .endSpec(),
            "must run as non-root"),
        v(
            "capabilities not dropped",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withNewCapabilities()
                    .withDrop("NET_RAW")
                    .endCapabilities()
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "must drop ALL capabilities"),
        v(
            "capability added",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withNewCapabilities()
                    .withDrop("ALL")
                    .withAdd("SYS_ADMIN")
                    .endCapabilities()
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "adds capabilities [SYS_ADMIN]"),
        v(
            "hostPort",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .addNewPort()
                    .withContainerPort(80)
                    .withHostPort(80)
                    .endPort()
                    .endContainer()
                    .endSpec(),
            "uses hostPort 80"),
        // What PodSecurity admission refuses beyond the fields above (found by PodSecurityKubeIT)
        v(
            "unsafe sysctl",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .addNewSysctl()
                    .withName("kernel.msgmax")
                    .withValue("65536")
                    .endSysctl()
                    .endSecurityContext()
                    .endSpec(),
            "the pod sets sysctl kernel.msgmax (not one of the safe sysctls)"),
        v(
            "procMount Unmasked",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withProcMount("Unmasked")
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "sets procMount Unmasked"),
        v(
            "SELinux user",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .withNewSeLinuxOptions()
                    .withUser("system_u")
                    .endSeLinuxOptions()
                    .endSecurityContext()
                    .endSpec(),
            "the pod sets an SELinux user or role"),
        v(
            "SELinux type",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withNewSeLinuxOptions()
                    .withType("spc_t")
                    .endSeLinuxOptions()
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "sets SELinux type spc_t"),
        v(
            "AppArmor Unconfined",
            b ->
                b.editSpec()
                    .editFirstContainer()
                    .editSecurityContext()
                    .withNewAppArmorProfile()
                    .withType("Unconfined")
                    .endAppArmorProfile()
                    .endSecurityContext()
                    .endContainer()
                    .endSpec(),
            "sets AppArmor profile Unconfined"),
        v(
            "AppArmor annotation",
            b ->
                b.editMetadata()
                    .addToAnnotations(
                        "container.apparmor.security.beta.kubernetes.io/project", "unconfined")
                    .endMetadata(),
            "AppArmor must be runtime/default or localhost/<profile>"),
        v(
            "windows hostProcess",
            b ->
                b.editSpec()
                    .editSecurityContext()
                    .withNewWindowsOptions()
                    .withHostProcess(true)
                    .endWindowsOptions()
                    .endSecurityContext()
                    .endSpec(),
            "the pod sets windowsOptions.hostProcess"),
        v(
            "init container checked too",
            b ->
                b.editSpec()
                    .addToInitContainers(new ContainerBuilder().withName("init").build())
                    .endSpec(),
            "container 'init' has no securityContext"));
  }

  private static Arguments v(String title, UnaryOperator<PodBuilder> change, String violation) {
    return Arguments.of(title, change, violation);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void violations(String title, UnaryOperator<PodBuilder> change, String violation) {
    assertThat(RestrictedProfile.violations(change.apply(compliant()).build()))
        .anyMatch(v -> v.contains(violation));
  }

  @Test
  void hostPortZeroIsFine() {
    Pod pod =
        compliant()
            .editSpec()
            .editFirstContainer()
            .addNewPort()
            .withContainerPort(80)
            .withHostPort(0)
            .endPort()
            .endContainer()
            .endSpec()
            .build();
    assertThat(RestrictedProfile.violations(pod)).isEmpty();
  }
}
