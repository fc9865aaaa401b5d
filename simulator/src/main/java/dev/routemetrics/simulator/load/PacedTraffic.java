package dev.routemetrics.simulator.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.routemetrics.simulator.UsageBurst;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Live usage at a fixed rate: every tick, the events due so far, stamped with the moment they are
 * sent (so event time is the clock a freshness measurement starts from), posted in batches. It
 * keeps the rate on its own clock and does not wait for answers before the next tick, so a slow
 * edge shows up as latency, not as a lower rate; what each tick sent is recorded for the reader.
 */
public final class PacedTraffic {

  /** One tick: when its events happened (and were sent), and how many had been sent by then in all. */
  public record Tick(Instant sentAt, long sentSoFar) {}

  /** What a run did. */
  public record Result(List<Tick> ticks, long sent, long accepted, long failedRequests) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TICK = Duration.ofMillis(100);
  private static final int MAX_BATCH = 1000;

  private final URI endpoint;
  private final String apiKey;
  private final UsageBurst events;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  public PacedTraffic(String baseUrl, String apiKey, UsageBurst events) {
    this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/events/usage");
    this.apiKey = apiKey;
    this.events = events;
  }

  /** Sends {@code ratePerSecond} usage events a second for {@code duration}, ids prefixed {@code runId}. */
  public Result run(String runId, int ratePerSecond, Duration duration) {
    SplittableRandom random = new SplittableRandom(runId.hashCode());
    List<Tick> ticks = new ArrayList<>();
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    long began = System.nanoTime();
    long end = began + duration.toNanos();
    long sent = 0;
    for (long next = began; next < end; next += TICK.toNanos()) {
      LockSupport.parkNanos(next - System.nanoTime());
      long due = (System.nanoTime() - began) * ratePerSecond / 1_000_000_000L;
      Instant now = Instant.now();
      while (sent < due) {
        int size = (int) Math.min(MAX_BATCH, due - sent);
        ArrayNode batch = JSON.createArrayNode();
        for (int i = 0; i < size; i++) {
          batch.add(JSON.valueToTree(events.live(runId + "-" + (sent + i), now, random).json()));
        }
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").header("Authorization", "Bearer " + apiKey)
            .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build();
        answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .thenApply(HttpResponse::statusCode).exceptionally(error -> -1));
        sizes.add(size);
        sent += size;
      }
      ticks.add(new Tick(now, sent));
    }
    long accepted = 0;
    long failed = 0;
    for (int i = 0; i < answers.size(); i++) {
      if (answers.get(i).join() == 202) {
        accepted += sizes.get(i);
      } else {
        failed++;
      }
    }
    return new Result(ticks, sent, accepted, failed);
  }
}
