package dev.quotient.embedded;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's CRUD dispatcher, answering as a real API server where the mock does not: a JSON patch
 * that does not apply (a failed "test", a missing path) is a 422 at once; the mock lets the
 * exception escape and drops the connection, which the client retries for a minute.
 */
public class ApiServerDispatcher extends KubernetesMixedDispatcher {
  public ApiServerDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    try {
      return super.dispatch(request);
    } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
      return status(422, "Invalid", "the patch does not apply: " + e.getMessage());
    }
  }

  /** A Status answer, as the API server writes one. */
  public static MockResponse status(int code, String reason, String message) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(
            Serialization.asJson(
                new StatusBuilder()
                    .withStatus("Failure")
                    .withCode(code)
                    .withReason(reason)
                    .withMessage(message)
                    .build()));
  }
}
