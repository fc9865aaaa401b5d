package dev.routemetrics.e2e;

import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.ingest.IngestServer;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import dev.routemetrics.warehouse.ClickHouse;
import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.sink.Sink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
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
  final String labKey;

  Pipeline(String name) throws Exception {
    this.id = name + System.currentTimeMillis();
    this.namespace = id + ".";
    this.database = id.replace('-', '_');
    Path stateDir = Files.createTempDirectory("routemetrics-" + id);
    this.warehouse = new WarehouseConfig(Map.of(
        WarehouseConfig.DATABASE, database,
        WarehouseConfig.TOPIC_NAMESPACE, namespace,
        WarehouseConfig.SINK_GROUP, id + "-sink",
        WarehouseConfig.SINK_FLUSH_INTERVAL_MS, "200"));
    Path keys = stateDir.resolve("api-keys.json");
    this.labKey = ApiKeys.add(keys, "it-lab", null);
    this.ingest = new IngestServer(new IngestConfig(Map.of(
        IngestConfig.PORT, "0",
        IngestConfig.API_KEYS_FILE, keys.toString(),
        IngestConfig.TOPIC_NAMESPACE, namespace))).start();
    this.streams = new StreamsApp(new StreamsAppConfig(Map.of(
        StreamsAppConfig.APPLICATION_ID, id,
        StreamsAppConfig.TOPIC_NAMESPACE, namespace,
        StreamsAppConfig.STATE_DIR, stateDir.toString(),
        StreamsAppConfig.COMMIT_INTERVAL_MS, "100"))).start();
    this.sink = new Sink(warehouse).start();
  }

  String ingestUrl() {
    return "http://127.0.0.1:" + ingest.port();
  }

  ClickHouse clickHouse() {
    return new ClickHouse(warehouse);
  }

  @Override
  public void close() throws Exception {
    ingest.close();
    streams.close();
    sink.close();
    try (Connection connection = clickHouse().connect(); Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
    // This run's topics, internal ones included, all start with its id.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        warehouse.getString(WarehouseConfig.KAFKA_BOOTSTRAP)))) {
      Set<String> mine = admin.listTopics().names().get().stream().filter(t -> t.startsWith(id)).collect(Collectors.toSet());
      admin.deleteTopics(mine).all().get();
    }
  }
}
