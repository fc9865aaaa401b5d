package dev.routemetrics.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Posts events to the ingest service, a few at a time, retrying 503s as a well-behaved client does.
 */
public final class HttpSender {

  /** What the service answered, in counts. */
  public record Result(long accepted, long rejected) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String apiKey;

  public HttpSender(String baseUrl, String apiKey) {
    this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/events/usage");
    this.apiKey = apiKey;
  }

  public Result send(List<UsageBurst.Event> events, int concurrency, LongConsumer progress)
      throws InterruptedException {
    AtomicLong accepted = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong done = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Object>> futures =
          events.stream()
              .map(
                  event ->
                      pool.submit(
                          () -> {
                            int status = post(event.json());
                            (status / 100 == 2 ? accepted : rejected).incrementAndGet();
                            progress.accept(done.incrementAndGet());
                            return (Object) status;
                          }))
              .toList();
      for (Future<Object> future : futures) {
        try {
          future.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Result(accepted.get(), rejected.get());
  }

  /**
   * Posts one event; a 503 (Kafka not acknowledging) is retried after the Retry-After the service
   * asks for.
   */
  public int post(Map<String, Object> event) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + apiKey)
            .POST(HttpRequest.BodyPublishers.ofString(json(event)))
            .build();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw new ConnectException(
            "ingest at " + endpoint + " is not answering; start it with `bin/routemetrics ingest`");
      }
      if (response.statusCode() != 503 || attempt == 5) {
        return response.statusCode();
      }
      Thread.sleep(
          1_000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
    }
  }

  private static String json(Map<String, Object> event) {
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
