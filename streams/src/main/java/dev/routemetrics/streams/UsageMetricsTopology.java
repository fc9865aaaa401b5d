package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowRequests;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Usage events to requests per channel per minute.
 *
 * <pre>
 * usage-events (key channel) -> re-key by event_id -> dedupe ----conflict----> quarantined-events
 *   -> re-key by channel -> lateness gate ----too late----> quarantined-events
 *   -> 1-minute windows (grace = lateness + 1 h) -> channel-requests-minute (newest version wins)
 * </pre>
 */
public final class UsageMetricsTopology {

  public static final String SEEN_USAGE_STORE = "seen-usage-event-ids";
  public static final String REQUESTS_MINUTE_STORE = "channel-requests-minute-store";
  public static final String WINDOW_MINUTE = "MINUTE";

  /** Keeps the windows open a little past the gate, so nothing the gate lets through is dropped. */
  private static final Duration GRACE_MARGIN = Duration.ofHours(1);

  private UsageMetricsTopology() {}

  public static Topology build(Topics topics, Duration lateness) {
    AvroSerde<UsageEvent> usageSerde = AvroSerde.of(UsageEvent.class);
    AvroSerde<QuarantinedEvent> quarantineSerde = AvroSerde.of(QuarantinedEvent.class);
    AvroSerde<ChannelWindowRequests> requestsSerde = AvroSerde.of(ChannelWindowRequests.class);
    Serde<String> keys = Serdes.String();

    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(SEEN_USAGE_STORE), keys, Serdes.ByteArray()));

    KStream<String, Routed<UsageEvent>> deduplicated = builder
        .stream(topics.usageEvents, Consumed.with(keys, usageSerde).withTimestampExtractor(new EventTime()).withName("usage-events"))
        .selectKey((channel, event) -> event.getEventId(), Named.as("key-by-event-id"))
        .repartition(Repartitioned.with(keys, usageSerde).withName("usage-by-event-id"))
        .process(() -> new DeduplicateEvents<>(SEEN_USAGE_STORE, "USAGE", usageSerde::encode, UsageEvent::getChannelId),
            Named.as("deduplicate-usage"), SEEN_USAGE_STORE);

    KStream<String, UsageEvent> distinct = countedOrQuarantined(deduplicated, "dedupe", topics, quarantineSerde);

    KStream<String, Routed<UsageEvent>> gated = distinct
        .selectKey((eventId, event) -> event.getChannelId(), Named.as("key-by-channel"))
        .repartition(Repartitioned.with(keys, usageSerde).withName("usage-by-channel"))
        .process(() -> new LatenessGate<>(lateness, "USAGE", usageSerde::encode, UsageEvent::getEventId),
            Named.as("lateness-gate"));

    countedOrQuarantined(gated, "lateness", topics, quarantineSerde)
        .groupByKey(Grouped.with("usage-by-channel-grouped", keys, usageSerde))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), lateness.plus(GRACE_MARGIN)))
        .aggregate(UsageMetricsTopology::emptyTally,
            (channel, event, tally) -> add(tally, event),
            Named.as("count-requests-minute"),
            Materialized.<String, ChannelWindowRequests, WindowStore<Bytes, byte[]>>as(REQUESTS_MINUTE_STORE)
                .withKeySerde(keys).withValueSerde(requestsSerde))
        .toStream(Named.as("requests-minute-updates"))
        .map((window, tally) -> KeyValue.pair(
                window.key() + "@" + window.window().start(),
                ChannelWindowRequests.newBuilder(tally)
                    .setChannelId(window.key())
                    .setWindowStart(Instant.ofEpochMilli(window.window().start()))
                    .build()),
            Named.as("label-window"))
        .to(topics.channelRequestsMinute, Produced.with(keys, requestsSerde).withName("channel-requests-minute"));

    return builder.build();
  }

  /** Sends the quarantined branch to its topic and returns the events that go on to be counted. */
  private static <V> KStream<String, V> countedOrQuarantined(
      KStream<String, Routed<V>> routed, String stage, Topics topics, Serde<QuarantinedEvent> quarantineSerde) {
    Map<String, KStream<String, Routed<V>>> branches = routed.split(Named.as(stage + "-"))
        .branch((key, value) -> value.isQuarantined(), Branched.as("quarantined"))
        .defaultBranch(Branched.as("counted"));
    branches.get(stage + "-quarantined")
        .map((key, value) -> KeyValue.pair(value.quarantined().getEventId(), value.quarantined()),
            Named.as(stage + "-quarantine-record"))
        .to(topics.quarantinedEvents, Produced.with(Serdes.String(), quarantineSerde).withName(stage + "-quarantine"));
    return branches.get(stage + "-counted").mapValues(Routed::event, Named.as(stage + "-unwrap"));
  }

  private static ChannelWindowRequests emptyTally() {
    return ChannelWindowRequests.newBuilder()
        .setChannelId("")
        .setWindowStart(Instant.EPOCH)
        .setWindowSize(WINDOW_MINUTE)
        .setRequests(0)
        .setUsageEvents(0)
        .setVersion(0)
        .build();
  }

  private static ChannelWindowRequests add(ChannelWindowRequests tally, UsageEvent event) {
    tally.setRequests(tally.getRequests() + event.getRequestCount());
    tally.setUsageEvents(tally.getUsageEvents() + 1);
    // Events only ever add to a window, so the count of events folded in is a version that grows.
    tally.setVersion(tally.getUsageEvents());
    return tally;
  }
}
