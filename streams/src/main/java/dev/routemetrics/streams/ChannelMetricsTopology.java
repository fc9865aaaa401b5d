package dev.routemetrics.streams;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The event topics to reach, control and learning metrics per channel and window.
 *
 * <pre>
 * for each family (usage, billing, feedback), keyed by event_id on its topic (as the edge writes it):
 *   bounds ----out of bounds----> quarantined-events
 *   -> dedupe ----conflict----> quarantined-events
 *   -> lateness gate (same task) ----too late----> quarantined-events
 *
 * usage + feedback -> fold before the shuffle (same task): partial tallies of the channel's windows
 *   |                 (reach; feedback received by its own time), shipped every emit interval
 *   |-- partials, keyed channel|SIZE|start ------------------------------> merge into totals -> channel-metrics
 *   `-- join entries (what the join needs), keyed request_id -> coverage join: feedback about a request
 *        counts in the request's windows -> partial tallies (learning) -> merge into totals
 * billing -> fold before the shuffle: partial revenue per window and currency -> merge -> channel-revenue
 * </pre>
 *
 * <p>Many events of one window between two emits cross the repartition as one partial tally, so a
 * usage event costs about three broker writes (its seen-id, its join entry, the join's request
 * entry) instead of seven, and a burst of late events into an old window one read-modify-write of
 * its total per partial. A record whose key is not its event_id (a producer other than ours) takes
 * a detour by event_id into the same deduplication task, so copies of an id always meet.
 *
 * <p>Rows on channel-metrics and channel-revenue are re-emitted with a higher version whenever
 * their window changes (late events, late feedback); the newest version is the truth. Ratios across
 * channels are left to the queries.
 */
public final class ChannelMetricsTopology {

  public static final String SEEN_USAGE_STORE = "seen-usage-event-ids";
  public static final String SEEN_BILLING_STORE = "seen-billing-event-ids";
  public static final String SEEN_FEEDBACK_STORE = "seen-feedback-event-ids";
  public static final String USAGE_GATE_STORE = "usage-lateness-gate";
  public static final String BILLING_GATE_STORE = "billing-lateness-gate";
  public static final String FEEDBACK_GATE_STORE = "feedback-lateness-gate";
  public static final String USAGE_PARTIALS_STORE = "usage-partials";
  public static final String REVENUE_PARTIALS_STORE = "revenue-partials";
  public static final String JOIN_BATCHES_STORE = "join-batches";
  public static final String REQUESTS_STORE = "requests-by-id";
  public static final String EARLY_FEEDBACK_STORE = "early-feedback";
  public static final String LEARNING_PARTIALS_STORE = "learning-partials";
  public static final String CHANNEL_WINDOWS_STORE = "channel-window-totals";
  public static final String CHANNEL_WINDOWS_DIRTY_STORE = "channel-window-totals-dirty";
  public static final String CHANNEL_WINDOWS_EXPIRY_STORE = "channel-window-totals-expiry";
  public static final String REVENUE_WINDOWS_STORE = "revenue-window-totals";
  public static final String REVENUE_WINDOWS_DIRTY_STORE = "revenue-window-totals-dirty";
  public static final String REVENUE_WINDOWS_EXPIRY_STORE = "revenue-window-totals-expiry";

  /** Feedback covers a request when it comes within this long of it (docs/domain.md). */
  public static final Duration FEEDBACK_HORIZON = Duration.ofDays(7);

  /** Kept past every bound, so nothing the gate lets through finds its state forgotten. */
  static final Duration RETENTION_MARGIN = Duration.ofDays(1);

  /** Live objects per tally store and task, while a day's busy windows stay live. */
  static final int LIVE_OBJECTS_PER_STORE = 4096;

  /**
   * Heap the live channel-window totals of one task may take, by their own size estimate. A count
   * alone did not bound it: at 10M events a day, 2,344 live tallies held 260 MB of Theta tables and
   * the streams app ran out of a 512 MiB heap. In-order traffic keeps a few dozen windows busy; the
   * rest are read back from RocksDB when a late partial needs them.
   */
  static final long LIVE_TALLY_BYTES = 32L << 20;

  /**
   * What the topology needs to know besides the topic names: the registry, the lateness bound, how
   * often partials ship and windows emit, where dropped records are counted, and the partition
   * count of the shuffles to the coverage join and to the window totals. Reach and learning
   * partials of one window must meet in one task, so both their topics get this count whatever the
   * event topics have (left to Kafka Streams, they took the event topics' and the join's counts,
   * and a window had two totals). Fixed once the topics exist.
   */
  public record Settings(
      ChannelRegistry registry,
      Duration lateness,
      Duration emitInterval,
      DroppedRecords dropped,
      int shufflePartitions) {

    public Settings {
      if (shufflePartitions < 1) {
        throw new IllegalArgumentException(
            "shuffle partitions must be at least 1, not " + shufflePartitions);
      }
    }
  }

  private ChannelMetricsTopology() {}

  public static Topology build(Topics topics, Settings settings) {
    Serde<String> keys = Serdes.String();
    AvroSerde<UsageEvent> usageSerde = AvroSerde.of(UsageEvent.class);
    AvroSerde<BillingEvent> billingSerde = AvroSerde.of(BillingEvent.class);
    AvroSerde<FeedbackEvent> feedbackSerde = AvroSerde.of(FeedbackEvent.class);
    AvroSerde<QuarantinedEvent> quarantineSerde = AvroSerde.of(QuarantinedEvent.class);
    AvroSerde<ChannelWindowMetrics> metricsSerde = AvroSerde.of(ChannelWindowMetrics.class);
    AvroSerde<ChannelWindowRevenue> revenueSerde = AvroSerde.of(ChannelWindowRevenue.class);
    Duration lateness = settings.lateness();
    Duration emit = settings.emitInterval();
    DroppedRecords dropped = settings.dropped();
    Duration metricsRetention = FEEDBACK_HORIZON.plus(lateness).plus(RETENTION_MARGIN);
    Duration revenueRetention = lateness.plus(RETENTION_MARGIN);
    // Changelogs of window stores keep their records (retention -1): their records carry event
    // time, and the broker's default deletes those older than the store's retention by the wall
    // clock, so a replay or rebuild of days further back lost entries before a restart could
    // restore them (ChannelMetricsIT's restart case, once its fixed day was 9 days past). The
    // stores themselves still drop whole segments by event time.
    Map<String, String> keepRecords = Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1");

    StreamsBuilder builder = new StreamsBuilder();
    for (String seen : new String[] {SEEN_USAGE_STORE, SEEN_BILLING_STORE, SEEN_FEEDBACK_STORE}) {
      builder.addStateStore(
          Stores.windowStoreBuilder(
                  Stores.persistentWindowStore(
                      seen, lateness.plus(RETENTION_MARGIN), Duration.ofMillis(1), false),
                  keys,
                  Serdes.ByteArray())
              .withLoggingEnabled(keepRecords));
    }
    builder.addStateStore(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(
                    REQUESTS_STORE, metricsRetention, Duration.ofMillis(1), false),
                keys,
                Serdes.ByteArray())
            .withLoggingEnabled(keepRecords));
    // As long as the requests': a window store forgets by the newest time it was given, and
    // feedback
    // is dated up to the horizon (and past it) after its request, so with the lateness bound alone
    // the
    // early feedback of a backlog was forgotten before its request came (ChannelMetricsIT's 100k
    // run
    // counted half the feedback about requests).
    builder.addStateStore(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(
                    EARLY_FEEDBACK_STORE, metricsRetention, Duration.ofMillis(1), false),
                keys,
                Serdes.ByteArray())
            .withLoggingEnabled(keepRecords));
    for (String gate : new String[] {USAGE_GATE_STORE, BILLING_GATE_STORE, FEEDBACK_GATE_STORE}) {
      addKeyValueStore(builder, Stores.inMemoryKeyValueStore(gate), Serdes.Long());
    }
    addLiveObjectStore(
        builder,
        Stores.inMemoryKeyValueStore(USAGE_PARTIALS_STORE),
        ChannelWindowTally.SERDE,
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addLiveObjectStore(
        builder,
        Stores.inMemoryKeyValueStore(LEARNING_PARTIALS_STORE),
        ChannelWindowTally.SERDE,
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addLiveObjectStore(
        builder,
        Stores.inMemoryKeyValueStore(JOIN_BATCHES_STORE),
        JoinBatch.SERDE,
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addLiveObjectStore(
        builder,
        Stores.inMemoryKeyValueStore(REVENUE_PARTIALS_STORE),
        RevenueTally.SERDE,
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addLiveObjectStore(
        builder,
        Stores.persistentKeyValueStore(CHANNEL_WINDOWS_STORE),
        ChannelWindowTally.SERDE,
        new LiveObjectStore.Budget<>(
            LIVE_OBJECTS_PER_STORE, LIVE_TALLY_BYTES, ChannelWindowTally::footprintBytes));
    addLiveObjectStore(
        builder,
        Stores.inMemoryKeyValueStore(CHANNEL_WINDOWS_DIRTY_STORE),
        Serdes.Long(),
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addKeyValueStore(
        builder, Stores.persistentKeyValueStore(CHANNEL_WINDOWS_EXPIRY_STORE), Serdes.String());
    addLiveObjectStore(
        builder,
        Stores.persistentKeyValueStore(REVENUE_WINDOWS_STORE),
        RevenueTally.SERDE,
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addLiveObjectStore(
        builder,
        Stores.inMemoryKeyValueStore(REVENUE_WINDOWS_DIRTY_STORE),
        Serdes.Long(),
        LiveObjectStore.Budget.objects(LIVE_OBJECTS_PER_STORE));
    addKeyValueStore(
        builder, Stores.persistentKeyValueStore(REVENUE_WINDOWS_EXPIRY_STORE), Serdes.String());

    KStream<String, UsageEvent> usage =
        distinctAndInTime(
            builder,
            "usage",
            "USAGE",
            topics.usageEvents,
            usageSerde,
            UsageEvent::getEventId,
            UsageEvent::getChannelId,
            EventChecks::usage,
            UsageEvent::getEventTime,
            SEEN_USAGE_STORE,
            USAGE_GATE_STORE,
            lateness,
            topics,
            quarantineSerde,
            dropped);
    KStream<String, BillingEvent> billing =
        distinctAndInTime(
            builder,
            "billing",
            "BILLING",
            topics.billingEvents,
            billingSerde,
            BillingEvent::getEventId,
            BillingEvent::getChannelId,
            EventChecks::billing,
            BillingEvent::getEventTime,
            SEEN_BILLING_STORE,
            BILLING_GATE_STORE,
            lateness,
            topics,
            quarantineSerde,
            dropped);
    KStream<String, FeedbackEvent> feedback =
        distinctAndInTime(
            builder,
            "feedback",
            "FEEDBACK",
            topics.feedbackEvents,
            feedbackSerde,
            FeedbackEvent::getEventId,
            FeedbackEvent::getChannelId,
            EventChecks::feedback,
            FeedbackEvent::getEventTime,
            SEEN_FEEDBACK_STORE,
            FEEDBACK_GATE_STORE,
            lateness,
            topics,
            quarantineSerde,
            dropped);

    Map<String, KStream<String, Shuffled>> shuffled =
        usage
            .mapValues(
                event -> (Contribution) new Contribution.Usage(event),
                Named.as("usage-contribution"))
            .merge(
                feedback.mapValues(
                    event -> (Contribution) new Contribution.Feedback(event),
                    Named.as("feedback-contribution")),
                Named.as("usage-and-feedback"))
            .process(
                () -> new FoldBeforeShuffle(emit, settings.shufflePartitions()),
                Named.as("fold-before-shuffle"),
                USAGE_PARTIALS_STORE,
                JOIN_BATCHES_STORE)
            .split(Named.as("shuffled-"))
            .branch((key, value) -> value instanceof Shuffled.Partial, Branched.as("partials"))
            .defaultBranch(Branched.as("join-batches"));
    KStream<String, ChannelWindowTally> usagePartials =
        shuffled
            .get("shuffled-partials")
            .mapValues(value -> ((Shuffled.Partial) value).tally(), Named.as("partial-tally"))
            .repartition(
                Repartitioned.with(keys, ChannelWindowTally.SERDE)
                    .withNumberOfPartitions(settings.shufflePartitions())
                    .withName("partials-by-window"));
    KStream<String, ChannelWindowTally> learningPartials =
        shuffled
            .get("shuffled-join-batches")
            .mapValues(value -> ((Shuffled.Join) value).batch(), Named.as("join-batch"))
            .repartition(
                Repartitioned.with(keys, JoinBatch.SERDE)
                    .withStreamPartitioner(JoinBatch.PARTITIONER)
                    .withNumberOfPartitions(settings.shufflePartitions())
                    .withName("join-batches-by-partition"))
            .process(
                () -> new JoinFeedbackToRequests(FEEDBACK_HORIZON, emit, dropped),
                Named.as("join-feedback-to-requests"),
                REQUESTS_STORE,
                EARLY_FEEDBACK_STORE,
                LEARNING_PARTIALS_STORE)
            .repartition(
                Repartitioned.with(keys, ChannelWindowTally.SERDE)
                    .withNumberOfPartitions(settings.shufflePartitions())
                    .withName("learning-partials-by-window"));

    KStream<String, ChannelWindowMetrics> metrics =
        usagePartials
            .merge(learningPartials, Named.as("reach-and-learning-partials"))
            .process(
                () -> new FoldChannelWindows(settings.registry(), emit, metricsRetention, dropped),
                Named.as("fold-channel-windows"),
                CHANNEL_WINDOWS_STORE,
                CHANNEL_WINDOWS_DIRTY_STORE,
                CHANNEL_WINDOWS_EXPIRY_STORE);
    metrics.to(
        topics.channelMetrics, Produced.with(keys, metricsSerde).withName("channel-metrics"));

    billing
        .process(
            () -> new FoldBillingBeforeShuffle(emit),
            Named.as("fold-billing-before-shuffle"),
            REVENUE_PARTIALS_STORE)
        .repartition(
            Repartitioned.with(keys, RevenueTally.SERDE).withName("revenue-partials-by-window"))
        .process(
            () -> new FoldRevenueWindows(settings.registry(), emit, revenueRetention, dropped),
            Named.as("fold-revenue-windows"),
            REVENUE_WINDOWS_STORE,
            REVENUE_WINDOWS_DIRTY_STORE,
            REVENUE_WINDOWS_EXPIRY_STORE)
        .to(topics.channelRevenue, Produced.with(keys, revenueSerde).withName("channel-revenue"));

    return builder.build();
  }

  /**
   * Every store is changelogged, so under exactly-once it commits with the input offsets and comes
   * back after a restart. Caching folds the many updates of one key between commits into one
   * changelog record (a busy DAY window changes with every event). The dirty marks are put and
   * deleted all the time and scanned whole: in memory (restored from their changelog), since a
   * RocksDB scan would wade through the tombstones.
   */
  private static <V> void addKeyValueStore(
      StreamsBuilder builder, KeyValueBytesStoreSupplier store, Serde<V> values) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(store, Serdes.String(), values).withCachingEnabled());
  }

  /**
   * Tallies and join state are read, changed and written back for every event: kept as live objects
   * (see {@link LiveObjectStore}), encoded once per commit instead of once per event. Kafka's byte
   * cache below would only hold a second copy.
   */
  private static <V> void addLiveObjectStore(
      StreamsBuilder builder,
      KeyValueBytesStoreSupplier store,
      Serde<V> values,
      LiveObjectStore.Budget<V> budget) {
    builder.addStateStore(
        LiveObjectStore.builder(
            Stores.keyValueStoreBuilder(store, Serdes.String(), values), budget));
  }

  /**
   * Distinct, accepted events of one family, keyed by event_id: the same id twice counts once; the
   * same id with another payload, events older than the lateness bound and events out of bounds go
   * to quarantined-events.
   */
  private static <V extends SpecificRecord> KStream<String, V> distinctAndInTime(
      StreamsBuilder builder,
      String name,
      String family,
      String topic,
      AvroSerde<V> serde,
      Function<V, String> idOf,
      Function<V, String> channelOf,
      Function<V, String> outOfBounds,
      Function<V, Instant> timeOf,
      String seenStore,
      String gateStore,
      Duration lateness,
      Topics topics,
      Serde<QuarantinedEvent> quarantineSerde,
      DroppedRecords dropped) {
    Serde<String> keys = Serdes.String();
    Map<String, KStream<String, V>> byKey =
        builder.stream(
                topic,
                Consumed.with(keys, serde)
                    .withTimestampExtractor(new EventTime())
                    .withName(name + "-events"))
            .split(Named.as(name + "-key-"))
            .branch((key, event) -> idOf.apply(event).equals(key), Branched.as("is-event-id"))
            .defaultBranch(Branched.as("other"));
    // Same partition count as the topic and the same partitioner: an id re-keyed here lands in the
    // task its correctly keyed copies go to.
    KStream<String, V> rekeyed =
        byKey
            .get(name + "-key-other")
            .selectKey((key, event) -> idOf.apply(event), Named.as(name + "-key-by-event-id"))
            .repartition(Repartitioned.with(keys, serde).withName(name + "-by-event-id"));
    KStream<String, Routed<V>> checked =
        byKey
            .get(name + "-key-is-event-id")
            .merge(rekeyed, Named.as(name + "-all-by-event-id"))
            .processValues(
                () ->
                    new CheckBounds<>(
                        family,
                        outOfBounds,
                        timeOf,
                        serde::encode,
                        idOf,
                        channelOf,
                        dropped,
                        System::currentTimeMillis),
                Named.as(name + "-check-bounds"));
    KStream<String, Routed<V>> deduplicated =
        countedOrQuarantined(checked, name + "-bounds", topics, quarantineSerde)
            .process(
                () -> new DeduplicateEvents<>(seenStore, family, serde::encode, channelOf, dropped),
                Named.as(name + "-deduplicate"),
                seenStore);
    KStream<String, Routed<V>> gated =
        countedOrQuarantined(deduplicated, name + "-dedupe", topics, quarantineSerde)
            .processValues(
                () ->
                    new LatenessGate<>(
                        lateness, family, gateStore, serde::encode, idOf, channelOf, dropped),
                Named.as(name + "-lateness-gate"),
                gateStore);
    return countedOrQuarantined(gated, name + "-lateness", topics, quarantineSerde);
  }

  /** Sends the quarantined branch to its topic and returns the events that go on to be counted. */
  private static <V> KStream<String, V> countedOrQuarantined(
      KStream<String, Routed<V>> routed,
      String stage,
      Topics topics,
      Serde<QuarantinedEvent> quarantineSerde) {
    Map<String, KStream<String, Routed<V>>> branches =
        routed
            .split(Named.as(stage + "-"))
            .branch((key, value) -> value.isQuarantined(), Branched.as("quarantined"))
            .defaultBranch(Branched.as("counted"));
    branches
        .get(stage + "-quarantined")
        .map(
            (key, value) -> KeyValue.pair(value.quarantined().getEventId(), value.quarantined()),
            Named.as(stage + "-quarantine-record"))
        .to(
            topics.quarantinedEvents,
            Produced.with(Serdes.String(), quarantineSerde).withName(stage + "-quarantine"));
    return branches.get(stage + "-counted").mapValues(Routed::event, Named.as(stage + "-unwrap"));
  }
}
