package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Two thousand Projects against a cluster quota of three running: the operator stays correct at
 * that size. Every Project ends Running or WaitingForResources, the waiting ones hold the queue
 * positions 1..N of the cluster quota in the ledger's order, and the ledger never holds more leases
 * than the quota nor more queue entries than there are Projects. Correctness only: no timing is
 * asserted.
 */
class ManyWaitingProjectsIT {
  static final int PROJECTS = 2_000;
  static final int NAMESPACES = 10;
  static final int RUNNING = 3;

  @Test
  void twoThousandProjectsWaitInOneQueueWithTheirPositions() throws Exception {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("clusterQuota.runningProjects", String.valueOf(RUNNING));
    settings.put("defaultQuota.idleTimeout", "");
    try (MockCluster c = MockCluster.start(settings)) {
      LeaseLedger ledger = c.run().operator().ledger();
      List<String> namespaces =
          IntStream.range(0, NAMESPACES).mapToObj(i -> c.namespace("many")).toList();
      // What the ledger holds, sampled all along: never above its bounds, at no moment.
      AtomicInteger maxLeases = new AtomicInteger();
      AtomicInteger maxQueue = new AtomicInteger();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  maxLeases.accumulateAndGet(ledger.size(), Math::max);
                  maxQueue.accumulateAndGet(ledger.queue().size(), Math::max);
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "ledger-sampler");
      sampler.start();

      ExecutorService creators = Executors.newFixedThreadPool(4);
      List<Future<?>> created = new ArrayList<>();
      for (int i = 0; i < PROJECTS; i++) {
        String ns = namespaces.get(i % NAMESPACES);
        String name = "p-" + i;
        created.add(creators.submit(() -> c.create(project(ns, name))));
      }
      for (Future<?> f : created) {
        f.get(5, TimeUnit.MINUTES);
      }
      creators.shutdown();

      // Settled: every Project has a phase, exactly the quota runs, and the positions of the
      // waiting ones are 1..N in the ledger's queue order.
      int waiting = PROJECTS - RUNNING;
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(2))
          .ignoreExceptions()
          .untilAsserted(() -> assertSettled(c, namespaces, ledger, waiting, null));
      sampling.set(false);
      sampler.join();

      assertThat(maxLeases.get()).as("leases held at any moment").isLessThanOrEqualTo(RUNNING);
      assertThat(maxQueue.get()).as("queue entries at any moment").isLessThanOrEqualTo(PROJECTS);
      assertThat(ledger.size()).isEqualTo(RUNNING);
      assertThat(ledger.queue()).hasSize(waiting).doesNotHaveDuplicates();

      // Stopping one running project starts the head of the queue, and every position moves up.
      Project running =
          all(c, namespaces).stream()
              .filter(ManyWaitingProjectsIT::isRunning)
              .findFirst()
              .orElseThrow();
      ProjectKey head = ledger.queue().get(0);
      ProjectKey stopped =
          new ProjectKey(running.getMetadata().getNamespace(), running.getMetadata().getName());
      c.setDesiredState(
          running.getMetadata().getNamespace(),
          running.getMetadata().getName(),
          DesiredState.Stopped);
      c.awaitPhase(head.namespace(), head.name(), ProjectPhase.Running, Duration.ofMinutes(2));
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(2))
          .ignoreExceptions()
          .untilAsserted(() -> assertSettled(c, namespaces, ledger, waiting - 1, stopped));
      assertThat(ledger.size()).isEqualTo(RUNNING);
      assertThat(c.project(stopped.namespace(), stopped.name()).getStatus().getPhase())
          .isEqualTo(ProjectPhase.Stopped);
    }
  }

  private static boolean isRunning(Project p) {
    return p.getStatus() != null && p.getStatus().getPhase() == ProjectPhase.Running;
  }

  private static List<Project> all(MockCluster c, List<String> namespaces) {
    List<Project> out = new ArrayList<>();
    for (String ns : namespaces) {
      out.addAll(c.client().resources(Project.class).inNamespace(ns).list().getItems());
    }
    return out;
  }

  /** Every Project but {@code stopped} runs or waits, and the waiting ones hold 1..N in order. */
  private static void assertSettled(
      MockCluster c, List<String> namespaces, LeaseLedger ledger, int waiting, ProjectKey stopped) {
    List<Project> projects = new ArrayList<>(all(c, namespaces));
    projects.removeIf(
        p ->
            stopped != null
                && stopped.equals(
                    new ProjectKey(p.getMetadata().getNamespace(), p.getMetadata().getName())));
    Map<ProjectKey, Integer> positions = new HashMap<>();
    int running = 0;
    int waitingSeen = 0;
    for (Project p : projects) {
      ProjectKey key = new ProjectKey(p.getMetadata().getNamespace(), p.getMetadata().getName());
      assertThat(p.getStatus()).as(key + " has a status").isNotNull();
      ProjectPhase phase = p.getStatus().getPhase();
      if (phase == ProjectPhase.Running) {
        running++;
        assertThat(p.getStatus().getQueuePosition()).as(key + " runs: no position").isNull();
      } else {
        assertThat(phase).as(key + "'s phase").isEqualTo(ProjectPhase.WaitingForResources);
        waitingSeen++;
        assertThat(p.getStatus().getMessage()).as(key.toString()).contains("running projects");
        positions.put(key, p.getStatus().getQueuePosition());
      }
    }
    assertThat(running + waitingSeen).isEqualTo(projects.size());
    assertThat(running).as("running").isEqualTo(RUNNING);
    assertThat(waitingSeen).as("waiting").isEqualTo(waiting);
    List<ProjectKey> queue = ledger.queue();
    assertThat(queue).as("the ledger's queue").hasSize(waiting);
    for (int i = 0; i < queue.size(); i++) {
      assertThat(positions.get(queue.get(i)))
          .as(queue.get(i) + "'s queuePosition")
          .isEqualTo(i + 1);
    }
  }
}
