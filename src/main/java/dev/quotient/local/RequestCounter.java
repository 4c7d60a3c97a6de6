package dev.quotient.local;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Counts the HTTP requests a client sends (a watch is one request however long it streams), per
 * method, so a benchmark can report API requests per project.
 */
public final class RequestCounter implements Interceptor {
  private final LongAdder total = new LongAdder();
  private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    total.increment();
    byMethod.computeIfAbsent(request.method(), m -> new LongAdder()).increment();
  }

  /** For {@code KubernetesClientBuilder.withHttpClientBuilderConsumer}. */
  public Consumer<HttpClient.Builder> installer() {
    return b -> b.addOrReplaceInterceptor("quotient-request-counter", this);
  }

  public long total() {
    return total.sum();
  }

  public Map<String, Long> byMethod() {
    Map<String, Long> m = new TreeMap<>();
    byMethod.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
