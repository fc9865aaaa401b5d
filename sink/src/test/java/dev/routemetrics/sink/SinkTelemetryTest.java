package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkTelemetryTest {

  /** A clock the test moves by hand. */
  static final class HandClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final HandClock clock = new HandClock();
  private final SinkTelemetry telemetry = new SinkTelemetry("ns.", Duration.ofSeconds(60), clock);
  private final SinkTelemetry.Topic meters = telemetry.topic("ns.usage-events", "db.usage_events");

  private SinkTelemetry.TopicStatus status() {
    return telemetry.status().get(0);
  }

  @Test
  void shouldSayStalledOnlyOnceTheLagStayedAboveZeroWithoutACommitForLongerThanTheStallTime() {
    meters.lag(120);
    clock.advance(Duration.ofSeconds(60));
    assertThat(status().state()).as("60 s of 60: not longer yet").isEqualTo(SinkTelemetry.State.UP);
    clock.advance(Duration.ofSeconds(1));
    assertThat(status().state()).isEqualTo(SinkTelemetry.State.STALLED);
    assertThat(status().secondsWithoutProgress()).isEqualTo(61.0);

    meters.committed(100);
    assertThat(status().state()).as("a commit is progress").isEqualTo(SinkTelemetry.State.UP);
    clock.advance(Duration.ofSeconds(61));
    assertThat(status().state()).isEqualTo(SinkTelemetry.State.STALLED);

    meters.lag(0);
    assertThat(status().state())
        .as("nothing owed is never stalled")
        .isEqualTo(SinkTelemetry.State.UP);
  }

  @Test
  void shouldSayBackingOffWhileWaitingAndDownOnceTheWorkerStoppedOnAnError() {
    meters.backoff(Duration.ofMillis(400));
    assertThat(status().state()).isEqualTo(SinkTelemetry.State.BACKING_OFF);
    meters.failed(new IllegalStateException("a bug"));
    assertThat(status().state()).isEqualTo(SinkTelemetry.State.DOWN);
    assertThat(status().error()).isEqualTo("java.lang.IllegalStateException: a bug");
    assertThat(telemetry.scrape())
        .contains("routemetrics_sink_worker_up{topic=\"ns.usage-events\"} 0.0");
  }

  @Test
  void shouldCountRejectedRecordsPerReasonAndShowEveryReasonFromTheStart() {
    assertThat(telemetry.scrape())
        .contains(
            "routemetrics_sink_records_rejected_total{reason=\"refused-by-clickhouse\",topic=\"ns.usage-events\"}"
                + " 0.0");
    meters.rejected(Rejection.Reason.UNDECODABLE);
    meters.rejected(Rejection.Reason.UNDECODABLE);
    meters.rejected(Rejection.Reason.REFUSED);
    assertThat(status().rejected())
        .isEqualTo(Map.of("undecodable", 2L, "out-of-range", 0L, "refused-by-clickhouse", 1L));
    assertThat(status().recordsRejected()).isEqualTo(3);
    assertThat(telemetry.scrape())
        .contains(
            "routemetrics_sink_records_rejected_total{reason=\"undecodable\",topic=\"ns.usage-events\"}"
                + " 2.0");
  }

  @Test
  void shouldNameTheServiceItsNamespaceAndPidAndTheWorstTopicStateInHealth() {
    SinkTelemetry.Topic other = telemetry.topic("ns.billing-events", "db.billing_events");
    other.lag(5);
    clock.advance(Duration.ofSeconds(90));
    meters.backoff(Duration.ofMillis(200));
    Map<String, Object> health = SinkHttp.health(telemetry.namespace(), telemetry.status());
    assertThat(health)
        .containsEntry("service", "sink")
        .containsEntry("namespace", "ns.")
        .containsEntry("pid", ProcessHandle.current().pid())
        .containsEntry("status", "STALLED")
        .containsEntry("lagRecords", 5L);
    assertThat(SinkHttp.health("", List.of())).containsEntry("status", "UP");
  }

  @Test
  void shouldReportTheLagMeasuredWhenAskedNotTheWorkersLastFetch() {
    // The worker's last fetch saw nothing unread; the broker, asked now, has 7 records after the
    // group's commit.
    meters.lag(0);
    meters.pending(3);
    telemetry.measureLagWith(() -> Map.of("ns.usage-events", 7L));
    assertThat(status().lagRecords()).isEqualTo(7L);
    assertThat(status().pendingRecords()).isEqualTo(3L);
    assertThat(SinkHttp.health(telemetry.namespace(), telemetry.status()))
        .containsEntry("lagRecords", 7L)
        .containsEntry("pendingRecords", 3L);
  }

  @Test
  void shouldSayTheLagIsUnknownWhenKafkaDoesNotAnswerNotZero() {
    telemetry.measureLagWith(
        () -> {
          throw new java.util.concurrent.TimeoutException("no broker");
        });
    assertThat(status().lagRecords()).isNull();
    assertThat(status().lagError())
        .isEqualTo("could not measure the lag: java.util.concurrent.TimeoutException: no broker");
    assertThat(SinkHttp.health(telemetry.namespace(), telemetry.status()))
        .containsEntry("lagRecords", null);
  }
}
