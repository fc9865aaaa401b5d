package dev.routemetrics.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.http.QueryServer;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.simulator.output.KafkaEventSink;
import dev.routemetrics.simulator.traffic.Elasticities;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.streams.StreamsAppConfig;
import dev.routemetrics.tools.rebuild.Rebuild;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's elasticity recovery on the real servers: the seeded 7-day simulation of {@link
 * SimulatedElasticitiesTest#plan} over the three channels of {@link
 * SimulatedElasticitiesTest#REGISTRY} goes onto the event topics of a namespace of its own (Avro,
 * keyed by event_id, in arrival order, faults included), the metrics topology and the sink derive
 * channel_metrics and channel_revenue from it into a database of its own, and {@code GET
 * /api/substitution} (a lab key, JSON) must give back each channel's true elasticities within ±25
 * %, and |e| below 0.3 for vertical-lexdraft, which does not react.
 *
 * <p>Why the tolerance is well out of reach of chance, and why the event count: see {@link
 * SimulatedElasticitiesTest}'s class comment (the same plan, folded in memory).
 */
class SimulatedElasticitiesIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName(
      "a seeded 7-day simulation through Kafka, the streams app, the sink and ClickHouse: the"
          + " substitution view recovers each true elasticity")
  void shouldRecoverEachTrueElasticityThroughThePipeline() throws Exception {
    String run = "it-elastic-" + Long.toString(System.nanoTime(), 36);
    String namespace = run + "-";
    String database = run.replace('-', '_');
    String registry = SimulatedElasticitiesTest.registryFile().toString();
    Map<String, String> streams =
        Map.of(
            StreamsAppConfig.TOPIC_NAMESPACE,
            namespace,
            StreamsAppConfig.REGISTRY,
            registry,
            StreamsAppConfig.APPLICATION_ID,
            run + "-metrics",
            StreamsAppConfig.COMMIT_INTERVAL_MS,
            "1000",
            StreamsAppConfig.EMIT_INTERVAL_MS,
            "1000");
    Path keys = Files.createTempDirectory("elasticities-it-keys").resolve("api-keys.json");
    String labKey = ApiKeys.add(keys, "leadership", null);
    Map<String, String> warehouse =
        Map.of(
            WarehouseConfig.TOPIC_NAMESPACE,
            namespace,
            WarehouseConfig.DATABASE,
            database,
            WarehouseConfig.SINK_FLUSH_INTERVAL_MS,
            "1000");
    WarehouseConfig config = new WarehouseConfig(warehouse);
    QueryConfig query =
        new QueryConfig(
            Map.of(
                QueryConfig.TOPIC_NAMESPACE,
                namespace,
                QueryConfig.DATABASE,
                database,
                QueryConfig.API_KEYS_FILE,
                keys.toString()));
    Topics topics = new Topics(namespace);
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 3).ensure(topics);
    try {
      long started = System.nanoTime();
      TrafficSimulator simulator =
          new TrafficSimulator(ChannelRegistry.load(registry), SimulatedElasticitiesTest.plan());
      TrafficSimulator.Summary summary;
      try (KafkaEventSink sink =
          new KafkaEventSink(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), topics)) {
        summary = simulator.run(sink::accept, record -> {}, (done, total, delivered) -> {});
      }
      System.out.printf(
          "simulated and sent %,d deliveries in %.0f s%n",
          summary.delivered(), (System.nanoTime() - started) / 1e9);
      new Rebuild(
              "",
              database,
              streams,
              warehouse,
              Files.createTempDirectory("elasticities-it").toString(),
              System.out)
          .catchUp(TIMEOUT);

      Map<String, JsonNode> rows = new HashMap<>();
      try (QueryServer server = new QueryServer(query, "127.0.0.1", 0, Clock.systemUTC()).start()) {
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:"
                                    + server.port()
                                    + "/api/substitution?from="
                                    + SimulatedElasticitiesTest.START
                                    + "&until="
                                    + SimulatedElasticitiesTest.START.plus(Duration.ofDays(7))))
                        .header("Authorization", "Bearer " + labKey)
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JSON.readTree(response.body())
            .path("rows")
            .forEach(r -> rows.put(r.path("channel_id").asText(), r));
      }
      Map<String, Elasticities> truth = simulator.elasticities();
      System.out.println(
          "channel              windows  latency: true  estimate ± se   price: true  estimate ±"
              + " se");
      for (String channel : SimulatedElasticitiesTest.CHANNELS) {
        JsonNode r = rows.get(channel);
        Elasticities t = truth.getOrDefault(channel, Elasticities.NONE);
        System.out.printf(
            "%-20s %7d  %13.2f  %6.3f ± %.3f  %11.2f  %6.3f ± %.3f%n",
            channel,
            r.path("windows").asInt(),
            t.latency(),
            r.path("latency_elasticity").asDouble(),
            r.path("latency_elasticity_error").asDouble(),
            t.price(),
            r.path("price_elasticity").asDouble(),
            r.path("price_elasticity_error").asDouble());
      }

      for (String channel : SimulatedElasticitiesTest.REACTING) {
        JsonNode r = rows.get(channel);
        assertThat(r.path("windows").asInt()).as(channel + " windows").isEqualTo(168);
        assertThat(r.path("price_currency").asText())
            .as(channel + " price currency")
            .isEqualTo("USD");
        SimulatedElasticitiesTest.assertWithin25Percent(
            channel + " latency", number(r, "latency_elasticity"), truth.get(channel).latency());
        SimulatedElasticitiesTest.assertWithin25Percent(
            channel + " price", number(r, "price_elasticity"), truth.get(channel).price());
      }
      JsonNode none = rows.get(SimulatedElasticitiesTest.NOT_REACTING);
      assertThat(truth).doesNotContainKey(SimulatedElasticitiesTest.NOT_REACTING);
      assertThat(none.path("windows").asInt()).isEqualTo(168);
      assertThat(Math.abs(number(none, "latency_elasticity")))
          .as("lexdraft latency")
          .isLessThan(0.3);
      assertThat(Math.abs(number(none, "price_elasticity"))).as("lexdraft price").isLessThan(0.3);
    } finally {
      drop(config, database, run);
    }
  }

  private static double number(JsonNode row, String field) {
    assertThat(row.path(field).isNumber()).as(field + " of " + row).isTrue();
    return row.path(field).asDouble();
  }

  private static void drop(WarehouseConfig config, String database, String run) throws Exception {
    try (Connection connection = new ClickHouse(config).connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP)))) {
      Set<String> mine =
          admin.listTopics().names().get().stream()
              .filter(t -> t.startsWith(run))
              .collect(Collectors.toSet());
      admin.deleteTopics(mine).all().get();
    }
  }
}
