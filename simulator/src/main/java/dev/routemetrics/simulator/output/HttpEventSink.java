package dev.routemetrics.simulator.output;

import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts each delivery to the ingest endpoint of its family ({@code POST /v1/events/usage},
 * {@code /billing}, {@code /feedback}), a bounded number in flight so arrival order is kept
 * within a few records. A 503 (Kafka not acknowledging) is retried every second for up to two
 * minutes, as a well-behaved client does; every other answer is counted by family and status.
 */
public final class HttpEventSink implements EventSink {

  private final String baseUrl;
  private final int concurrency;
  private final Semaphore inFlight;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private final Map<Family, URI> endpoints = new EnumMap<>(Family.class);

  private final String apiKey;

  public HttpEventSink(String baseUrl, String apiKey, int concurrency) {
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.apiKey = apiKey;
    this.concurrency = concurrency;
    this.inFlight = new Semaphore(concurrency);
    for (Family family : Family.values()) {
      endpoints.put(family, URI.create(this.baseUrl + family.ingestPath()));
    }
  }

  @Override
  public void accept(Delivery delivery) {
    String body = delivery.isMalformed() ? delivery.malformedJson() : EventJson.toJson(delivery.event());
    HttpRequest request = HttpRequest.newBuilder(endpoints.get(delivery.family()))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + apiKey)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending", e);
    }
    send(request, delivery.family(), 1).whenComplete((status, error) -> {
      String key = delivery.family() + " " + (error != null ? "unreachable (" + error.getClass().getSimpleName() + ")" : status);
      answers.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
      inFlight.release();
    });
  }

  /** A 503 means Kafka is not acknowledging (a broker restart, say): retried every second for two minutes. */
  private static final int MAX_ATTEMPTS = 120;

  private CompletableFuture<Integer> send(HttpRequest request, Family family, int attempt) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenCompose(response -> {
      if (response.statusCode() == 503 && attempt < MAX_ATTEMPTS) {
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS))
            .thenCompose(ignored -> send(request, family, attempt + 1));
      }
      return CompletableFuture.completedFuture(response.statusCode());
    });
  }

  @Override
  public String describe() {
    return "posted to " + baseUrl + "; answers by family and status: " + new TreeMap<>(answers);
  }

  @Override
  public void close() {
    try {
      inFlight.acquire(concurrency);
      inFlight.release(concurrency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
