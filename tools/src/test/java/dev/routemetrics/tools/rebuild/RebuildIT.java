package dev.routemetrics.tools.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.output.KafkaEventSink;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.streams.StreamsAppConfig;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rebuild command's promise, on the real broker and ClickHouse: derived again, the numbers are
 * the same.
 */
class RebuildIT {

  private static final Instant START = Instant.parse("2026-11-20T11:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final List<String> TABLES =
      List.of(
          "channel_metrics",
          "channel_revenue",
          "quarantined_events",
          "usage_events",
          "billing_events",
          "feedback_events");

  @Test
  @DisplayName(
      "a rebuild from the event log, swapped into a populated system, leaves every table with the"
          + " same rows")
  void shouldLeaveEveryTableWithTheSameRowsAfterARebuild() throws Exception {
    String run = "it-rebuild-" + Long.toString(System.nanoTime(), 36);
    String namespace = run + "-";
    String database = run.replace('-', '_');
    Map<String, String> streams =
        Map.of(
            StreamsAppConfig.TOPIC_NAMESPACE,
            namespace,
            StreamsAppConfig.APPLICATION_ID,
            run + "-metrics",
            StreamsAppConfig.COMMIT_INTERVAL_MS,
            "100",
            StreamsAppConfig.EMIT_INTERVAL_MS,
            "200");
    Map<String, String> warehouse =
        Map.of(
            WarehouseConfig.TOPIC_NAMESPACE,
            namespace,
            WarehouseConfig.DATABASE,
            database,
            WarehouseConfig.SINK_FLUSH_INTERVAL_MS,
            "200");
    WarehouseConfig live = new WarehouseConfig(warehouse);
    Topics topics = new Topics(namespace);
    new TopicProvisioner(live.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 3).ensure(topics);
    // An hour of seven-route traffic with every fault the simulator injects: duplicates, conflicts,
    // late and too-late events, late feedback, refunds.
    SimulationPlan plan =
        new SimulationPlan(
            START,
            START.plus(Duration.ofHours(1)),
            11L,
            2_000,
            Faults.defaults(),
            SimulationPlan.DEFAULT_STATEMENT_SKEW,
            Instant.now());
    List<Delivery> deliveries = new ArrayList<>();
    new TrafficSimulator(ChannelRegistry.builtIn(), plan)
        .run(
            deliveries::add,
            new ExpectedMetrics(ChannelRegistry.builtIn())::accept,
            (a, b, c) -> {});
    int half = deliveries.size() / 2;

    try {
      // The populated system: the first generation, fed as events arrive, in two runs.
      Rebuild first =
          new Rebuild(
              "",
              database,
              streams,
              warehouse,
              Files.createTempDirectory("rebuild-it-live").toString(),
              System.out);
      send(live, topics, deliveries.subList(0, half));
      first.catchUp(TIMEOUT);
      send(live, topics, deliveries.subList(half, deliveries.size()));
      first.catchUp(TIMEOUT);
      Map<String, List<String>> before = rows(live, database);
      assertThat(before).allSatisfy((table, rows) -> assertThat(rows).as(table).isNotEmpty());

      Rebuild rebuild =
          Rebuild.of(
              "g1",
              streams,
              warehouse,
              Files.createTempDirectory("rebuild-it-g1").toString(),
              System.out);
      rebuild.catchUp(TIMEOUT);
      assertSameRows(rows(live, rebuild.database()), before);
      rebuild.swap();

      assertSameRows(rows(live, database), before);
      assertSameRows(rows(live, Rebuild.formerDatabaseOf(database, "g1")), before);
      assertThat(databaseExists(live, rebuild.database())).isFalse();
    } finally {
      drop(
          live,
          database,
          Rebuild.databaseOf(database, "g1"),
          Rebuild.formerDatabaseOf(database, "g1"));
    }
  }

  /** Table by table, naming the rows missing and the rows not expected. */
  private static void assertSameRows(
      Map<String, List<String>> actual, Map<String, List<String>> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (table, rows) ->
            assertThat(actual.get(table)).as(table).containsExactlyInAnyOrderElementsOf(rows));
  }

  private static void send(WarehouseConfig config, Topics topics, List<Delivery> deliveries) {
    try (KafkaEventSink sink =
        new KafkaEventSink(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), topics)) {
      deliveries.forEach(sink::accept);
    }
  }

  /**
   * Every table's newest rows (FINAL), each as one line without the time it was written, sorted.
   */
  private static Map<String, List<String>> rows(WarehouseConfig config, String database)
      throws SQLException {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection connection = new ClickHouse(config).connect()) {
      for (String table : TABLES) {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT name FROM system.columns WHERE database = ? AND table = ? AND name !="
                    + " 'written_at'")) {
          statement.setString(1, database);
          statement.setString(2, table);
          try (ResultSet names = statement.executeQuery()) {
            while (names.next()) {
              columns.add(names.getString(1));
            }
          }
        }
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement();
            ResultSet result =
                statement.executeQuery(
                    "SELECT "
                        + String.join(", ", columns)
                        + " FROM "
                        + database
                        + "."
                        + table
                        + " FINAL")) {
          while (result.next()) {
            StringBuilder line = new StringBuilder();
            for (int i = 1; i <= columns.size(); i++) {
              line.append(columns.get(i - 1)).append('=').append(result.getString(i)).append(' ');
            }
            lines.add(line.toString());
          }
        }
        lines.sort(null);
        tables.put(table, lines);
      }
    }
    return tables;
  }

  private static boolean databaseExists(WarehouseConfig config, String database)
      throws SQLException {
    try (Connection connection = new ClickHouse(config).connect();
        PreparedStatement statement =
            connection.prepareStatement("SELECT count() FROM system.databases WHERE name = ?")) {
      statement.setString(1, database);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getLong(1) > 0;
      }
    }
  }

  private static void drop(WarehouseConfig config, String... databases) throws SQLException {
    try (Connection connection = new ClickHouse(config).connect();
        Statement statement = connection.createStatement()) {
      for (String database : databases) {
        statement.execute("DROP DATABASE IF EXISTS " + database);
      }
    }
  }
}
