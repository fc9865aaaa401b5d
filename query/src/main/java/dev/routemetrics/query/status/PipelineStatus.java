package dev.routemetrics.query.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One answer to "is the pipeline caught up?": each stage's own {@code /health}, read in the order
 * data flows, and ClickHouse's newest event per family.
 *
 * <ul>
 *   <li><b>ingest</b> ({@code GET /health}): up or not, and the events it holds that Kafka has not
 *       acknowledged yet ({@code inFlightEvents}, when it reports them).
 *   <li><b>streams</b> ({@code GET /health}): its state and its lag per input and repartition topic
 *       partition, and the records it dropped by reason.
 *   <li><b>sink</b> ({@code GET /health}): its state and lag per topic, measured when asked as each
 *       partition's end against its consumer group's committed offset (a batch read and not yet
 *       inserted is not committed, so it counts; {@code pendingRecords} says how many).
 *   <li><b>clickhouse</b>: per family the newest {@code event_time} in its raw table, and how far
 *       behind now it is (freshness; a replay of old traffic is behind and still drained).
 * </ul>
 *
 * <p>{@code drained} is true only when the streams app and the sink both answer, neither is DOWN or
 * STALLED, every lag they report is 0, and the ingest holds nothing in flight. Streams is asked
 * before the sink: what the streams app has committed is already in its output topics when the sink
 * is asked, so a record cannot slip between the two answers unseen. A stage that does not answer is
 * DOWN; a down ingest holds nothing in flight, so it does not keep the pipeline from being drained,
 * but a down streams app or sink does (its lag is unknown).
 */
public final class PipelineStatus {

  /** The families and the raw tables ClickHouse keeps them in (migration 005). */
  static final Map<String, String> FAMILIES =
      Map.of("usage", "usage_events", "billing", "billing_events", "feedback", "feedback_events");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int UNKNOWN_TABLE = 60;
  private static final int UNKNOWN_DATABASE = 81;
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final URI ingest;
  private final URI streams;
  private final URI sink;
  private final ClickHouse clickHouse;
  private final String database;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  /**
   * {@code ingest}, {@code streams}, {@code sink}: each service's base address, e.g. {@code
   * http://127.0.0.1:8080}.
   */
  public PipelineStatus(
      URI ingest, URI streams, URI sink, ClickHouse clickHouse, String database, Clock clock) {
    this.ingest = ingest;
    this.streams = streams;
    this.sink = sink;
    this.clickHouse = clickHouse;
    this.database = database;
    this.clock = clock;
  }

  /**
   * One stage's answer. {@code lag} per topic (or topic-partition); null figures: not reported or
   * unknown.
   */
  public record Stage(
      String stage,
      String address,
      String status,
      Long pid,
      String namespace,
      Long lagRecords,
      Map<String, Long> lag,
      Long inFlightEvents,
      Map<String, Long> dropped,
      String detail) {

    /** A stage that did not answer, or not as itself: nothing it would report is known. */
    static Stage down(String stage, URI address, String detail) {
      return new Stage(
          stage, address.toString(), "DOWN", null, null, null, Map.of(), null, Map.of(), detail);
    }
  }

  /**
   * ClickHouse's newest event of one family, and how far behind {@code at} it is (null: none yet).
   */
  public record Freshness(
      String family, String table, Instant newestEventTime, Long secondsBehind) {}

  /**
   * The whole answer; {@code notDrained} says why {@code drained} is false (empty when it is true).
   */
  public record Report(
      Instant at,
      boolean drained,
      List<String> notDrained,
      List<Stage> stages,
      String clickHouseStatus,
      List<Freshness> freshness) {

    /** A row per stage and per family, for a table. */
    public List<Map<String, Object>> rows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Stage s : stages) {
        rows.add(row(s.stage(), s.status(), s.lagRecords(), s.inFlightEvents(), s.detail()));
      }
      for (Freshness f : freshness) {
        rows.add(
            row(
                "clickhouse " + f.family(),
                clickHouseStatus,
                null,
                null,
                f.newestEventTime() == null
                    ? "no events yet"
                    : "newest event "
                        + f.newestEventTime()
                        + ", "
                        + f.secondsBehind()
                        + " s before now"));
      }
      return rows;
    }

    private static Map<String, Object> row(
        String stage, String status, Long lag, Long inFlight, String detail) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("stage", stage);
      row.put("status", status);
      row.put("lag", lag);
      row.put("in_flight", inFlight);
      row.put("detail", detail);
      return row;
    }
  }

  /** Asks every stage now, in the order data flows. */
  public Report check() {
    Instant at = clock.instant();
    List<String> notDrained = new ArrayList<>();
    Stage ingestStage = ingest();
    Stage streamsStage = lagging("streams", streams, "lag", "dropped");
    Stage sinkStage = lagging("sink", sink, "topics", null);
    if (ingestStage.inFlightEvents() != null && ingestStage.inFlightEvents() > 0) {
      notDrained.add(
          "ingest holds " + ingestStage.inFlightEvents() + " events Kafka has not acknowledged");
    }
    for (Stage stage : List.of(streamsStage, sinkStage)) {
      if (stage.lagRecords() == null) {
        notDrained.add(stage.stage() + " is " + stage.status() + ": its lag is unknown");
      } else if (stage.lagRecords() > 0) {
        notDrained.add(
            stage.stage()
                + " has "
                + stage.lagRecords()
                + (stage.stage().equals("sink")
                    ? " records ClickHouse does not have yet"
                    : " records to read"));
      } else if (!stage.status().equals("UP")) {
        notDrained.add(stage.stage() + " is " + stage.status());
      }
    }
    String clickHouseStatus = "UP";
    List<Freshness> freshness = new ArrayList<>();
    try {
      freshness = freshness(at);
    } catch (SQLException e) {
      if (e.getErrorCode() == UNKNOWN_DATABASE || e.getErrorCode() == UNKNOWN_TABLE) {
        clickHouseStatus = "NO_TABLES";
        notDrained.add(
            "ClickHouse has no raw event tables in database "
                + database
                + " yet (the sink creates them when it starts, or run routemetrics migrate)");
      } else {
        clickHouseStatus = "DOWN";
        notDrained.add("ClickHouse did not answer: " + firstLine(e.getMessage()));
      }
    }
    return new Report(
        at,
        notDrained.isEmpty(),
        notDrained,
        List.of(ingestStage, streamsStage, sinkStage),
        clickHouseStatus,
        freshness);
  }

  private Stage ingest() {
    JsonNode health;
    try {
      health = get(ingest);
    } catch (Unanswered e) {
      return Stage.down("ingest", ingest, e.getMessage());
    }
    if (!"ingest".equals(health.path("service").asText("ingest"))) {
      return Stage.down(
          "ingest",
          ingest,
          "a "
              + health.path("service").asText()
              + " service answers at "
              + ingest
              + ", not the ingest");
    }
    Long inFlight = number(health, "inFlightEvents");
    return new Stage(
        "ingest",
        ingest.toString(),
        health.path("status").asText("UNKNOWN"),
        number(health, "pid"),
        text(health, "namespace"),
        null,
        Map.of(),
        inFlight,
        Map.of(),
        inFlight == null
            ? "does not report events in flight"
            : inFlight + " events waiting for Kafka");
  }

  /**
   * A stage that reports lag: the streams app ({@code lag} an object of topic-partition to records,
   * {@code dropped} of reason to records) or the sink ({@code topics} a list of {@code {topic,
   * lagRecords}}).
   */
  private Stage lagging(String name, URI address, String lagField, String droppedField) {
    JsonNode health;
    try {
      health = get(address);
    } catch (Unanswered e) {
      return Stage.down(name, address, e.getMessage());
    }
    Map<String, Long> lag = new LinkedHashMap<>();
    JsonNode lags = health.path(lagField);
    if (lags.isArray()) {
      // A topic whose lag is null is unknown (the sink could not ask Kafka): not 0.
      lags.forEach(t -> lag.put(t.path("topic").asText(), number(t, "lagRecords")));
    } else {
      // The streams app's lag per partition; null where it could not measure it: unknown, not 0.
      lags.properties()
          .forEach(e -> lag.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asLong()));
    }
    Map<String, Long> dropped = new LinkedHashMap<>();
    if (droppedField != null) {
      health
          .path(droppedField)
          .properties()
          .forEach(e -> dropped.put(e.getKey(), e.getValue().asLong()));
    }
    Long total = number(health, "lagRecords");
    if (total == null && !lag.isEmpty() && !lag.containsValue(null)) {
      total = lag.values().stream().mapToLong(Long::longValue).sum();
    }
    Long pending = number(health, "pendingRecords");
    String status = health.path("status").asText("UNKNOWN");
    if (!name.equals(health.path("service").asText(name))) {
      // Something else answers on this port: its figures are not this stage's.
      return Stage.down(
          name,
          address,
          "a "
              + health.path("service").asText()
              + " service answers at "
              + address
              + ", not the "
              + name);
    }
    List<String> behind = new ArrayList<>();
    lag.forEach(
        (topic, records) -> {
          if (records == null) {
            behind.add(topic + " unknown");
          } else if (records > 0) {
            behind.add(topic + " " + records);
          }
        });
    long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
    String detail =
        (behind.isEmpty() ? "caught up" : "behind: " + String.join(", ", behind))
            + (pending == null || pending == 0
                ? ""
                : "; " + pending + " read, waiting for their insert")
            + (dropped.isEmpty() ? "" : "; dropped " + droppedTotal + " " + dropped);
    return new Stage(
        name,
        address.toString(),
        status,
        number(health, "pid"),
        text(health, "namespace"),
        total,
        lag,
        null,
        dropped,
        detail);
  }

  /**
   * Per family the newest event_time in its raw table; epoch seconds, as 18.16 and current servers
   * print them alike.
   */
  private List<Freshness> freshness(Instant at) throws SQLException {
    List<Freshness> result = new ArrayList<>();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      for (String family : List.of("usage", "billing", "feedback")) {
        String table = database + "." + FAMILIES.get(family);
        try (ResultSet rs =
            statement.executeQuery(
                "SELECT count() AS n, toUInt32(max(event_time)) AS newest FROM " + table)) {
          rs.next();
          Instant newest =
              rs.getLong("n") == 0 ? null : Instant.ofEpochSecond(rs.getLong("newest"));
          result.add(
              new Freshness(
                  family,
                  table,
                  newest,
                  newest == null ? null : Duration.between(newest, at).toSeconds()));
        }
      }
    } catch (SQLException e) {
      throw clickHouse.explained(e);
    }
    return result;
  }

  /** Thrown when a stage's /health does not answer 200 with JSON. */
  private static final class Unanswered extends Exception {
    Unanswered(String message) {
      super(message);
    }
  }

  private JsonNode get(URI base) throws Unanswered {
    URI health = base.resolve("/health");
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(health).timeout(TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new Unanswered("GET " + health + " answered " + response.statusCode());
      }
      return JSON.readTree(response.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Unanswered("GET " + health + " did not answer JSON: something else holds the port");
    } catch (IOException e) {
      throw new Unanswered(
          "nothing answers at "
              + health
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unanswered("interrupted while asking " + health);
    }
  }

  private static Long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || !value.isNumber() ? null : value.asLong();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String firstLine(String message) {
    int end = message == null ? -1 : message.indexOf('\n');
    return end < 0 ? String.valueOf(message) : message.substring(0, end);
  }
}
