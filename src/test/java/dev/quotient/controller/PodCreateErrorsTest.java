package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each API error on a pod create means for the project: one table. */
class PodCreateErrorsTest {
  @ParameterizedTest(name = "{0} \"{1}\" -> {2}")
  @CsvSource({
    "409, 'pods \"project-p\" already exists', AlreadyExists",
    "403, 'pods \"project-p\" is forbidden: exceeded quota: compute, requested: requests.memory=410Mi', NamespaceQuota",
    "403, 'pods \"project-p\" is forbidden: error looking up service account course/default: serviceaccount \"default\" not found', ServiceAccountMissing",
    "403, 'pods \"project-p\" is forbidden: violates PodSecurity \"restricted:latest\"', Refused",
    "422, 'Pod \"project-p\" is invalid: spec.containers[0].image: Required value', Refused",
    "400, 'the body of the request was in an unknown format', Refused",
    "500, 'etcdserver: request timed out', Transient",
    "503, 'the server is currently unable to handle the request', Transient",
    "429, 'too many requests', Transient",
  })
  void eachApiErrorHasOneMeaning(int code, String message, PodCreateErrors.Kind expected) {
    KubernetesClientException e =
        new KubernetesClientException(
            new StatusBuilder().withCode(code).withMessage(message).build());
    assertThat(PodCreateErrors.classify(e)).isEqualTo(expected);
    assertThat(PodCreateErrors.message(e)).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"java.lang.IllegalStateException", "java.io.UncheckedIOException"})
  void anythingButAnApiAnswerIsRetried(String type) {
    RuntimeException e =
        type.endsWith("IllegalStateException")
            ? new IllegalStateException("client closed")
            : new java.io.UncheckedIOException(new java.io.IOException("connection reset"));
    assertThat(PodCreateErrors.classify(e)).isEqualTo(PodCreateErrors.Kind.Transient);
  }
}
