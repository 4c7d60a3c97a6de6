package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.Lease;
import dev.quotient.admission.PodLeases;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupSpec;
import dev.quotient.api.DesiredState;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.QuotientLabels;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.quota.Resources;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md 16 (Acto): random sequences of spec changes; after each step, once the operator
 * has converged, what is observed (pods, Project and License status, the ledger) equals what is
 * declared. The seed is printed on failure; rerun one with {@code -Dquotient.seed=N}.
 */
class RandomSequencesIT {
  private static final int PROJECTS = 6;
  private static final int RUNNING_LIMIT = 4;
  private static final List<String> LICENSES = List.of("lic-a", "lic-b", "lic-c");
  private static final int STEPS = Integer.getInteger("quotient.steps", 30);

  /**
   * Also expire every watch now and then (410 Gone): -Dquotient.expireWatches=true. Off by default
   * because the CRUD mock cannot serve it faithfully: all informers relist after the same ~1 s
   * backoff, and a pod deleted between the pod informer's LIST and its new watch is never reported
   * (a real API server replays it from the LIST's resourceVersion). Since a Stopping project checks
   * its pod with the API server, seeds 1, 2, 3 and 20261131 (which used to end with p1 stuck in
   * Stopping) pass with it on; other lost deletions remain possible on the mock. FaultsIT covers
   * 410s where the mock is exact.
   */
  private static final boolean EXPIRE = Boolean.getBoolean("quotient.expireWatches");

  /** What the test declared: the model the cluster must converge to. */
  private static final class Declared {
    final Map<String, DesiredState> projects = new LinkedHashMap<>(); // absent = deleted
    final Map<String, List<String>> licensesOf = new HashMap<>();
  }

  @Test
  void observedEqualsDeclaredAfterEveryStep() {
    run(Long.getLong("quotient.seed", 20261130L), STEPS, false);
  }

  /**
   * The same, while the operator's watches lag by 0-800 ms, changing every step (RELIABILITY.md 7).
   */
  @Test
  void observedEqualsDeclaredWithLaggingWatches() {
    run(
        Long.getLong("quotient.seed", 20261130L) + 1,
        Integer.getInteger("quotient.faultySteps", 15),
        true);
  }

  private static void run(long seed, int steps, boolean faults) {
    Random random = new Random(seed);
    List<String> history = new ArrayList<>();
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("clusterQuota.runningProjects", String.valueOf(RUNNING_LIMIT));
    try (MockCluster cluster = MockCluster.start(settings)) {
      String ns = cluster.namespace("acto");
      DedicatedNodeGroup group = new DedicatedNodeGroup();
      group.setMetadata(new ObjectMetaBuilder().withName("bigmem").build());
      DedicatedNodeGroupSpec gs = new DedicatedNodeGroupSpec();
      gs.setNodeSelector(Map.of("hardware", "big-memory"));
      group.setSpec(gs);
      cluster.create(group);
      for (String l : LICENSES) {
        cluster.create(
            license(
                l,
                2,
                q -> {
                  q.setCpu("1");
                  q.setMemory("1Gi");
                }));
      }
      Declared declared = new Declared();
      for (int i = 0; i < PROJECTS; i++) {
        String name = "p" + i;
        List<String> lics = randomLicenses(random);
        cluster.create(project(ns, name, lics.toArray(String[]::new)));
        declared.projects.put(name, DesiredState.Running);
        declared.licensesOf.put(name, lics);
      }
      history.add("create " + declared.licensesOf);
      converge(cluster, ns, declared, seed, history);
      for (int step = 0; step < steps; step++) {
        if (faults) {
          int lagMillis = random.nextInt(3) * 400;
          cluster
              .faults()
              .lagWatches(
                  lagMillis == 0 ? null : r -> r.contains("watch=true"),
                  Duration.ofMillis(lagMillis));
          history.add("watches lag " + lagMillis + " ms");
        }
        // Mostly one change at a time; sometimes a burst the operator sees mid-flight.
        int burst = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
        for (int b = 0; b < burst; b++) {
          history.add((b == 0 ? "" : "  + ") + step(cluster, ns, declared, random));
        }
        if (faults && EXPIRE && random.nextInt(3) == 0) {
          history.add(
              "  + "
                  + cluster.faults().expireWatches(r -> r.contains("watch=true"))
                  + " watches expire (410)");
        }
        converge(cluster, ns, declared, seed, history);
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "seed "
              + seed
              + " (rerun with -Dquotient.seed="
              + seed
              + "); steps:\n  "
              + String.join("\n  ", history)
              + "\n"
              + e.getMessage(),
          e);
    }
  }

  private static List<String> randomLicenses(Random random) {
    List<String> chosen = new ArrayList<>();
    for (String l : LICENSES) {
      if (random.nextInt(3) == 0) {
        chosen.add(l);
      }
    }
    return chosen;
  }

  private static String step(MockCluster cluster, String ns, Declared declared, Random random) {
    String name = "p" + random.nextInt(PROJECTS);
    String lic = LICENSES.get(random.nextInt(LICENSES.size()));
    int kind = random.nextInt(100);
    if (!declared.projects.containsKey(name)) {
      List<String> lics = randomLicenses(random);
      cluster.create(project(ns, name, lics.toArray(String[]::new)));
      declared.projects.put(name, DesiredState.Running);
      declared.licensesOf.put(name, lics);
      return "recreate " + name + " " + lics;
    }
    if (kind < 25) {
      DesiredState next =
          declared.projects.get(name) == DesiredState.Running
              ? DesiredState.Stopped
              : DesiredState.Running;
      cluster.editProject(
          ns,
          name,
          p -> {
            p.getSpec().setDesiredState(next);
            return p;
          });
      declared.projects.put(name, next);
      return name + " -> " + next;
    }
    if (kind < 45) {
      List<String> lics = new ArrayList<>(declared.licensesOf.get(name));
      String what;
      if (lics.contains(lic)) {
        lics.remove(lic);
        what = "remove";
      } else {
        lics.add(lic);
        what = "add";
      }
      List<String> next = List.copyOf(lics);
      cluster.editProject(
          ns,
          name,
          p -> {
            p.getSpec().setLicenses(next.isEmpty() ? null : next);
            return p;
          });
      declared.licensesOf.put(name, next);
      return name + " " + what + " " + lic + " -> " + next;
    }
    if (kind < 60) {
      String memory = (1 + random.nextInt(3)) + "Gi";
      int runLimit = 1 + random.nextInt(3);
      cluster.editLicense(
          lic,
          l -> {
            l.getSpec().getQuota().setMemory(memory);
            l.getSpec().setRunLimit(runLimit);
            return l;
          });
      return lic + " quota memory=" + memory + " runLimit=" + runLimit;
    }
    if (kind < 72) {
      boolean dedicated = random.nextBoolean();
      cluster.editLicense(
          lic,
          l -> {
            l.getSpec().getQuota().setDedicatedNodeGroup(dedicated ? "bigmem" : null);
            return l;
          });
      return lic + " dedicatedNodeGroup=" + (dedicated ? "bigmem" : "none");
    }
    if (kind < 84) {
      // A license change applies at the next start: stop and start to pick it up.
      cluster.editProject(
          ns,
          name,
          p -> {
            p.getSpec().setDesiredState(DesiredState.Stopped);
            return p;
          });
      declared.projects.put(name, DesiredState.Stopped);
      return name + " -> Stopped (to restart later)";
    }
    if (kind < 94) {
      cluster.client().resources(Project.class).inNamespace(ns).withName(name).delete();
      declared.projects.remove(name);
      declared.licensesOf.remove(name);
      return "delete " + name;
    }
    cluster.run().restartOperator();
    return "restart operator";
  }

  private static void converge(
      MockCluster cluster, String ns, Declared declared, long seed, List<String> history) {
    List<List<String>> last = new ArrayList<>(List.of(List.of()));
    try {
      await()
          .atMost(Duration.ofSeconds(25))
          .pollInterval(Duration.ofMillis(150))
          .ignoreExceptions()
          .until(
              () -> {
                List<String> p = problems(cluster, ns, declared);
                last.set(0, p);
                return p.isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "not converged after step "
              + (history.size() - 1)
              + " (seed "
              + seed
              + "):\n    "
              + String.join("\n    ", last.get(0)));
    }
  }

  /** Every difference between what is declared and what is observed; empty once converged. */
  static List<String> problems(MockCluster cluster, String ns, Declared declared) {
    List<String> problems = new ArrayList<>();
    List<Pod> pods = cluster.client().pods().inNamespace(ns).list().getItems();
    Map<String, Pod> podOf = new HashMap<>();
    for (Pod pod : pods) {
      String owner = PodLeases.owner(pod).map(k -> k.name()).orElse("?");
      if (podOf.put(owner, pod) != null) {
        problems.add("two pods for project " + owner);
      }
    }
    List<Pod> live = pods.stream().filter(PodLeases::holdsLease).toList();
    int waiting = 0;
    for (int i = 0; i < PROJECTS; i++) {
      String name = "p" + i;
      Project p = cluster.project(ns, name);
      Pod pod = podOf.get(name);
      DesiredState want = declared.projects.get(name);
      if (want == null) {
        if (p != null) {
          problems.add(name + ": deleted but still there");
        }
        if (pod != null) {
          problems.add(name + ": deleted but its pod " + pod.getMetadata().getName() + " survives");
        }
        continue;
      }
      if (p == null || p.getStatus() == null) {
        problems.add(name + ": no status yet");
        continue;
      }
      var st = p.getStatus();
      if (!java.util.Objects.equals(st.getObservedGeneration(), p.getMetadata().getGeneration())) {
        problems.add(
            name
                + ": observedGeneration "
                + st.getObservedGeneration()
                + " != "
                + p.getMetadata().getGeneration());
      }
      if (want == DesiredState.Stopped) {
        if (st.getPhase() != ProjectPhase.Stopped) {
          problems.add(
              name + ": Stopped desired but phase " + st.getPhase() + " (" + st.getMessage() + ")");
        }
        if (pod != null) {
          problems.add(name + ": Stopped desired but pod exists");
        }
        continue;
      }
      if (st.getPhase() == ProjectPhase.WaitingForResources) {
        waiting++;
        if (st.getMessage() == null || st.getMessage().isBlank()) {
          problems.add(name + ": waits without a message");
        }
        if (pod != null) {
          problems.add(name + ": waits but has a pod");
        }
        continue;
      }
      if (st.getPhase() != ProjectPhase.Running) {
        problems.add(
            name + ": Running desired but phase " + st.getPhase() + " (" + st.getMessage() + ")");
        continue;
      }
      if (pod == null
          || !"Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())) {
        problems.add(name + ": Running but no running pod");
        continue;
      }
      String requested =
          pod.getMetadata().getAnnotations() == null
              ? null
              : pod.getMetadata().getAnnotations().get(QuotientLabels.REQUESTED_LICENSES);
      String declaredLicenses = String.join(",", declared.licensesOf.get(name));
      if (!declaredLicenses.equals(requested)) {
        problems.add(
            name
                + ": pod started with licenses ["
                + requested
                + "], declared ["
                + declaredLicenses
                + "]");
      }
      if (!pod.getMetadata().getName().equals(st.getPodName())
          || !java.util.Objects.equals(pod.getSpec().getNodeName(), st.getNodeName())) {
        problems.add(name + ": status shows pod " + st.getPodName() + " on " + st.getNodeName());
      }
      String group = pod.getMetadata().getLabels().get(QuotientLabels.NODE_GROUP);
      String node = pod.getSpec().getNodeName();
      if ("bigmem".equals(group)
          ? !"physics-1".equals(node)
          : node == null || !node.startsWith("pool-")) {
        problems.add(name + ": node group " + group + " but on node " + node);
      }
    }
    // A project waits only because the running limit is really taken.
    if (waiting > 0 && live.size() < RUNNING_LIMIT) {
      problems.add(
          waiting + " project(s) wait while only " + live.size() + " of " + RUNNING_LIMIT + " run");
    }
    if (live.size() > RUNNING_LIMIT) {
      problems.add(live.size() + " pods run, over the limit of " + RUNNING_LIMIT);
    }
    // The ledger equals the sum over live pods.
    List<Lease> ledger = cluster.run().operator().ledger().snapshot().leases();
    Resources fromPods =
        live.stream()
            .map(PodLeases::lease)
            .flatMap(java.util.Optional::stream)
            .map(Lease::requests)
            .reduce(Resources.ZERO, Resources::plus);
    Resources inLedger =
        ledger.stream().map(Lease::requests).reduce(Resources.ZERO, Resources::plus);
    if (!fromPods.equals(inLedger) || ledger.size() != live.size()) {
      problems.add(
          "ledger "
              + ledger.size()
              + " leases "
              + inLedger
              + " != pods "
              + live.size()
              + " "
              + fromPods);
    }
    // License status counts the projects the live pods hold it for, within its run limit.
    for (String l : LICENSES) {
      TreeSet<String> holders = new TreeSet<>();
      live.forEach(
          pod -> {
            if (PodLeases.licenses(pod).contains(l)) {
              holders.add(ns + "/" + PodLeases.owner(pod).map(k -> k.name()).orElse("?"));
            }
          });
      License license = cluster.license(l);
      var rp = license.getStatus() == null ? null : license.getStatus().getRunningProjects();
      int count = rp == null || rp.getCount() == null ? -1 : rp.getCount();
      List<String> names = rp == null || rp.getNames() == null ? List.of() : rp.getNames();
      if (count != holders.size() || !new TreeSet<>(names).equals(holders)) {
        problems.add(
            "License " + l + " shows " + count + " " + names + ", pods hold it for " + holders);
      }
      long ledgerUse = cluster.run().operator().ledger().licenseUse(l, null);
      if (ledgerUse != holders.size()) {
        problems.add("ledger counts " + ledgerUse + " uses of " + l + ", pods " + holders.size());
      }
    }
    return problems;
  }
}
