package dev.routemetrics.e2e;

import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.ingest.IngestServer;
import dev.routemetrics.query.status.PipelineStatus;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.simulator.load.UsageBurst;
import dev.routemetrics.simulator.output.HttpEventSink;
import dev.routemetrics.simulator.traffic.Family;
import dev.routemetrics.sink.Sink;
import dev.routemetrics.sink.SinkHttp;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The whole pipeline in this JVM against the real broker and ClickHouse, isolated from every other
 * test and from the demo: its own topics (namespace), application id, consumer group and database.
 */
final class Pipeline implements AutoCloseable {

  final String id;
  final String namespace;
  final String database;
  final WarehouseConfig warehouse;
  final IngestServer ingest;
  final StreamsApp streams;
  final Sink sink;
  final SinkHttp sinkHttp;
  final String labKey;

  Pipeline(String name) throws Exception {
    this(name, Map.of());
  }

  /** With {@code streamsSettings} over the test's defaults (say, a longer emit interval). */
  Pipeline(String name, Map<String, String> streamsSettings) throws Exception {
    this(name, streamsSettings, false);
  }

  /**
   * A pipeline isolated by its topic namespace alone (no database, application id or consumer group
   * given): what one setting must isolate.
   */
  static Pipeline namespacedOnly(String name) throws Exception {
    return new Pipeline(name, Map.of(), true);
  }

  private Pipeline(String name, Map<String, String> streamsSettings, boolean namespaceOnly)
      throws Exception {
    this.id = name + System.currentTimeMillis();
    this.namespace = id + ".";
    Path stateDir = Files.createTempDirectory("routemetrics-" + id);
    Map<String, String> warehouseSettings =
        new java.util.HashMap<>(
            Map.of(
                WarehouseConfig.TOPIC_NAMESPACE,
                namespace,
                WarehouseConfig.SINK_FLUSH_INTERVAL_MS,
                "200"));
    if (!namespaceOnly) {
      warehouseSettings.put(WarehouseConfig.DATABASE, id.replace('-', '_'));
      warehouseSettings.put(WarehouseConfig.SINK_GROUP, id + "-sink");
    }
    this.warehouse = new WarehouseConfig(warehouseSettings);
    this.database = warehouse.database();
    Path keys = stateDir.resolve("api-keys.json");
    this.labKey = ApiKeys.add(keys, "it-lab", null);
    this.ingest =
        new IngestServer(
                new IngestConfig(
                    Map.of(
                        IngestConfig.PORT,
                        "0",
                        IngestConfig.API_KEYS_FILE,
                        keys.toString(),
                        IngestConfig.TOPIC_NAMESPACE,
                        namespace)))
            .start();
    Map<String, String> streamsConfig =
        new java.util.HashMap<>(
            Map.of(
                StreamsAppConfig.TOPIC_NAMESPACE,
                namespace,
                StreamsAppConfig.STATE_DIR,
                stateDir.toString(),
                StreamsAppConfig.COMMIT_INTERVAL_MS,
                "100",
                StreamsAppConfig.PORT,
                "0"));
    if (!namespaceOnly) {
      streamsConfig.put(StreamsAppConfig.APPLICATION_ID, id);
    }
    streamsConfig.putAll(streamsSettings);
    this.streams = new StreamsApp(new StreamsAppConfig(streamsConfig)).start();
    this.sink = new Sink(warehouse).start();
    this.sinkHttp = new SinkHttp(sink.telemetry(), "127.0.0.1", 0).start();
  }

  /**
   * {@code routemetrics status} for this pipeline: each stage's /health on the port it took, and
   * its database.
   */
  PipelineStatus status() {
    return new PipelineStatus(
        URI.create(ingestUrl()),
        URI.create("http://127.0.0.1:" + streams.httpPort()),
        URI.create("http://127.0.0.1:" + sinkHttp.port()),
        clickHouse(),
        database,
        Clock.systemUTC());
  }

  String ingestUrl() {
    return "http://127.0.0.1:" + ingest.port();
  }

  /**
   * Posts {@code events} to this pipeline's ingest as the simulator does (HttpEventSink: one event
   * per request, {@code concurrency} in flight, 503s retried) and returns how many it answered 202.
   */
  long post(List<UsageBurst.Event> events, int concurrency) {
    HttpEventSink sender = new HttpEventSink(ingestUrl(), labKey, concurrency);
    UsageBurst.deliveries(events).forEach(sender::accept);
    sender.close();
    return sender.answered(Family.USAGE, 202);
  }

  ClickHouse clickHouse() {
    return new ClickHouse(warehouse);
  }

  @Override
  public void close() throws java.sql.SQLException, java.util.concurrent.ExecutionException {
    ingest.close();
    streams.close();
    sinkHttp.close();
    sink.close();
    // A loaded machine's ClickHouse can take longer than the driver's socket timeout to drop: try
    // again.
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = clickHouse().connect();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + database);
        break;
      } catch (java.sql.SQLException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
    // This run's topics, internal ones included, all start with its id.
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                warehouse.getString(WarehouseConfig.KAFKA_BOOTSTRAP)))) {
      Set<String> mine =
          admin.listTopics().names().get().stream()
              .filter(t -> t.startsWith(id))
              .collect(Collectors.toSet());
      admin.deleteTopics(mine).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting this run's topics", e);
    }
  }
}
