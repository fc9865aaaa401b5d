package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A record the topology does not count leaves both a log line naming it and a count by reason on
 * the meter /metrics serves, as Kafka's own shouldLogAndMeterWhenSkippingNullKey checks for its
 * skipped records: one without the other is a silent drop for whoever watches only one of them.
 */
class DroppedRecordsLoggedTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final DroppedRecords dropped = new DroppedRecords(meters);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, BillingEvent> billing;

  @BeforeEach
  void start() throws java.io.IOException {
    Topics topics = new Topics("");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dropped-records-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    // Not the machine-wide default state directory: another checkout's run may hold its lock.
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        java.nio.file.Files.createTempDirectory("dropped-records").toString());
    driver =
        new TopologyTestDriver(
            ChannelMetricsTopology.build(
                topics,
                new ChannelMetricsTopology.Settings(
                    ChannelMetricsTopologyTest.registry(),
                    Duration.ofDays(7),
                    Duration.ofSeconds(1),
                    dropped,
                    TopologyHarness.ONE_PARTITION)),
            props);
    billing =
        driver.createInputTopic(
            topics.billingEvents, new StringSerializer(), AvroSerde.of(BillingEvent.class));
    lines.start();
    for (Class<?> source : new Class<?>[] {LatenessGate.class, DeduplicateEvents.class}) {
      Logger logger = (Logger) LoggerFactory.getLogger(source);
      logger.setLevel(Level.DEBUG);
      logger.addAppender(lines);
    }
  }

  @AfterEach
  void stop() {
    for (Class<?> source : new Class<?>[] {LatenessGate.class, DeduplicateEvents.class}) {
      ((Logger) LoggerFactory.getLogger(source)).detachAppender(lines);
    }
    driver.close();
  }

  private void send(BillingEvent event) {
    billing.pipeInput(event.getEventId(), event, event.getEventTime().plus(Duration.ofDays(30)));
  }

  @Test
  void shouldLogAndMeterABillingEventTooLateToCount() {
    send(
        ChannelMetricsTopologyTest.charge(
                "now", "direct-api", T0.plus(Duration.ofDays(8)), "1.0000", "0.0000", "1.0000")
            .build());
    send(
        ChannelMetricsTopologyTest.charge("old", "direct-api", T0, "1.0000", "0.0000", "1.0000")
            .build());

    assertThat(lines.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .singleElement()
        .asString()
        .contains("event old")
        .contains("too late");
    assertThat(dropped.total(DroppedRecords.TOO_LATE)).isEqualTo(1);
    assertThat(
            meters
                .get("routemetrics.streams.records.dropped")
                .tag("reason", DroppedRecords.TOO_LATE)
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void shouldLogAndMeterAnIdenticalCopyCountedOnce() {
    BillingEvent charge =
        ChannelMetricsTopologyTest.charge("twice", "direct-api", T0, "1.0000", "0.0000", "1.0000")
            .build();
    send(charge);
    send(charge);

    assertThat(lines.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .filteredOn(m -> m.contains("twice"))
        .singleElement()
        .asString()
        .contains("copy of one counted already");
    assertThat(dropped.total(DroppedRecords.DUPLICATE)).isEqualTo(1);
    assertThat(
            meters
                .get("routemetrics.streams.records.dropped")
                .tag("reason", DroppedRecords.DUPLICATE)
                .counter()
                .count())
        .isEqualTo(1.0);
  }
}
