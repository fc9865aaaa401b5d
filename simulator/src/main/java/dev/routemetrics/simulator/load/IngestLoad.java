package dev.routemetrics.simulator.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the ingest edge as hard as it will go: events in batches of a fixed size, a fixed number
 * of requests in flight, and measures accepted events per second. Bodies are built before the clock
 * starts, so the figure is the edge's, not this client's JSON writing.
 */
public final class IngestLoad {

  /** What a run measured. */
  public record Result(
      int batchSize, long events, long accepted, long failedRequests, double seconds) {
    public double eventsPerSecond() {
      return accepted / seconds;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String apiKey;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public IngestLoad(String baseUrl, String apiKey) {
    this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/events/usage");
    this.apiKey = apiKey;
  }

  public Result run(List<UsageBurst.Event> events, int batchSize, int concurrency)
      throws InterruptedException {
    List<String> bodies = new ArrayList<>();
    for (int from = 0; from < events.size(); from += batchSize) {
      ArrayNode batch = JSON.createArrayNode();
      events
          .subList(from, Math.min(events.size(), from + batchSize))
          .forEach(e -> batch.add(e.json()));
      bodies.add(batchSize == 1 ? batch.get(0).toString() : batch.toString());
    }
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicLong accepted = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long started = System.nanoTime();
    List<CompletableFuture<?>> all = new ArrayList<>(bodies.size());
    for (int i = 0; i < bodies.size(); i++) {
      int size = Math.min(batchSize, events.size() - i * batchSize);
      inFlight.acquire();
      HttpRequest request =
          HttpRequest.newBuilder(endpoint)
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + apiKey)
              .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)))
              .build();
      all.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .whenComplete(
                  (response, error) -> {
                    inFlight.release();
                    if (error == null && response.statusCode() == 202) {
                      accepted.addAndGet(size);
                    } else {
                      failed.incrementAndGet();
                    }
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - started) / 1e9;
    return new Result(batchSize, events.size(), accepted.get(), failed.get(), seconds);
  }
}
