package dev.routemetrics.simulator.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Drives the ingest edge at a fixed rate for a fixed time (open loop: requests leave on schedule
 * whether or not earlier ones have been answered, up to a bound in flight), and measures each
 * request's latency from the moment it was due, so a slow edge cannot hide behind a client that
 * waits for it. Every event is new (its own {@code event_id}) and happens when it is sent, so a
 * reader of the topic can tell how fresh it is ({@link Freshness}).
 */
public final class SteadyLoad {

  /**
   * What a run measured. Latencies in milliseconds; answers by HTTP status ("error" when none
   * came).
   */
  public record Result(
      long requests,
      long events,
      long accepted,
      Map<String, Long> answers,
      double seconds,
      double p50,
      double p99,
      double max) {
    public long failedRequests() {
      return answers.entrySet().stream()
          .filter(e -> !e.getKey().equals("202"))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  /**
   * One request sent: when its events happened (and left), and how many events had left by then in
   * all.
   */
  public record Sent(Instant at, long eventsSoFar) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_IN_FLIGHT = 64;

  private final URI endpoint;
  private final String apiKey;
  private final String runId;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public SteadyLoad(String baseUrl, String apiKey, String runId) {
    this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/events/usage");
    this.apiKey = apiKey;
    this.runId = runId;
  }

  /**
   * Sends {@code eventsPerSecond} usage events a second, in requests of {@code batchSize}, for
   * {@code duration}.
   */
  public Result run(int eventsPerSecond, int batchSize, Duration duration)
      throws InterruptedException {
    return run(eventsPerSecond, batchSize, duration, sent -> {});
  }

  /**
   * The same, telling {@code onSent} of every request as it leaves (a freshness probe counts from
   * there).
   */
  // Each request's outcome is recorded by its whenComplete; the run waits for them all.
  @SuppressWarnings("FutureReturnValueIgnored")
  public Result run(int eventsPerSecond, int batchSize, Duration duration, Consumer<Sent> onSent)
      throws InterruptedException {
    // Shapes by route from the seeded burst; ids and times are set as each event is sent.
    List<ObjectNode> shapes =
        new UsageBurst(ChannelRegistry.builtIn(), 1)
            .generate(Instant.now(), 20, 1).stream().map(UsageBurst.Event::json).toList();
    long requestsPerSecond = Math.max(1, eventsPerSecond / batchSize);
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / requestsPerSecond;
    long total = requestsPerSecond * duration.toSeconds();
    long[] latencyNanos = new long[(int) total];
    AtomicInteger measured = new AtomicInteger();
    AtomicLong accepted = new AtomicLong();
    Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    long started = System.nanoTime();
    long sequence = 0;
    for (long i = 0; i < total; i++) {
      long due = started + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      inFlight.acquire();
      ArrayNode batch = JSON.createArrayNode();
      Instant now = Instant.now();
      for (int b = 0; b < batchSize; b++, sequence++) {
        ObjectNode event = shapes.get((int) (sequence % shapes.size())).deepCopy();
        event.put("event_id", runId + "-" + sequence);
        event.put("request_id", runId + "-r" + sequence);
        event.put("event_time", now.toString());
        batch.add(event);
      }
      HttpRequest request =
          HttpRequest.newBuilder(endpoint)
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + apiKey)
              .POST(HttpRequest.BodyPublishers.ofString(batch.toString()))
              .build();
      onSent.accept(new Sent(now, sequence));
      client
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, error) -> {
                latencyNanos[measured.getAndIncrement()] = System.nanoTime() - due;
                String answer =
                    error != null
                        ? "error (" + error.getClass().getSimpleName() + ")"
                        : String.valueOf(response.statusCode());
                answers.computeIfAbsent(answer, k -> new AtomicLong()).incrementAndGet();
                if (error == null && response.statusCode() == 202) {
                  accepted.addAndGet(batchSize);
                }
                inFlight.release();
              });
    }
    inFlight.acquire(MAX_IN_FLIGHT);
    double seconds = (System.nanoTime() - started) / 1e9;
    long[] sorted = Arrays.copyOf(latencyNanos, measured.get());
    Arrays.sort(sorted);
    Map<String, Long> counted = new TreeMap<>();
    answers.forEach((k, v) -> counted.put(k, v.get()));
    return new Result(
        total,
        total * batchSize,
        accepted.get(),
        counted,
        seconds,
        quantileMillis(sorted, 0.50),
        quantileMillis(sorted, 0.99),
        quantileMillis(sorted, 1.0));
  }

  /**
   * The q-quantile (nearest rank) of sorted nanosecond values, in milliseconds; NaN when there are
   * none.
   */
  static double quantileMillis(long[] sortedNanos, double q) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sortedNanos.length);
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
  }
}
