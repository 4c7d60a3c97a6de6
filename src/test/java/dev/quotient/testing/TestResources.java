package dev.quotient.testing;

import dev.quotient.api.DesiredState;
import dev.quotient.api.GpuSpec;
import dev.quotient.api.License;
import dev.quotient.api.LicenseSpec;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectSpec;
import dev.quotient.api.QuotaSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.function.Consumer;

/** Builders for the custom resources tests create: {@code TestResources.project("ns", "p")}. */
public final class TestResources {
  private TestResources() {}

  public static Project project(String namespace, String name, String... licenses) {
    Project p = new Project();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    ProjectSpec spec = new ProjectSpec();
    spec.setDesiredState(DesiredState.Running);
    spec.setLicenses(licenses.length == 0 ? null : List.of(licenses));
    p.setSpec(spec);
    return p;
  }

  public static Project project(String namespace, String name, Consumer<ProjectSpec> edit) {
    Project p = project(namespace, name);
    edit.accept(p.getSpec());
    return p;
  }

  public static License license(String name, int runLimit, Consumer<QuotaSpec> quota) {
    License l = new License();
    l.setMetadata(new ObjectMetaBuilder().withName(name).build());
    LicenseSpec spec = new LicenseSpec();
    spec.setTitle(name);
    spec.setRunLimit(runLimit);
    QuotaSpec q = new QuotaSpec();
    quota.accept(q);
    spec.setQuota(q);
    l.setSpec(spec);
    return l;
  }

  public static QuotaSpec quota(String cpu, String memory) {
    QuotaSpec q = new QuotaSpec();
    q.setCpu(cpu);
    q.setMemory(memory);
    return q;
  }

  public static GpuSpec gpu(int count) {
    GpuSpec g = new GpuSpec();
    g.setCount(count);
    return g;
  }
}
