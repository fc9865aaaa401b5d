package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Requests per channel and minute, read as every reader does: off the MINUTE rows of
 * channel-metrics that hold usage (the skeleton's own channel-requests-minute output is retired).
 */
class RequestsMinuteTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private final Topics topics = new Topics("");
  private TopologyHarness harness;
  private TopologyTestDriver driver;
  private TestInputTopic<String, UsageEvent> usage;
  private TestOutputTopic<String, ChannelWindowMetrics> metrics;
  private TestOutputTopic<String, QuarantinedEvent> quarantine;

  @BeforeEach
  void start() {
    harness = new TopologyHarness(topics, ChannelRegistry.builtIn(), "usage-metrics-test");
    driver = harness.driver;
    usage = harness.usage;
    metrics = harness.metrics;
    quarantine = harness.quarantine;
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  static UsageEvent usage(String eventId, String channel, Instant at, int requestCount) {
    return UsageEvent.newBuilder()
        .setEventId(eventId)
        .setEventTime(at)
        .setChannelId(channel)
        .setAccountId("acct-1")
        .setEndUserRef(null)
        .setModelId("m")
        .setRequestId("req-" + eventId)
        .setRequestCount(requestCount)
        .setInputTokens(10)
        .setOutputTokens(20)
        .setLatencyMs(100)
        .setOutcome(Outcome.SUCCESS)
        .setTelemetry(TelemetryLevel.METADATA)
        .build();
  }

  /**
   * Records reach Kafka later than they happened: windows must follow event_time, not the record
   * timestamp.
   */
  private void send(UsageEvent event) {
    usage.pipeInput(event.getEventId(), event, event.getEventTime().plus(Duration.ofDays(30)));
  }

  /**
   * The newest version of every MINUTE window with usage seen on channel-metrics, keyed
   * channel@windowStartMillis, once the changed windows were emitted.
   */
  private Map<String, ChannelWindowMetrics> latestRows() {
    // Partials and join batches ship on one emit, the join's partials on the next, the totals' rows
    // on the one after.
    for (int hop = 0; hop < 3; hop++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
    Map<String, ChannelWindowMetrics> rows = new java.util.TreeMap<>();
    metrics.readValuesToList().stream()
        .filter(row -> WindowSize.MINUTE.name().equals(row.getWindowSize().toString()))
        .filter(row -> row.getUsageEvents() > 0)
        .forEach(
            row ->
                rows.merge(
                    row.getChannelId() + "@" + row.getWindowStart().toEpochMilli(),
                    row,
                    (old, fresh) -> fresh.getVersion() >= old.getVersion() ? fresh : old));
    return rows;
  }

  @Test
  @DisplayName(
      "requests are the sum of request_count over distinct usage events, per channel per minute")
  void shouldSumRequestCountPerChannelPerMinute() {
    send(usage("a", "direct-api", T0.plusSeconds(1), 1));
    send(usage("b", "direct-api", T0.plusSeconds(59), 1));
    send(usage("c", "direct-api", T0.plusSeconds(60), 1));
    send(usage("d", "cloud-nimbus", T0.plusSeconds(5), 250)); // a partner's hourly aggregate

    Map<String, ChannelWindowMetrics> rows = latestRows();

    long minute0 = T0.toEpochMilli();
    long minute1 = T0.plusSeconds(60).toEpochMilli();
    assertThat(rows)
        .containsOnlyKeys(
            "direct-api@" + minute0, "direct-api@" + minute1, "cloud-nimbus@" + minute0);
    assertThat(rows.get("direct-api@" + minute0).getRequests()).isEqualTo(1 + 1);
    assertThat(rows.get("direct-api@" + minute1).getRequests()).isEqualTo(1);
    assertThat(rows.get("cloud-nimbus@" + minute0).getRequests()).isEqualTo(250);
    assertThat(rows.get("cloud-nimbus@" + minute0).getUsageEvents()).isEqualTo(1);
    assertThat(rows.get("direct-api@" + minute0).getWindowStart()).isEqualTo(T0);
  }

  @Test
  void shouldCountAnEventOnceWhenSentTwice() {
    UsageEvent event = usage("a", "direct-api", T0, 3);
    send(event);
    send(event);

    assertThat(latestRows().get("direct-api@" + T0.toEpochMilli()).getRequests()).isEqualTo(3);
    assertThat(quarantine.isEmpty()).isTrue();
  }

  @Test
  @DisplayName(
      "a copy keyed by something other than its event_id takes the detour by event_id and still"
          + " counts once")
  void shouldCountOnceACopyNotKeyedByItsEventId() {
    UsageEvent event = usage("a", "direct-api", T0, 3);
    send(event);
    usage.pipeInput(event.getChannelId(), event, event.getEventTime().plus(Duration.ofDays(30)));
    usage.pipeInput(
        event.getChannelId(), usage("a", "direct-api", T0, 7), T0.plus(Duration.ofDays(30)));

    assertThat(latestRows().get("direct-api@" + T0.toEpochMilli()).getRequests()).isEqualTo(3);
    assertThat(quarantine.readValue().getReason()).isEqualTo(QuarantineReason.CONFLICT);
    assertThat(quarantine.isEmpty()).isTrue();
  }

  @Test
  void shouldSetAsideTheSameEventIdWithADifferentPayloadAsAConflict() {
    send(usage("a", "direct-api", T0, 3));
    send(
        usage(
            "a",
            "consumer-app",
            T0,
            5)); // same id, other channel: lands on another partition upstream

    Map<String, ChannelWindowMetrics> rows = latestRows();
    assertThat(rows).containsOnlyKeys("direct-api@" + T0.toEpochMilli());
    assertThat(rows.get("direct-api@" + T0.toEpochMilli()).getRequests()).isEqualTo(3);
    QuarantinedEvent conflict = quarantine.readValue();
    assertThat(conflict.getEventId()).isEqualTo("a");
    assertThat(conflict.getReason()).isEqualTo(QuarantineReason.CONFLICT);
    assertThat(conflict.getChannelId()).isEqualTo("consumer-app");
    assertThat(
            AvroSerde.of(UsageEvent.class).decode(conflict.getPayload().array()).getRequestCount())
        .isEqualTo(5);
  }

  @Test
  void shouldUpdateTheWindowOfALateEventWithinSevenDays() {
    send(usage("now", "direct-api", T0.plus(Duration.ofDays(6)), 1));
    send(usage("late", "direct-api", T0, 4));

    Map<String, ChannelWindowMetrics> rows = latestRows();
    assertThat(rows.get("direct-api@" + T0.toEpochMilli()).getRequests()).isEqualTo(4);
    assertThat(quarantine.isEmpty()).isTrue();
  }

  @Test
  void shouldSetAsideAnEventMoreThanSevenDaysBehindStreamTime() {
    send(usage("now", "direct-api", T0.plus(Duration.ofDays(8)), 1));
    send(usage("too-late", "direct-api", T0, 4));

    assertThat(latestRows()).doesNotContainKey("direct-api@" + T0.toEpochMilli());
    QuarantinedEvent late = quarantine.readValue();
    assertThat(late.getEventId()).isEqualTo("too-late");
    assertThat(late.getReason()).isEqualTo(QuarantineReason.TOO_LATE);
    assertThat(late.getDetail())
        .contains("more than 7 days behind the newest usage event_time seen");
  }
}
