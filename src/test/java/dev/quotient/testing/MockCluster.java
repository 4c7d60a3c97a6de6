package dev.quotient.testing;

import static org.awaitility.Awaitility.await;

import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.embedded.MockApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The one shared helper for integration tests on the CRUD mock API server: the real operator, the
 * simulated nodes, scheduler and kubelet, and awaits on what a user would look at.
 */
public final class MockCluster implements AutoCloseable {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  public static final Duration TIMEOUT = Duration.ofSeconds(20);
  private final EmbeddedRun run;
  private final FaultInjectingDispatcher faults;
  private final FakeClock clock;

  private MockCluster(EmbeddedRun run, FaultInjectingDispatcher faults, FakeClock clock) {
    this.run = run;
    this.faults = faults;
    this.clock = clock;
  }

  public static MockCluster start() {
    return start(EmbeddedRun.SETTINGS);
  }

  public static MockCluster start(Map<String, String> settings) {
    AtomicReference<FaultInjectingDispatcher> faults = new AtomicReference<>();
    MockApiServer api =
        MockApiServer.start(
            0,
            responses -> {
              faults.set(new FaultInjectingDispatcher(responses));
              return faults.get();
            });
    return new MockCluster(
        EmbeddedRun.start(
            api, settings, Duration.ofMillis(200), Duration.ofMillis(100), Clock.systemUTC()),
        faults.get(),
        null);
  }

  /** The operator runs on a fake clock that only {@link #advance} moves. */
  public static MockCluster startOnFakeClock(Map<String, String> settings) {
    FakeClock clock = FakeClock.startingNow();
    AtomicReference<FaultInjectingDispatcher> faults = new AtomicReference<>();
    MockApiServer api =
        MockApiServer.start(
            0,
            responses -> {
              faults.set(new FaultInjectingDispatcher(responses));
              return faults.get();
            });
    return new MockCluster(
        EmbeddedRun.start(api, settings, Duration.ofMillis(200), Duration.ofMillis(100), clock),
        faults.get(),
        clock);
  }

  /** The operator's time now. */
  public java.time.Instant now() {
    return clock == null ? java.time.Instant.now() : clock.instant();
  }

  /** Moves the operator's fake clock on and lets its timers fire. */
  public void advance(Duration d) {
    clock.advance(d);
    run.operator().checkTimersNow();
  }

  public KubernetesClient client() {
    return run.client();
  }

  public EmbeddedRun run() {
    return run;
  }

  /**
   * The mock API server's fault injection: slow or refused requests, lagging or expiring watches.
   */
  public FaultInjectingDispatcher faults() {
    return faults;
  }

  /** A fresh namespace, so tests sharing a cluster never see each other's projects. */
  public String namespace(String prefix) {
    String name = prefix + "-" + NAMESPACES.incrementAndGet();
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T create(T object) {
    return client().resource(object).create();
  }

  public Project project(String namespace, String name) {
    return client().resources(Project.class).inNamespace(namespace).withName(name).get();
  }

  public License license(String name) {
    return client().resources(License.class).withName(name).get();
  }

  public Pod pod(String namespace, String projectName) {
    return client().pods().inNamespace(namespace).withName("project-" + projectName).get();
  }

  /**
   * Edits a Project like a user would, retrying when the operator's status write raced it (409).
   */
  /**
   * Edits a Project as a user would, retrying when the operator's status write came in between (the
   * mock gives spec and status one resourceVersion, so that is a 409).
   */
  public Project editProject(
      String namespace, String name, java.util.function.UnaryOperator<Project> edit) {
    return retryingConflicts(
        () -> client().resources(Project.class).inNamespace(namespace).withName(name).edit(edit));
  }

  /** The user starts or stops a project. */
  public Project setDesiredState(
      String namespace, String name, dev.quotient.api.DesiredState state) {
    return editProject(
        namespace,
        name,
        p -> {
          p.getSpec().setDesiredState(state);
          return p;
        });
  }

  /** Edits a License as an admin would, retrying on 409 like {@link #editProject}. */
  public License editLicense(String name, java.util.function.UnaryOperator<License> edit) {
    return retryingConflicts(() -> client().resources(License.class).withName(name).edit(edit));
  }

  private static <T> T retryingConflicts(java.util.function.Supplier<T> write) {
    for (int attempt = 0; ; attempt++) {
      try {
        return write.get();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt > 20) {
          throw e;
        }
      }
    }
  }

  public Project awaitProject(String namespace, String name, Predicate<Project> condition) {
    return awaitProject(namespace, name, condition, TIMEOUT);
  }

  public Project awaitProject(
      String namespace, String name, Predicate<Project> condition, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> condition.test(project(namespace, name)));
    return project(namespace, name);
  }

  public Project awaitPhase(String namespace, String name, ProjectPhase phase) {
    return awaitPhase(namespace, name, phase, TIMEOUT);
  }

  public Project awaitPhase(String namespace, String name, ProjectPhase phase, Duration timeout) {
    return awaitProject(
        namespace, name, p -> p.getStatus() != null && p.getStatus().getPhase() == phase, timeout);
  }

  public List<Event> events(String namespace, String involvedName) {
    return client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> involvedName.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  public boolean hasEvent(String namespace, String involvedName, String reason) {
    return events(namespace, involvedName).stream().anyMatch(e -> reason.equals(e.getReason()));
  }

  /**
   * Stops everything, after checking every condition and Event the test produced against the API
   * conventions.
   */
  @Override
  public void close() {
    List<String> problems;
    try {
      problems = StatusLint.problems(client());
    } finally {
      run.close();
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("status conventions broken:\n  " + String.join("\n  ", problems));
    }
  }
}
