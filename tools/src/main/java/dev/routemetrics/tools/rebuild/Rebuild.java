package dev.routemetrics.tools.rebuild;

import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.sink.Sink;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Derives every metric again from the event log, as a new generation: the metrics topology under a
 * fresh application id reads the event topics from offset 0 and writes derived topics of its own; a
 * sink with consumer groups of its own writes them, and the raw events, into a fresh database
 * {@code <database>_<generation>}. When everything is caught up, {@link #swap} moves the fresh
 * tables into the live database (the replaced ones into {@code <database>_before_<generation>}).
 *
 * <p>Caught up means: the topology's committed offsets are at the end of every event topic and of
 * its repartition topics, and the sink's at the end of every topic it reads, continuously for
 * longer than the topology takes to emit changed rows and the sink to flush them.
 */
public final class Rebuild {

  private final String generation;
  private final StreamsAppConfig streamsConfig;
  private final WarehouseConfig warehouseConfig;
  private final String liveDatabase;
  private final PrintStream progress;

  /**
   * Reads the last few offsets of a partition to tell records from transaction markers; see {@link
   * #lag}.
   */
  private KafkaConsumer<byte[], byte[]> reader;

  private static final int MARKERS_READ_AT_MOST = 50;

  /**
   * A rebuild as {@code generation}, into {@code <database>_<generation>}.
   *
   * @param streamsSettings settings of the live topology (bootstrap, namespace, registry ...)
   * @param warehouseSettings settings of the live sink (ClickHouse, database ...)
   */
  public static Rebuild of(
      String generation,
      Map<String, String> streamsSettings,
      Map<String, String> warehouseSettings,
      String stateDir,
      PrintStream progress) {
    String live = new WarehouseConfig(warehouseSettings).database();
    return new Rebuild(
        generation,
        databaseOf(live, generation),
        streamsSettings,
        warehouseSettings,
        stateDir,
        progress);
  }

  /** Generation {@code generation} of the metrics, derived into {@code database}. */
  public Rebuild(
      String generation,
      String database,
      Map<String, String> streamsSettings,
      Map<String, String> warehouseSettings,
      String stateDir,
      PrintStream progress) {
    this.generation = generation;
    this.progress = progress;
    Map<String, Object> streams = new HashMap<>(streamsSettings);
    streams.put(StreamsAppConfig.GENERATION, generation);
    streams.put(StreamsAppConfig.STATE_DIR, stateDir);
    this.streamsConfig = new StreamsAppConfig(streams);
    this.liveDatabase = new WarehouseConfig(warehouseSettings).database();
    Map<String, Object> warehouse = new HashMap<>(warehouseSettings);
    warehouse.put(WarehouseConfig.GENERATION, generation);
    warehouse.put(WarehouseConfig.DATABASE, database);
    this.warehouseConfig = new WarehouseConfig(warehouse);
  }

  public static String databaseOf(String liveDatabase, String generation) {
    return liveDatabase + "_" + generation;
  }

  public static String formerDatabaseOf(String liveDatabase, String generation) {
    return liveDatabase + "_before_" + generation;
  }

  public String database() {
    return warehouseConfig.database();
  }

  /** Runs topology and sink until both are caught up with the event log (see the class comment). */
  public void catchUp(Duration timeout) throws Exception {
    Topics topics = streamsConfig.topics();
    List<String> events = List.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents);
    List<String> sunk =
        List.of(
            topics.usageEvents,
            topics.billingEvents,
            topics.feedbackEvents,
            topics.quarantinedEvents,
            topics.channelMetrics,
            topics.channelRevenue);
    String applicationId = streamsConfig.applicationId();
    // Rows changed by the last events come out at the next emit, then wait up to a flush interval
    // in the sink.
    long quietMillis =
        2L * streamsConfig.getInt(StreamsAppConfig.EMIT_INTERVAL_MS)
            + 2L * warehouseConfig.getInt(WarehouseConfig.SINK_FLUSH_INTERVAL_MS)
            + 1_000;
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    progress.printf(
        "rebuild %s: topology %s from offset 0, sink into database %s%n",
        generation, applicationId, database());
    try (Admin admin =
            Admin.create(
                Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    streamsConfig.getString(StreamsAppConfig.KAFKA_BOOTSTRAP)));
        StreamsApp streams = new StreamsApp(streamsConfig);
        Sink sink = new Sink(warehouseConfig)) {
      streams.start();
      sink.start();
      long quietSince = 0;
      long lastReport = 0;
      while (true) {
        Map<TopicPartition, Long> eventEnds = endOffsets(admin, events);
        long eventRecords = eventEnds.values().stream().mapToLong(Long::longValue).sum();
        Map<TopicPartition, OffsetAndMetadata> topology = committed(admin, applicationId);
        long consumed = eventEnds.keySet().stream().mapToLong(p -> offset(topology, p)).sum();
        long internalLag = lag(admin, topology, repartitionTopics(admin, applicationId));
        long sinkLag = 0;
        for (String topic : sunk) {
          sinkLag +=
              lag(
                  admin,
                  committed(admin, warehouseConfig.sinkGroup() + "." + topic),
                  List.of(topic));
        }
        boolean caughtUp = consumed >= eventRecords && internalLag == 0 && sinkLag == 0;
        long now = System.nanoTime();
        if (now - lastReport > 2_000_000_000L || caughtUp) {
          progress.printf(
              "  %5.0f s  topology %,d of %,d events, %,d behind in repartitions; sink %,d rows"
                  + " behind%n",
              (now - started) / 1e9, consumed, eventRecords, internalLag, sinkLag);
          lastReport = now;
        }
        if (!caughtUp) {
          quietSince = 0;
        } else if (quietSince == 0) {
          quietSince = now;
        } else if (now - quietSince >= quietMillis * 1_000_000) {
          break;
        }
        if (now > deadline) {
          throw new IllegalStateException(
              "rebuild "
                  + generation
                  + " not caught up within "
                  + timeout
                  + "; run it again with the same generation to resume where it stopped");
        }
        Thread.sleep(500);
      }
    } finally {
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
    progress.printf(
        "rebuild %s: caught up in %.0f s, %s holds every metric derived again%n",
        generation, (System.nanoTime() - started) / 1e9, database());
  }

  /**
   * Moves every table of the rebuilt database into the live one in one RENAME, the tables it
   * replaces into {@code <database>_before_<generation>}. Queries see the old tables or the new,
   * never a mix of a table from each (ClickHouse renames the whole list under one lock).
   */
  public List<String> swap() throws SQLException {
    String former = formerDatabaseOf(liveDatabase, generation);
    ClickHouse clickHouse = new ClickHouse(warehouseConfig);
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      Set<String> rebuilt = tables(connection, database());
      Set<String> live = tables(connection, liveDatabase);
      if (rebuilt.isEmpty()) {
        throw new IllegalStateException(
            "database " + database() + " has no tables: run the rebuild before the swap");
      }
      statement.execute("CREATE DATABASE IF NOT EXISTS " + former);
      List<String> renames = new ArrayList<>();
      for (String table : rebuilt) {
        if (live.contains(table)) {
          renames.add(liveDatabase + "." + table + " TO " + former + "." + table);
        }
        renames.add(database() + "." + table + " TO " + liveDatabase + "." + table);
      }
      statement.execute("RENAME TABLE " + String.join(", ", renames));
      statement.execute("DROP DATABASE IF EXISTS " + database());
      progress.printf(
          "rebuild %s: swapped %d tables into %s; the replaced ones are in %s%n",
          generation, rebuilt.size(), liveDatabase, former);
      return new ArrayList<>(rebuilt);
    }
  }

  private static Set<String> tables(Connection connection, String database) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT name FROM system.tables WHERE database = ? AND engine NOT LIKE '%View'")) {
      statement.setString(1, database);
      Set<String> names = new TreeSet<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
      return names;
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group)
      throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
  }

  private static List<String> repartitionTopics(Admin admin, String applicationId)
      throws Exception {
    return admin.listTopics().names().get().stream()
        .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition"))
        .toList();
  }

  private static long offset(Map<TopicPartition, OffsetAndMetadata> committed, TopicPartition p) {
    OffsetAndMetadata o = committed.get(p);
    return o == null ? 0 : o.offset();
  }

  /**
   * Records of {@code topics} past the group's committed offsets. Offsets alone overstate it: the
   * transactions that write derived topics leave a marker after their records, and a group that
   * commits "last record + 1" (the sink) never commits past the last marker. So where only a few
   * offsets remain, they are read (read_committed) and only records are counted.
   */
  private long lag(
      Admin admin, Map<TopicPartition, OffsetAndMetadata> committed, List<String> topics)
      throws Exception {
    long lag = 0;
    Map<TopicPartition, Long> toRead = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> end : endOffsets(admin, topics).entrySet()) {
      long from = offset(committed, end.getKey());
      long behind = Math.max(0, end.getValue() - from);
      if (behind > MARKERS_READ_AT_MOST) {
        lag += behind;
      } else if (behind > 0) {
        toRead.put(end.getKey(), from);
      }
    }
    return lag + recordsBetween(toRead, endOffsets(admin, topics));
  }

  private long recordsBetween(Map<TopicPartition, Long> from, Map<TopicPartition, Long> end) {
    if (from.isEmpty()) {
      return 0;
    }
    if (reader == null) {
      reader =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  streamsConfig.getString(StreamsAppConfig.KAFKA_BOOTSTRAP),
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed",
                  ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                  false),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
    }
    reader.assign(from.keySet());
    from.forEach(reader::seek);
    long records = 0;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (from.keySet().stream().anyMatch(p -> reader.position(p) < end.get(p))
        && System.nanoTime() < deadline) {
      records += reader.poll(Duration.ofMillis(200)).count();
    }
    // Still short of the end: an open transaction; count what is left as behind.
    for (TopicPartition p : from.keySet()) {
      records += Math.max(0, end.get(p) - reader.position(p));
    }
    return records;
  }

  public static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics)
      throws Exception {
    if (topics.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> latest =
        admin.describeTopics(topics).allTopicNames().get().values().stream()
            .flatMap(
                d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
            .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }
}
