package dev.routemetrics.simulator.output;

import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts deliveries to the ingest endpoint of their family ({@code POST /v1/events/usage}, {@code
 * /billing}, {@code /feedback}), one event per request or, with a batch size above one, arrays of
 * that many events of one family (a malformed record always goes alone, as the broken client that
 * sent it would). A bounded number of requests is in flight, so arrival order is kept within {@code
 * concurrency × batchSize} records, and a record whose {@code event_id} is still in flight in an
 * earlier request waits for that request: a duplicate or a conflicting payload never overtakes its
 * original (which would count the conflicting payload and set the original aside).
 *
 * <p>A 503 (Kafka not acknowledging), a 429 (too much waiting for Kafka), a request that timed out
 * and a connection that broke are retried every second for up to two minutes, as a well-behaved
 * client does: the events may already be stored, and their {@code event_id} makes them count once.
 * While a request is being retried no new one starts, so a retried record is not overtaken by
 * records that arrived long after it (a conflicting payload sent a minute later, say). Every other
 * answer is counted by family and status, per record.
 */
public final class HttpEventSink implements EventSink {

  /** Retried every second for two minutes: a broker restart, say, takes tens of seconds. */
  private static final int MAX_ATTEMPTS = 120;

  private final String baseUrl;
  private final String apiKey;
  private final int concurrency;
  private final int batchSize;
  private final Duration timeout;
  private final Semaphore inFlight;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private final Map<Family, URI> endpoints = new EnumMap<>(Family.class);
  private final Map<Family, List<Delivery>> batches = new EnumMap<>(Family.class);
  private final Map<String, CompletableFuture<Integer>> inFlightIds = new ConcurrentHashMap<>();
  private final Object retries = new Object();
  private int retrying;

  public HttpEventSink(String baseUrl, String apiKey, int concurrency) {
    this(baseUrl, apiKey, concurrency, 1, Duration.ofSeconds(30));
  }

  public HttpEventSink(
      String baseUrl, String apiKey, int concurrency, int batchSize, Duration timeout) {
    if (batchSize < 1 || concurrency < 1) {
      throw new IllegalArgumentException("batch size and concurrency must be at least 1");
    }
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.apiKey = apiKey;
    this.concurrency = concurrency;
    this.batchSize = batchSize;
    this.timeout = timeout;
    this.inFlight = new Semaphore(concurrency);
    for (Family family : Family.values()) {
      endpoints.put(family, URI.create(this.baseUrl + family.ingestPath()));
      batches.put(family, new ArrayList<>(batchSize));
    }
  }

  @Override
  public void accept(Delivery delivery) {
    if (delivery.isMalformed()) {
      post(delivery.family(), List.of(delivery));
      return;
    }
    List<Delivery> batch = batches.get(delivery.family());
    batch.add(delivery);
    if (batch.size() >= batchSize) {
      flush(delivery.family());
    }
  }

  private void flush(Family family) {
    List<Delivery> batch = batches.get(family);
    if (!batch.isEmpty()) {
      post(family, List.copyOf(batch));
      batch.clear();
    }
  }

  // The batch's outcome is recorded by its whenComplete, which releases its permit.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void post(Family family, List<Delivery> deliveries) {
    List<String> events =
        deliveries.stream()
            .map(d -> d.isMalformed() ? d.malformedJson() : EventJson.toJson(d.event()))
            .toList();
    String body =
        batchSize == 1 || deliveries.get(0).isMalformed()
            ? events.get(0)
            : "[" + String.join(",", events) + "]";
    for (Delivery delivery : deliveries) {
      CompletableFuture<Integer> earlier =
          delivery.eventId() == null ? null : inFlightIds.get(delivery.eventId());
      if (earlier != null) {
        earlier.exceptionally(error -> 0).join();
      }
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoints.get(family))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + apiKey)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      synchronized (retries) {
        while (retrying > 0) {
          retries.wait();
        }
      }
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending", e);
    }
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    deliveries.stream()
        .map(Delivery::eventId)
        .filter(id -> id != null)
        .forEach(id -> inFlightIds.put(id, sent));
    send(request, 1)
        .whenComplete(
            (status, error) -> {
              String key =
                  family
                      + " "
                      + (error != null
                          ? "unreachable (" + error.getClass().getSimpleName() + ")"
                          : status);
              answers.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(events.size());
              deliveries.stream()
                  .map(Delivery::eventId)
                  .filter(id -> id != null)
                  .forEach(id -> inFlightIds.remove(id, sent));
              inFlight.release();
              sent.complete(status == null ? 0 : status);
            });
  }

  // handle() yields the retry's future, flattened by the thenCompose below.
  @SuppressWarnings("FutureReturnValueIgnored")
  private CompletableFuture<Integer> send(HttpRequest request, int attempt) {
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, error) -> {
              boolean again =
                  attempt < MAX_ATTEMPTS
                      && (error != null ? isTransient(error) : isTransient(response.statusCode()));
              if (attempt > 1 && !again) {
                retried(-1);
              }
              if (!again) {
                return error != null
                    ? CompletableFuture.<Integer>failedFuture(error)
                    : CompletableFuture.completedFuture(response.statusCode());
              }
              if (attempt == 1) {
                retried(+1);
              }
              return CompletableFuture.supplyAsync(
                      () -> null, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS))
                  .thenCompose(ignored -> send(request, attempt + 1));
            })
        .thenCompose(next -> next);
  }

  private void retried(int delta) {
    synchronized (retries) {
      retrying += delta;
      retries.notifyAll();
    }
  }

  /**
   * 503: Kafka did not acknowledge; 429: too many events waiting for Kafka. Both say Retry-After.
   */
  static boolean isTransient(int status) {
    return status == 503 || status == 429;
  }

  /**
   * No answer (a timeout, a broken connection): the event may or may not be stored; sending it
   * again is safe.
   */
  static boolean isTransient(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof IOException;
  }

  /**
   * Records of {@code family} the ingest answered with {@code status} so far (a retried request
   * counts once, with its last answer).
   */
  public long answered(Family family, int status) {
    AtomicLong count = answers.get(family + " " + status);
    return count == null ? 0 : count.get();
  }

  @Override
  public String describe() {
    return "posted to "
        + baseUrl
        + (batchSize > 1 ? " in batches of up to " + batchSize : "")
        + "; answers by family and status, per record: "
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
