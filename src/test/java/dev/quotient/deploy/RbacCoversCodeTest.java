package dev.quotient.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ClusterRole and Role grant exactly what the operator's code uses: the verbs are derived from
 * the sources of {@code dev.quotient.controller} (reconcilers, informers, direct client calls), so
 * a new informer or API call without an RBAC rule fails here, and so does a rule nothing needs any
 * more.
 */
class RbacCoversCodeTest {
  private static final Path CONTROLLER = Path.of("src/main/java/dev/quotient/controller");
  private static final Path POD_FACTORY =
      Path.of("src/main/java/dev/quotient/pod/ProjectPodFactory.java");
  private static final Path STATUS_RECORDER = CONTROLLER.resolve("StatusRecorder.java");
  private static final Pattern RECONCILER = Pattern.compile("implements\\s+Reconciler<(\\w+)>");
  private static final Pattern CLEANER = Pattern.compile("Cleaner<(\\w+)>");

  /**
   * InformerEventSourceConfiguration.from(X.class, ...) or the reconcilers' informer(ctx, X.class).
   */
  private static final Pattern INFORMER =
      Pattern.compile(
          "(?:InformerEventSourceConfiguration\\.from|\\binformer)\\(\\s*(?:\\w+,\\s*)?(\\w+)\\.class");

  /** client.x() / getClient().x() / context.getClient().x(): each direct API accessor. */
  private static final Pattern ACCESSOR =
      Pattern.compile("(?:\\bclient|getClient\\(\\))\\s*\\.\\s*(\\w+)\\(");

  /**
   * Accessor calls this test knows how to turn into verbs (below); anything else must be added
   * here.
   */
  private static final Set<String> KNOWN_ACCESSORS =
      Set.of(
          "pods",
          "nodes",
          "configMaps",
          "v1",
          "close",
          "resources",
          "apps",
          // the client's JSON mapper (QuotientOperator's resource cloner): no API call
          "getKubernetesSerialization");

  private final List<GenericKubernetesResource> objects = Manifests.build(Manifests.OPERATOR);

  @Test
  void clusterRoleGrantsExactlyWhatTheControllersUse() throws IOException {
    Map<String, Set<String>> needed = new TreeMap<>();
    for (Path file : sources()) {
      String src = Files.readString(file);
      Matcher reconciler = RECONCILER.matcher(src);
      String primary = reconciler.find() ? reconciler.group(1) : null;
      if (primary != null) {
        add(needed, resource(primary), "get", "list", "watch");
        statusVerbs(src).forEach(v -> add(needed, resource(primary) + "/status", v));
        if (src.contains("StatusRecorder.record(")) {
          // the recorder writes the status for the reconciler that calls it
          statusVerbs(Files.readString(STATUS_RECORDER))
              .forEach(v -> add(needed, resource(primary) + "/status", v));
        }
      }
      Matcher cleaner = CLEANER.matcher(src);
      if (cleaner.find()) {
        // JOSDK adds and removes the finalizer with a JSON patch (SSA is off in QuotientOperator)
        add(needed, resource(cleaner.group(1)), "patch");
      }
      Matcher informer = INFORMER.matcher(src);
      while (informer.find()) {
        add(needed, resource(informer.group(1)), "list", "watch");
      }
      String flat = src.replaceAll("\\s+", "");
      if (flat.matches("(?s).*\\.pods\\(\\)[^;]*\\.create\\(\\);.*")) {
        add(needed, "pods", "create");
      }
      if (flat.matches("(?s).*\\.pods\\(\\)[^;]*\\.get\\(\\);.*")) {
        add(needed, "pods", "get");
      }
      if (flat.matches("(?s).*\\.pods\\(\\)[^;]*\\.delete\\(\\);.*")) {
        add(needed, "pods", "delete");
      }
      if (flat.matches("(?s).*\\.pods\\(\\)[^;]*\\.inform\\(.*")) {
        // PrepullController: an informer on the prepull pods
        add(needed, "pods", "list", "watch");
      }
      if (flat.matches("(?s).*\\.nodes\\(\\)[^;]*\\.update\\(\\)[^;]*;.*")) {
        add(needed, "nodes", "update");
      }
      if (flat.matches("(?s).*\\.nodes\\(\\)[^;]*\\.inform\\(.*")) {
        // the shared NodeCache: one informer of our own
        add(needed, "nodes", "list", "watch");
      }
      if (flat.matches("(?s).*\\.nodes\\(\\)[^;]*\\.patch\\(.*")) {
        add(needed, "nodes", "patch");
      }
      if (flat.matches(
          "(?s).*\\.nodes\\(\\)[^;]*\\.(edit|replace|createOrReplace|serverSideApply)\\(.*")) {
        throw new AssertionError(
            file + " writes nodes in a new way: add the verb to clusterrole.yaml and here");
      }
      if (flat.matches("(?s).*\\.events\\(\\)[^;]*\\.create\\(\\);.*")) {
        add(needed, "events", "create");
      }
      if (flat.matches("(?s).*\\.events\\(\\)[^;]*\\.inform\\(.*")) {
        // RejectionHistory: the dashboard's informer on the Projects' Events
        add(needed, "events", "list", "watch");
      }
      if (primary != null
          && flat.matches(
              "(?s).*\\.resources\\(" + primary + "\\.class\\)[^;]*\\.delete\\(\\);.*")) {
        // ProjectReconciler: a finished ephemeral run's Project after ephemeralRetention
        add(needed, resource(primary), "delete");
      }
      if (primary != null
          && flat.contains(".resources(" + primary + ".class)")
          && !flat.matches(
              "(?s).*\\.resources\\("
                  + primary
                  + "\\.class\\)[^;]*\\.(get|delete)\\(\\)[^;]*;.*")) {
        throw new AssertionError(
            file
                + " uses resources("
                + primary
                + ".class) for more than a get:"
                + " add the verb to clusterrole.yaml and here");
      }
      Matcher accessor = ACCESSOR.matcher(src);
      while (accessor.find()) {
        assertThat(KNOWN_ACCESSORS)
            .as(
                file
                    + " calls the API with client."
                    + accessor.group(1)
                    + "(): give it an RBAC rule in operator/clusterrole.yaml (or role.yaml) and teach this test the verbs")
            .contains(accessor.group(1));
      }
    }
    if (Files.readString(POD_FACTORY).contains("withBlockOwnerDeletion(true)")) {
      // OwnerReferencesPermissionEnforcement: blockOwnerDeletion needs update on the owner's
      // finalizers
      add(needed, "projects/finalizers", "update");
    }

    ClusterRole role =
        Manifests.one(objects, "ClusterRole", "quotient-operator", ClusterRole.class);
    Map<String, Set<String>> granted = new TreeMap<>();
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getResourceNames()).as("cluster-wide rules name no objects").isNullOrEmpty();
      for (String group : rule.getApiGroups()) {
        for (String r : rule.getResources()) {
          String key = group.isEmpty() ? r : group + ":" + r;
          rule.getVerbs().forEach(v -> add(granted, key, v));
        }
      }
    }
    assertThat(granted)
        .as(
            "ClusterRole quotient-operator (operator/clusterrole.yaml) vs. what the code in "
                + CONTROLLER
                + " uses")
        .isEqualTo(qualify(needed));
  }

  @Test
  void settingsConfigMapIsReadOnlyThroughTheNamespacedRole() throws IOException {
    String operator = Files.readString(CONTROLLER.resolve("QuotientOperator.java"));
    String watcher = Files.readString(CONTROLLER.resolve("SettingsWatcher.java"));
    assertThat(operator.replaceAll("\\s+", ""))
        .contains(
            ".configMaps().inNamespace(config.namespace()).withName(config.settingsConfigMap()).get()");
    assertThat(watcher.replaceAll("\\s+", ""))
        .contains(".configMaps().inNamespace(namespace).withName(name).inform(");
    Role role = Manifests.one(objects, "Role", "quotient-operator", Role.class);
    assertThat(OperatorManifestsTest.rule(role.getRules(), "configmaps").getVerbs())
        .containsExactlyInAnyOrder("get", "list", "watch");
    ClusterRole cluster =
        Manifests.one(objects, "ClusterRole", "quotient-operator", ClusterRole.class);
    assertThat(cluster.getRules())
        .noneSatisfy(r -> assertThat(r.getResources()).contains("configmaps"));
    assertThat(cluster.getRules())
        .noneSatisfy(r -> assertThat(r.getResources()).contains("leases"));
  }

  /**
   * The prepull DaemonSet is the operator's only write outside pods, nodes and its own kinds: the
   * Role grants it in the operator's namespace, by name wherever RBAC can limit it, and derived
   * from the code as the ClusterRole is.
   */
  @Test
  void prepullDaemonSetOnlyInTheOperatorsNamespaceAndByName() throws IOException {
    Set<String> named = new TreeSet<>();
    Set<String> unnamed = new TreeSet<>();
    for (Path file : sources()) {
      String flat = Files.readString(file).replaceAll("\\s+", "");
      if (!flat.contains(".apps()")) {
        continue;
      }
      assertThat(flat)
          .as(file + ": daemonsets only, and only in the operator's namespace")
          .doesNotContainPattern(
              "\\.apps\\(\\)\\.(?!daemonSets\\(\\)\\.inNamespace\\(namespace\\))");
      String byName =
          "\\.apps\\(\\)\\.daemonSets\\(\\)\\.inNamespace\\(namespace\\)\\.withName\\(PrepullDaemonSet\\.NAME\\)";
      if (flat.matches("(?s).*" + byName + "\\.inform\\(.*")) {
        named.addAll(List.of("list", "watch"));
      }
      if (flat.matches(
          "(?s).*\\.apps\\(\\)\\.daemonSets\\(\\)\\.inNamespace\\(namespace\\)\\.resource\\(\\w+\\)\\.patch\\(.*")) {
        // the patch goes to the object's own name, which the rule names
        named.add("patch");
      }
      if (flat.matches("(?s).*" + byName + "\\.delete\\(\\);.*")) {
        named.add("delete");
      }
      if (flat.matches(
          "(?s).*\\.apps\\(\\)\\.daemonSets\\(\\)\\.inNamespace\\(namespace\\)\\.resource\\([^;]*\\.create\\(\\);.*")) {
        unnamed.add("create");
      }
      assertThat(flat)
          .as(file + " writes daemonsets in a new way: add the verb to role.yaml and here")
          .doesNotContainPattern(
              "daemonSets\\(\\)[^;]*\\.(update|edit|replace|createOrReplace|serverSideApply)\\(");
    }
    Role role = Manifests.one(objects, "Role", "quotient-operator", Role.class);
    Set<String> grantedNamed = new TreeSet<>();
    Set<String> grantedUnnamed = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      if (!rule.getResources().contains("daemonsets")) {
        continue;
      }
      assertThat(rule.getApiGroups()).containsExactly("apps");
      if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
        grantedUnnamed.addAll(rule.getVerbs());
      } else {
        assertThat(rule.getResourceNames()).containsExactly("quotient-prepull");
        grantedNamed.addAll(rule.getVerbs());
      }
    }
    assertThat(grantedNamed).as("Role daemonsets rule naming quotient-prepull").isEqualTo(named);
    assertThat(grantedUnnamed).as("Role daemonsets rule without names").isEqualTo(unnamed);
    ClusterRole cluster =
        Manifests.one(objects, "ClusterRole", "quotient-operator", ClusterRole.class);
    assertThat(cluster.getRules())
        .noneSatisfy(r -> assertThat(r.getResources()).contains("daemonsets"));
  }

  @Test
  void noWildcardsAndEveryRuleIsExplained() {
    for (String file : List.of("clusterrole.yaml", "role.yaml")) {
      String text = Manifests.read(Manifests.OPERATOR.resolve(file));
      assertThat(text)
          .as(file + " uses no wildcards")
          .doesNotContain("\"*\"")
          .doesNotContain("'*'")
          .doesNotContainPattern("-\\s*\\*\\s*$");
      List<String> lines = text.lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("- apiGroups:")) {
          assertThat(i > 0 && lines.get(i - 1).startsWith("#"))
              .as(
                  file
                      + " line "
                      + (i + 1)
                      + ": every rule has a comment saying what in the operator needs it")
              .isTrue();
        }
      }
    }
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.list(CONTROLLER)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  /**
   * Plural resource name (with group prefix "group:" unless core) of a model class named in the
   * sources.
   */
  private static String resource(String simpleName) {
    Class<? extends HasMetadata> type = load(simpleName);
    String group = HasMetadata.getGroup(type);
    String plural = HasMetadata.getPlural(type);
    return group == null || group.isEmpty() ? plural : group + ":" + plural;
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends HasMetadata> load(String simpleName) {
    for (String pkg : List.of("dev.quotient.api.", "io.fabric8.kubernetes.api.model.")) {
      try {
        return (Class<? extends HasMetadata>) Class.forName(pkg + simpleName);
      } catch (ClassNotFoundException e) {
        // next package
      }
    }
    throw new AssertionError(
        "cannot find the model class " + simpleName + " (teach RbacCoversCodeTest its package)");
  }

  /** "projects/status" written without group in the derivation gets the group of "projects". */
  private static Map<String, Set<String>> qualify(Map<String, Set<String>> needed) {
    Map<String, Set<String>> out = new TreeMap<>();
    List<String> known = new ArrayList<>(needed.keySet());
    needed.forEach(
        (k, v) -> {
          String key = k;
          if (!k.contains(":") && k.contains("/")) {
            String base = k.substring(0, k.indexOf('/'));
            key =
                known.stream()
                    .filter(x -> x.endsWith(":" + base))
                    .findFirst()
                    .map(x -> x.substring(0, x.indexOf(':') + 1) + k)
                    .orElse(k);
          }
          out.computeIfAbsent(key, x -> new TreeSet<>()).addAll(v);
        });
    return out;
  }

  /** The verbs on a primary's status subresource that this source's status writes need. */
  private static Set<String> statusVerbs(String src) {
    Set<String> verbs = new TreeSet<>();
    if (src.contains("UpdateControl.patchStatus(")) {
      verbs.add("patch");
    }
    if (src.contains("PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(")) {
      verbs.add("update");
    }
    if (src.contains("PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(")
        || src.contains("PrimaryUpdateAndCacheUtils.mergePatchStatusAndCacheResource(")) {
      verbs.add("patch");
    }
    return verbs;
  }

  private static void add(Map<String, Set<String>> map, String key, String... verbs) {
    map.computeIfAbsent(key, k -> new TreeSet<>()).addAll(List.of(verbs));
  }
}
