package dev.routemetrics.simulator.output;

import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts deliveries to the ingest endpoint of their family ({@code POST /v1/events/usage},
 * {@code /billing}, {@code /feedback}) in batches of up to {@code batchSize} events, as a JSON array
 * (a batch of one as a single object), a bounded number of requests in flight, so arrival order is
 * kept within a batch or two. A malformed record goes alone: in a batch it would only take the valid
 * events down with it. A 503 (Kafka not acknowledging) is retried every second for up to two
 * minutes, as a well-behaved client does; every other answer is counted, in events, by family and
 * status.
 *
 * <p>Requests in flight at the same time reach Kafka in any order. That is harmless for distinct
 * events, but the first copy of an event_id is the one counted: a copy (a retry, a conflicting
 * payload) waits until no request holding its id is in flight, so copies arrive in the order the
 * simulation sent them, the order its expectation assumes.
 */
public final class HttpEventSink implements EventSink {

  /** A 503 means Kafka is not acknowledging (a broker restart, say): retried every second for two minutes. */
  private static final int MAX_ATTEMPTS = 120;

  private final String baseUrl;
  private final String apiKey;
  private final int batchSize;
  private final int concurrency;
  private final Semaphore inFlight;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private final Map<Family, URI> endpoints = new EnumMap<>(Family.class);
  private final Map<Family, List<String>> pending = new EnumMap<>(Family.class);
  private final Map<Family, List<String>> pendingIds = new EnumMap<>(Family.class);
  private final Set<String> idsInFlight = ConcurrentHashMap.newKeySet();

  public HttpEventSink(String baseUrl, String apiKey, int concurrency, int batchSize) {
    if (batchSize < 1 || batchSize > 1000) {
      throw new IllegalArgumentException("batch size must be between 1 and 1000 (the edge's limit), was " + batchSize);
    }
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.apiKey = apiKey;
    this.batchSize = batchSize;
    this.concurrency = concurrency;
    this.inFlight = new Semaphore(concurrency);
    for (Family family : Family.values()) {
      endpoints.put(family, URI.create(this.baseUrl + family.ingestPath()));
    }
  }

  @Override
  public void accept(Delivery delivery) {
    if (delivery.isMalformed()) {
      post(delivery.family(), delivery.malformedJson(), List.of());
      return;
    }
    String eventId = delivery.eventId();
    awaitNotInFlight(eventId);
    List<String> batch = pending.computeIfAbsent(delivery.family(), f -> new ArrayList<>(batchSize));
    batch.add(EventJson.toJson(delivery.event()));
    pendingIds.computeIfAbsent(delivery.family(), f -> new ArrayList<>(batchSize)).add(eventId);
    if (batch.size() >= batchSize) {
      flush(delivery.family());
    }
  }

  private void flush(Family family) {
    List<String> batch = pending.remove(family);
    List<String> ids = pendingIds.remove(family);
    if (batch == null || batch.isEmpty()) {
      return;
    }
    post(family, batch.size() == 1 ? batch.get(0) : "[" + String.join(",", batch) + "]", ids);
  }

  /** Waits while a request holding a copy of this id is in flight (rare: duplicates and conflicts). */
  private void awaitNotInFlight(String eventId) {
    synchronized (idsInFlight) {
      while (idsInFlight.contains(eventId)) {
        try {
          idsInFlight.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while sending", e);
        }
      }
    }
  }

  private void post(Family family, String body, List<String> ids) {
    int events = Math.max(1, ids.size());
    HttpRequest request = HttpRequest.newBuilder(endpoints.get(family))
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
    idsInFlight.addAll(ids);
    send(request, 1).whenComplete((status, error) -> {
      String key = family + " " + (error != null ? "unreachable (" + error.getClass().getSimpleName() + ")" : status);
      answers.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(events);
      synchronized (idsInFlight) {
        ids.forEach(idsInFlight::remove);
        idsInFlight.notifyAll();
      }
      inFlight.release();
    });
  }

  private CompletableFuture<Integer> send(HttpRequest request, int attempt) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenCompose(response -> {
      if (response.statusCode() == 503 && attempt < MAX_ATTEMPTS) {
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS))
            .thenCompose(ignored -> send(request, attempt + 1));
      }
      return CompletableFuture.completedFuture(response.statusCode());
    });
  }

  @Override
  public String describe() {
    return "posted to " + baseUrl + " in batches of up to " + batchSize + "; events by family and answer: "
        + new TreeMap<>(answers);
  }

  @Override
  public void close() {
    for (Family family : Family.values()) {
      flush(family);
    }
    try {
      inFlight.acquire(concurrency);
      inFlight.release(concurrency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
