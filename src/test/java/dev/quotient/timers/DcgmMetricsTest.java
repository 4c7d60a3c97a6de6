package dev.quotient.timers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DcgmMetricsTest {
  /** What dcgm-exporter serves with its Kubernetes pod mapping on (labels as it writes them). */
  static final String NODE_A =
      """
      # HELP DCGM_FI_DEV_SM_CLOCK SM clock frequency (in MHz).
      # TYPE DCGM_FI_DEV_SM_CLOCK gauge
      DCGM_FI_DEV_SM_CLOCK{gpu="0",UUID="GPU-0a",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-1",DCGM_FI_DRIVER_VERSION="550.54.15",container="main",namespace="research",pod="project-train"} 1410
      # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
      # TYPE DCGM_FI_DEV_GPU_UTIL gauge
      DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-0a",pci_bus_id="00000000:07:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-1",DCGM_FI_DRIVER_VERSION="550.54.15",container="main",namespace="research",pod="project-train"} 3
      DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-1a",pci_bus_id="00000000:0F:00.0",device="nvidia1",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-1",DCGM_FI_DRIVER_VERSION="550.54.15",container="main",namespace="research",pod="project-train"} 97
      DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-2a",pci_bus_id="00000000:47:00.0",device="nvidia2",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-1",DCGM_FI_DRIVER_VERSION="550.54.15",container="main",namespace="course",pod="project-student-1"} 5
      DCGM_FI_DEV_GPU_UTIL{gpu="3",UUID="GPU-3a",pci_bus_id="00000000:4E:00.0",device="nvidia3",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-1",DCGM_FI_DRIVER_VERSION="550.54.15"} 100
      DCGM_FI_DEV_GPU_UTIL{gpu="4",broken
      """;

  @Test
  void aPodIsAsBusyAsItsBusiestGpu() {
    DcgmMetrics.Reading r = DcgmMetrics.read(NODE_A);
    assertThat(r.utilisation())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                new PodRef("research", "project-train"), 97.0,
                new PodRef("course", "project-student-1"), 5.0));
    assertThat(r.gpus()).isEqualTo(4);
    assertThat(r.unassigned()).as("the GPU of no pod").isEqualTo(1);
    assertThat(r.malformed()).isEqualTo(1);
  }

  @Test
  void busyMeansAboveTheThreshold() {
    DcgmMetrics.Reading r = DcgmMetrics.read(NODE_A);
    assertThat(r.busyAbove(5)).containsExactly(new PodRef("research", "project-train"));
    assertThat(r.busyAbove(4.9))
        .containsExactlyInAnyOrder(
            new PodRef("research", "project-train"), new PodRef("course", "project-student-1"));
    assertThat(r.busyAbove(97)).isEmpty();
  }

  @Test
  void otherMetricsNaNAndEmptyPodLabelsAreNoActivity() {
    DcgmMetrics.Reading r =
        DcgmMetrics.read(
            """
            DCGM_FI_DEV_FB_USED{namespace="a",pod="p"} 40000
            DCGM_FI_DEV_GPU_UTIL{namespace="a",pod="q"} NaN
            DCGM_FI_DEV_GPU_UTIL{namespace="",pod="r"} 80
            DCGM_FI_DEV_GPU_UTIL{namespace="a",pod=""} 80
            """);
    assertThat(r.utilisation()).isEmpty();
    assertThat(r.gpus()).isEqualTo(2);
    assertThat(r.unassigned()).isEqualTo(2);
  }

  @Test
  void readingsOfSeveralNodesMerge() {
    DcgmMetrics.Reading b =
        DcgmMetrics.read(
            "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",namespace=\"lab\",pod=\"project-x\"} 60\n"
                + "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",namespace=\"research\",pod=\"project-train\"} 12\n");
    DcgmMetrics.Reading all = DcgmMetrics.merge(List.of(DcgmMetrics.read(NODE_A), b));
    assertThat(all.utilisation())
        .containsEntry(new PodRef("lab", "project-x"), 60.0)
        .containsEntry(new PodRef("research", "project-train"), 97.0)
        .hasSize(3);
    assertThat(all.gpus()).isEqualTo(6);
    assertThat(all.malformed()).isEqualTo(1);
  }
}
