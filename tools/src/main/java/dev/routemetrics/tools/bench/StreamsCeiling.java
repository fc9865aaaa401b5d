package dev.routemetrics.tools.bench;

import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.streams.StreamsAppConfig;
import dev.routemetrics.tools.rebuild.Rebuild;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * What Kafka Streams itself costs here, on the same usage events and broker as the topology's
 * benchmark and with the streams app's own settings (exactly_once_v2, its commit interval and
 * threads): reading them and doing nothing, decoding them, and one or two RocksDB stores with
 * changelogs written per event, as the topology writes an event id and a request. The topology's
 * rate beside these says where its time goes: the floor of two store writes per event, and the
 * rest.
 */
public final class StreamsCeiling {

  /** What each run does per usage event. */
  public enum Work {
    NOTHING,
    DECODE,
    ONE_STORE,
    TWO_STORES
  }

  /** One run: the work, the records read, and the seconds from start to the last of them. */
  public record Row(Work work, long records, double seconds) {
    public String line() {
      return String.format(
          Locale.ROOT, "%s %d %.1f %.0f", work, records, seconds, records / seconds);
    }
  }

  /** A run that reads nothing new for this long has read all it will. */
  private static final java.time.Duration STALL = java.time.Duration.ofSeconds(60);

  private StreamsCeiling() {}

  /** Runs every kind of work once over the usage events of {@code namespace}. */
  public static List<Row> run(
      String namespace, int threads, Map<String, Object> overrides, PrintStream progress)
      throws Exception {
    Topics topics = new Topics(namespace);
    List<Row> rows = new ArrayList<>();
    for (Work work : Work.values()) {
      Map<String, Object> settings = new HashMap<>(overrides);
      settings.put(StreamsAppConfig.TOPIC_NAMESPACE, namespace);
      String id = "bench-ceiling-" + work.name().toLowerCase(Locale.ROOT) + "-" + System.nanoTime();
      settings.put(StreamsAppConfig.APPLICATION_ID, id);
      settings.put(
          StreamsAppConfig.STATE_DIR, Files.createTempDirectory("bench-ceiling").toString());
      if (threads > 0) {
        settings.put(StreamsAppConfig.THREADS, String.valueOf(threads));
      }
      StreamsAppConfig config = new StreamsAppConfig(settings);
      rows.add(runOne(work, topics.usageEvents, config, progress));
    }
    return rows;
  }

  private static Row runOne(Work work, String topic, StreamsAppConfig config, PrintStream progress)
      throws Exception {
    String bootstrap = config.getString(StreamsAppConfig.KAFKA_BOOTSTRAP);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      long records =
          Rebuild.endOffsets(admin, List.of(topic)).values().stream()
              .mapToLong(Long::longValue)
              .sum();
      AtomicLong seen = new AtomicLong();
      Properties props = config.streamsProperties();
      props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
      long started = System.nanoTime();
      long finished;
      try (KafkaStreams streams = new KafkaStreams(topology(work, topic, seen), props)) {
        streams.start();
        long last = -1;
        long lastChange = System.nanoTime();
        while (seen.get() < records) {
          if (streams.state() == KafkaStreams.State.ERROR) {
            throw new IllegalStateException("the " + work + " run failed");
          }
          if (seen.get() != last) {
            last = seen.get();
            lastChange = System.nanoTime();
          } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
            // End offsets count transaction markers too: a topic written transactionally never
            // yields as many records as its offsets say.
            throw new IllegalStateException(
                String.format(
                    Locale.ROOT,
                    "the %s run read %,d of %,d records and nothing more for %s",
                    work,
                    last,
                    records,
                    STALL));
          }
          Thread.sleep(20);
        }
        finished = System.nanoTime();
      }
      String id = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
      List<String> internal =
          admin.listTopics().names().get().stream().filter(t -> t.startsWith(id + "-")).toList();
      admin.deleteTopics(internal).all().get();
      Row row = new Row(work, records, (finished - started) / 1e9);
      progress.printf(Locale.ROOT, "ceiling: %s%n", row.line());
      return row;
    }
  }

  private static org.apache.kafka.streams.Topology topology(
      Work work, String topic, AtomicLong seen) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], byte[]> events =
        builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
    switch (work) {
      case NOTHING -> events.foreach((key, value) -> seen.incrementAndGet());
      case DECODE -> {
        AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class);
        events.foreach(
            (key, value) -> {
              serde.decode(value);
              seen.incrementAndGet();
            });
      }
      case ONE_STORE, TWO_STORES -> {
        String[] stores = work == Work.ONE_STORE ? new String[] {"a"} : new String[] {"a", "b"};
        for (String store : stores) {
          builder.addStateStore(
              Stores.keyValueStoreBuilder(
                  Stores.persistentKeyValueStore(store), Serdes.ByteArray(), Serdes.ByteArray()));
        }
        events.process(() -> new PutIfAbsent(stores, seen), stores);
      }
    }
    return builder.build();
  }

  /** A point read and, for a key not seen before, a write of 32 bytes, in every store given. */
  private static final class PutIfAbsent extends ContextualProcessor<byte[], byte[], Void, Void> {
    private final String[] names;
    private final AtomicLong seen;
    private final List<KeyValueStore<byte[], byte[]>> stores = new ArrayList<>();

    PutIfAbsent(String[] names, AtomicLong seen) {
      this.names = names;
      this.seen = seen;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      super.init(context);
      for (String name : names) {
        stores.add(context.getStateStore(name));
      }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      byte[] id = record.key() == null ? new byte[0] : record.key();
      for (int i = 0; i < stores.size(); i++) {
        // Another key per store, as the topology's event id and request id differ.
        byte[] key = Arrays.copyOf(id, id.length + 1);
        key[key.length - 1] = (byte) i;
        if (stores.get(i).get(key) == null) {
          stores.get(i).put(key, new byte[32]);
        }
      }
      seen.incrementAndGet();
    }
  }
}
