package dev.routemetrics.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.HttpSender;
import dev.routemetrics.simulator.UsageBurst;
import dev.routemetrics.warehouse.query.ChannelRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
  @DisplayName("events posted over HTTP appear in ClickHouse counted exactly once, duplicates and conflicts included")
  void shouldCountEveryAcceptedEventExactlyOnce() throws Exception {
    List<UsageBurst.Event> burst = new UsageBurst(ChannelRegistry.builtIn(), 7).generate(START, 30, 5);
    HttpSender sender = new HttpSender(pipeline.ingestUrl(), pipeline.labKey);
    assertThat(sender.send(burst, 4, done -> {}).accepted()).isEqualTo(burst.size());

    // Reality: a client retries the first ten events, and one event id is reused with other numbers.
    for (UsageBurst.Event event : burst.subList(0, 10)) {
      assertThat(sender.post(event.json())).isEqualTo(202);
    }
    Map<String, Object> conflicting = new LinkedHashMap<>(burst.get(10).json());
    conflicting.put("request_count", 999);
    assertThat(sender.post(conflicting)).isEqualTo(202);

    // Independent expectation: the sum of request_count over the distinct events that were sent.
    Map<String, Long> expected = new TreeMap<>();
    for (UsageBurst.Event event : burst) {
      expected.merge(event.channelId(), ((Number) event.json().get("request_count")).longValue(), Long::sum);
    }

    ChannelRequests query = new ChannelRequests(pipeline.clickHouse(), pipeline.database);
    Map<String, Long> actual = waitFor(expected, () -> {
      Map<String, Long> rows = new TreeMap<>();
      for (ChannelRequests.Row row : query.between(START, START.plus(Duration.ofHours(1)))) {
        rows.put(row.channelId(), row.requests());
      }
      return rows;
    });
    assertThat(actual).isEqualTo(expected);
    assertThat(actual).hasSize(ChannelRegistry.builtIn().channels().size());
  }

  @Test
  void shouldAnswer400NamingTheFieldForABadEvent() throws Exception {
    Map<String, Object> bad = new LinkedHashMap<>(new UsageBurst(ChannelRegistry.builtIn(), 1).generate(START, 1, 1).get(0).json());
    bad.put("input_tokens", -5);
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(pipeline.ingestUrl() + "/v1/events/usage"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + pipeline.labKey)
            .POST(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(bad))).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(new ObjectMapper().readTree(response.body()).path("errors").get(0).path("field").asText()).isEqualTo("input_tokens");
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
