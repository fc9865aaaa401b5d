package dev.routemetrics.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.query.ChannelRequests;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.ReachControl;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.simulator.load.UsageBurst;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Usage posted over HTTP reaches ClickHouse through the real broker, counted exactly once. */
class PipelineIT {

  private static final Instant START = Instant.parse("2026-11-01T10:00:00Z");
  private static Pipeline pipeline;

  @BeforeAll
  static void start() throws Exception {
    pipeline = new Pipeline("it-pipeline-");
  }

  @AfterAll
  static void stop() throws Exception {
    pipeline.close();
  }

  @Test
  @DisplayName(
      "events posted over HTTP appear in ClickHouse counted exactly once, duplicates and conflicts"
          + " included")
  void shouldCountEveryAcceptedEventExactlyOnce() throws Exception {
    List<UsageBurst.Event> burst =
        new UsageBurst(ChannelRegistry.builtIn(), 7).generate(START, 30, 5);
    assertThat(pipeline.post(burst, 4)).isEqualTo(burst.size());

    // Reality: a client retries the first ten events, and one event id is reused with other
    // numbers.
    assertThat(pipeline.post(burst.subList(0, 10), 1)).isEqualTo(10);
    UsageBurst.Event conflicting =
        new UsageBurst.Event(
            UsageEvent.newBuilder(burst.get(10).usage()).setRequestCount(999).build());
    assertThat(pipeline.post(List.of(conflicting), 1)).isEqualTo(1);

    Map<String, Long> expected = requestsOfDistinctEvents(burst);
    Map<String, Long> actual = waitFor(expected, requestsInTheHourFrom(START));
    assertThat(actual).isEqualTo(expected);
    assertThat(actual).hasSize(ChannelRegistry.builtIn().channels().size());

    // channel_metrics, the table every audience view reads: the HOUR row of each channel holds the
    // same requests
    MetricsReader reader = new MetricsReader(pipeline.clickHouse(), pipeline.database);
    TimeRange hour = new TimeRange(WindowSize.HOUR, START, START.plusSeconds(1), List.of());
    Map<String, Long> hourRows = new TreeMap<>();
    reader.metrics(hour).forEach(u -> hourRows.put(u.channelId(), u.requests()));
    assertThat(hourRows).isEqualTo(expected);
    // and the reach-control view: each channel's request share is its requests over all channels'
    // (by hand here)
    long all = expected.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Double> shares = new TreeMap<>();
    ReachControl.compute(reader.metrics(hour), reader.revenue(hour))
        .get(0)
        .channels()
        .forEach(r -> shares.put(r.channelId(), r.requestShare()));
    assertThat(shares).hasSameSizeAs(expected);
    expected.forEach(
        (channel, requests) ->
            assertThat(shares.get(channel))
                .as(channel)
                .isCloseTo((double) requests / all, org.assertj.core.api.Assertions.within(1e-12)));
  }

  @Test
  @DisplayName(
      "an event whose 202 was lost on the way back, sent again after the client timed out, counts"
          + " once")
  void shouldCountOnceAnEventRetriedAfterTheClientTimedOut() throws Exception {
    Instant start = START.plus(Duration.ofDays(1));
    List<UsageBurst.Event> events =
        new UsageBurst(ChannelRegistry.builtIn(), 9).generate(start, 3, 5);
    HttpClient client = HttpClient.newHttpClient();
    try (LossyProxy proxy = new LossyProxy(pipeline.ingestUrl(), Duration.ofSeconds(5))) {
      for (UsageBurst.Event event : events) {
        // The client waits one second; the ingest stores the event and answers, the answer is lost.
        assertThatThrownBy(
                () ->
                    client.send(
                        usage(proxy.url(), event, Duration.ofSeconds(1)),
                        HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(HttpTimeoutException.class);
      }
      long deadline = System.currentTimeMillis() + 30_000;
      while (proxy.lostAnswers().size() < events.size() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100); // the last answer may still be on its way to the proxy
      }
      assertThat(proxy.lostAnswers())
          .as("the ingest's answers to the first attempts")
          .hasSize(events.size())
          .containsOnly(202);
      // The client cannot know the event was stored, so it sends it again, and this time hears
      // back.
      for (UsageBurst.Event event : events) {
        assertThat(
                client
                    .send(
                        usage(proxy.url(), event, Duration.ofSeconds(30)),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode())
            .isEqualTo(202);
      }
    }

    Map<String, Long> expected = requestsOfDistinctEvents(events);
    assertThat(waitFor(expected, requestsInTheHourFrom(start))).isEqualTo(expected);
  }

  /**
   * Independent expectation: per channel, the sum of request_count over the distinct events sent.
   */
  private static Map<String, Long> requestsOfDistinctEvents(List<UsageBurst.Event> events) {
    Map<String, Long> expected = new TreeMap<>();
    for (UsageBurst.Event event : events) {
      expected.merge(event.channelId(), (long) event.requestCount(), Long::sum);
    }
    return expected;
  }

  /** Requests per channel in ClickHouse over the hour from {@code start}. */
  private static Reading requestsInTheHourFrom(Instant start) {
    ChannelRequests query = new ChannelRequests(pipeline.clickHouse(), pipeline.database);
    return () -> {
      Map<String, Long> rows = new TreeMap<>();
      for (ChannelRequests.Row row : query.between(start, start.plus(Duration.ofHours(1)))) {
        rows.put(row.channelId(), row.requests());
      }
      return rows;
    };
  }

  private static HttpRequest usage(String baseUrl, UsageBurst.Event event, Duration timeout)
      throws Exception {
    return HttpRequest.newBuilder(URI.create(baseUrl + "/v1/events/usage"))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + pipeline.labKey)
        .POST(HttpRequest.BodyPublishers.ofString(event.json().toString()))
        .build();
  }

  @Test
  void shouldAnswer400NamingTheFieldForABadEvent() throws Exception {
    ObjectNode bad =
        new UsageBurst(ChannelRegistry.builtIn(), 1).generate(START, 1, 1).get(0).json();
    bad.put("input_tokens", -5);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(pipeline.ingestUrl() + "/v1/events/usage"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + pipeline.labKey)
                    .POST(HttpRequest.BodyPublishers.ofString(bad.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(
            new ObjectMapper()
                .readTree(response.body())
                .path("errors")
                .get(0)
                .path("field")
                .asText())
        .isEqualTo("input_tokens");
    assertThat(response.body()).contains("must be >= 0, was -5");
  }

  interface Reading {
    Map<String, Long> read() throws Exception;
  }

  /** Polls until the reading equals the expectation or 90 s pass; returns the last reading. */
  static Map<String, Long> waitFor(Map<String, Long> expected, Reading reading) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    Map<String, Long> last = Map.of();
    while (System.currentTimeMillis() < deadline) {
      last = reading.read();
      if (last.equals(expected)) {
        // Stay a moment longer: a double count would show up after the first match.
        Thread.sleep(2_000);
        return reading.read();
      }
      Thread.sleep(500);
    }
    return last;
  }
}
