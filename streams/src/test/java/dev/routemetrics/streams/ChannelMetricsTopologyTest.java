package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelChange;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ControlOwner;
import dev.routemetrics.schemas.registry.ControlPoint;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChannelMetricsTopologyTest {

  private static final Instant DAY = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  /** The registry's second version gives the lab one more control point of direct-api from noon. */
  private static final Instant NOON = Instant.parse("2026-11-01T12:00:00Z");

  private static final String DIRECT = "direct-api";
  private static final String CLOUD = "cloud-nimbus";

  private final Topics topics = new Topics("");
  private TopologyHarness harness;
  private TopologyTestDriver driver;
  private TestInputTopic<String, UsageEvent> usage;
  private TestInputTopic<String, BillingEvent> billing;
  private TestInputTopic<String, FeedbackEvent> feedback;
  private TestOutputTopic<String, ChannelWindowMetrics> metrics;
  private TestOutputTopic<String, ChannelWindowRevenue> revenue;
  private TestOutputTopic<String, QuarantinedEvent> quarantine;
  private final Map<String, ChannelWindowMetrics> metricRows = new TreeMap<>();
  private final Map<String, ChannelWindowRevenue> revenueRows = new TreeMap<>();

  static ChannelRegistry registry() {
    Channel directV1 = new Channel(DIRECT, Route.DIRECT_API, null, BigDecimal.ZERO, control(4));
    Channel directV2 = new Channel(DIRECT, Route.DIRECT_API, null, BigDecimal.ZERO, control(5));
    Channel cloud =
        new Channel(CLOUD, Route.CLOUD_PARTNER, "nimbus", new BigDecimal("0.20"), control(1));
    return ChannelRegistry.of(
        List.of(
            new ChannelChange(1, Instant.parse("2026-01-01T00:00:00Z"), directV1, false),
            new ChannelChange(1, Instant.parse("2026-01-01T00:00:00Z"), cloud, false),
            new ChannelChange(2, NOON, directV2, false)));
  }

  /** The first {@code labOwned} control points owned by the lab, the rest by the partner. */
  private static Map<ControlPoint, ControlOwner> control(int labOwned) {
    Map<ControlPoint, ControlOwner> owners = new EnumMap<>(ControlPoint.class);
    int n = 0;
    for (ControlPoint point : ControlPoint.values()) {
      owners.put(point, n++ < labOwned ? ControlOwner.LAB : ControlOwner.PARTNER);
    }
    return owners;
  }

  @BeforeEach
  void start() {
    harness = new TopologyHarness(topics, registry(), "channel-metrics-test");
    driver = harness.driver;
    usage = harness.usage;
    billing = harness.billing;
    feedback = harness.feedback;
    metrics = harness.metrics;
    revenue = harness.revenue;
    quarantine = harness.quarantine;
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  // ---- events ----

  static UsageEvent.Builder request(String eventId, String channel, Instant at) {
    return UsageEvent.newBuilder()
        .setEventId(eventId)
        .setEventTime(at)
        .setChannelId(channel)
        .setAccountId("acct-1")
        .setEndUserRef(null)
        .setModelId("m")
        .setRequestId("req-" + eventId)
        .setRequestCount(1)
        .setInputTokens(10)
        .setOutputTokens(20)
        .setLatencyMs(100)
        .setOutcome(Outcome.SUCCESS)
        .setTelemetry(TelemetryLevel.METADATA);
  }

  static FeedbackEvent.Builder thumbsUp(
      String eventId, String channel, Instant at, String requestId) {
    return FeedbackEvent.newBuilder()
        .setEventId(eventId)
        .setEventTime(at)
        .setChannelId(channel)
        .setAccountId("acct-1")
        .setEndUserRef(null)
        .setModelId("m")
        .setFeedbackId("fb-" + eventId)
        .setRequestId(requestId)
        .setKind(FeedbackKind.THUMBS_UP)
        .setScore(null)
        .setTrainable(false)
        .setSource(FeedbackSource.END_USER);
  }

  static BillingEvent.Builder charge(
      String eventId, String channel, Instant at, String gross, String fee, String net) {
    return BillingEvent.newBuilder()
        .setEventId(eventId)
        .setEventTime(at)
        .setChannelId(channel)
        .setAccountId("acct-1")
        .setEndUserRef(null)
        .setModelId("*")
        .setBillingId("inv-" + eventId)
        .setKind(BillingKind.CHARGE)
        .setBilledBy(BilledBy.LAB)
        .setCurrency("USD")
        .setGrossAmount(gross == null ? null : new BigDecimal(gross))
        .setPartnerFee(new BigDecimal(fee))
        .setNetAmount(new BigDecimal(net))
        .setPeriodStart(at.minus(Duration.ofHours(1)))
        .setPeriodEnd(at)
        .setReportedRequestCount(null);
  }

  /**
   * Records reach Kafka later than they happened: windows must follow event_time, not the record
   * timestamp.
   */
  private void send(UsageEvent.Builder event) {
    UsageEvent e = event.build();
    usage.pipeInput(e.getEventId(), e, e.getEventTime().plus(Duration.ofDays(30)));
  }

  private void send(FeedbackEvent.Builder event) {
    FeedbackEvent e = event.build();
    feedback.pipeInput(e.getEventId(), e, e.getEventTime().plus(Duration.ofDays(30)));
  }

  private void send(BillingEvent.Builder event) {
    BillingEvent e = event.build();
    billing.pipeInput(e.getEventId(), e, e.getEventTime().plus(Duration.ofDays(30)));
  }

  /** Lets the emit punctuator run, then folds what came out into the newest version per key. */
  private void emit() {
    // Partials and join batches ship on one emit, the join's partials on the next, the totals' rows
    // on the one after.
    for (int hop = 0; hop < 3; hop++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
    metrics
        .readKeyValuesToList()
        .forEach(
            kv ->
                metricRows.merge(
                    kv.key,
                    kv.value,
                    (old, fresh) -> {
                      assertThat(fresh.getVersion())
                          .as("version of %s grows", kv.key)
                          .isGreaterThan(old.getVersion());
                      return fresh;
                    }));
    revenue
        .readKeyValuesToList()
        .forEach(
            kv ->
                revenueRows.merge(
                    kv.key,
                    kv.value,
                    (old, fresh) -> {
                      assertThat(fresh.getVersion())
                          .as("version of %s grows", kv.key)
                          .isGreaterThan(old.getVersion());
                      return fresh;
                    }));
  }

  private ChannelWindowMetrics metricsRow(String channel, String size, Instant start) {
    return metricRows.get(channel + "|" + size + "|" + start.toEpochMilli());
  }

  private ChannelWindowRevenue revenueRow(
      String channel, String size, Instant start, String currency) {
    return revenueRows.get(channel + "|" + size + "|" + start.toEpochMilli() + "|" + currency);
  }

  // ---- reach and health ----

  @Test
  @DisplayName(
      "a window's reach and health: sums weighted by request_count, distinct accounts and users,"
          + " errors, latency")
  void shouldComputeReachAndHealthPerWindow() {
    send(
        request("a", DIRECT, T0.plusSeconds(1))
            .setAccountId("acct-1")
            .setEndUserRef("u-1")
            .setInputTokens(100)
            .setOutputTokens(10)
            .setLatencyMs(100)
            .setTelemetry(TelemetryLevel.FULL));
    send(
        request("b", DIRECT, T0.plusSeconds(2))
            .setAccountId("acct-1")
            .setEndUserRef("u-2")
            .setInputTokens(200)
            .setOutputTokens(20)
            .setLatencyMs(300)
            .setOutcome(Outcome.SERVER_ERROR));
    send(
        request("c", DIRECT, T0.plusSeconds(3))
            .setAccountId("acct-2")
            .setEndUserRef("u-1")
            .setInputTokens(300)
            .setOutputTokens(30)
            .setLatencyMs(200)
            .setOutcome(Outcome.RATE_LIMITED));
    send(
        request("d", DIRECT, T0.plusSeconds(70))
            .setAccountId("acct-3")
            .setRequestCount(5)
            .setInputTokens(400)
            .setOutputTokens(40)
            .setLatencyMs(400)
            .setTelemetry(TelemetryLevel.FULL));
    emit();

    ChannelWindowMetrics minute = metricsRow(DIRECT, "MINUTE", T0);
    assertThat(minute.getUsageEvents()).isEqualTo(3);
    assertThat(minute.getRequests()).isEqualTo(1 + 1 + 1);
    assertThat(minute.getInputTokens()).isEqualTo(100 + 200 + 300);
    assertThat(minute.getOutputTokens()).isEqualTo(10 + 20 + 30);
    assertThat(minute.getActiveAccounts()).isEqualTo(2); // acct-1, acct-2
    assertThat(minute.getVisibleEndUsers()).isEqualTo(2); // u-1, u-2
    assertThat(minute.getIdentifiedRequests()).isEqualTo(3);
    assertThat(minute.getErrorRequests()).isEqualTo(1 + 1); // SERVER_ERROR and RATE_LIMITED
    assertThat(minute.getFullTelemetryRequests()).isEqualTo(1);
    assertThat(minute.getLatencyP50Ms()).isEqualTo(200.0); // median of 100, 200, 300
    assertThat(minute.getLatencyP99Ms()).isEqualTo(300.0);
    assertThat(minute.getNewestEventTime()).isEqualTo(T0.plusSeconds(3));
    assertThat(minute.getWindowStart()).isEqualTo(T0);
    assertThat(minute.getRoute()).isEqualTo(Route.DIRECT_API);
    assertThat(minute.getPartnerId()).isNull();
    assertThat(minute.getFeedbackEvents()).isZero();

    ChannelWindowMetrics hour = metricsRow(DIRECT, "HOUR", T0);
    assertThat(hour.getUsageEvents()).isEqualTo(4);
    assertThat(hour.getRequests()).isEqualTo(1 + 1 + 1 + 5);
    assertThat(hour.getInputTokens()).isEqualTo(100 + 200 + 300 + 400);
    assertThat(hour.getActiveAccounts()).isEqualTo(3);
    assertThat(hour.getVisibleEndUsers()).isEqualTo(2);
    assertThat(hour.getIdentifiedRequests()).isEqualTo(3); // d has no end user
    assertThat(hour.getFullTelemetryRequests()).isEqualTo(1 + 5);
    assertThat(hour.getNewestEventTime()).isEqualTo(T0.plusSeconds(70));
    assertThat(metricsRow(DIRECT, "DAY", DAY).getRequests()).isEqualTo(8);
    assertThat(metricsRow(DIRECT, "MINUTE", T0.plusSeconds(60)).getRequests()).isEqualTo(5);
  }

  // ---- exactly once ----

  @Test
  @DisplayName(
      "an event dated far ahead (written past the edge) is set aside before it can make ids"
          + " forgettable or copies too late")
  void shouldSetAsideAFarFutureEventBeforeDeduplicationAndTheGateSeeIt() {
    send(request("e1", DIRECT, T0));
    send(request("ahead", DIRECT, Instant.parse("2100-01-01T00:00:00Z")));
    send(request("e1", DIRECT, T0)); // a retry of e1, after the far-future record
    send(request("huge", DIRECT, T0).setInputTokens(Long.MAX_VALUE / 2));
    emit();

    assertThat(metricsRow(DIRECT, "MINUTE", T0).getRequests()).isEqualTo(1);
    assertThat(metricsRow(DIRECT, "MINUTE", T0).getInputTokens()).isEqualTo(10);
    List<QuarantinedEvent> setAside = quarantine.readValuesToList();
    assertThat(setAside)
        .extracting(QuarantinedEvent::getEventId)
        .containsExactlyInAnyOrder("ahead", "huge");
    assertThat(setAside)
        .extracting(QuarantinedEvent::getReason)
        .containsOnly(QuarantineReason.OUT_OF_BOUNDS);
    assertThat(setAside)
        .extracting(QuarantinedEvent::getDetail)
        .anyMatch(d -> d.contains("ahead of this processor's clock"))
        .anyMatch(d -> d.startsWith("input_tokens"));
  }

  @Test
  void shouldCountEveryFamilyOnceWhenSentTwiceAndSetAsideConflicts() {
    send(request("u1", DIRECT, T0).setRequestCount(3));
    send(request("u1", DIRECT, T0).setRequestCount(3));
    send(request("u1", DIRECT, T0).setRequestCount(4)); // conflict
    send(thumbsUp("f1", DIRECT, T0, "req-u1"));
    send(thumbsUp("f1", DIRECT, T0, "req-u1"));
    send(thumbsUp("f1", DIRECT, T0, "req-u1").setTrainable(true)); // conflict
    send(charge("b1", DIRECT, T0, "10.0000", "0.0000", "10.0000"));
    send(charge("b1", DIRECT, T0, "10.0000", "0.0000", "10.0000"));
    send(charge("b1", DIRECT, T0, "11.0000", "0.0000", "11.0000")); // conflict
    emit();

    ChannelWindowMetrics hour = metricsRow(DIRECT, "HOUR", T0);
    assertThat(hour.getRequests()).isEqualTo(3);
    assertThat(hour.getUsageEvents()).isEqualTo(1);
    assertThat(hour.getFeedbackEvents()).isEqualTo(1);
    assertThat(hour.getTrainableFeedback()).isZero();
    assertThat(hour.getCoveredRequests()).isEqualTo(3);
    assertThat(revenueRow(DIRECT, "HOUR", T0, "USD").getBillingEvents()).isEqualTo(1);
    assertThat(revenueRow(DIRECT, "HOUR", T0, "USD").getNet()).isEqualByComparingTo("10");
    List<QuarantinedEvent> setAside = quarantine.readValuesToList();
    assertThat(setAside)
        .extracting(QuarantinedEvent::getFamily)
        .containsExactlyInAnyOrder("USAGE", "FEEDBACK", "BILLING");
    assertThat(setAside)
        .extracting(QuarantinedEvent::getReason)
        .containsOnly(QuarantineReason.CONFLICT);
  }

  @Test
  void shouldSetAsideBillingAndFeedbackMoreThanSevenDaysBehindStreamTime() {
    send(charge("now", DIRECT, T0.plus(Duration.ofDays(8)), "1.0000", "0.0000", "1.0000"));
    send(charge("old", DIRECT, T0, "1.0000", "0.0000", "1.0000"));
    send(thumbsUp("f-now", DIRECT, T0.plus(Duration.ofDays(8)), null));
    send(thumbsUp("f-old", DIRECT, T0, null));
    emit();

    assertThat(revenueRow(DIRECT, "DAY", DAY, "USD")).isNull();
    assertThat(metricsRow(DIRECT, "DAY", DAY)).isNull();
    List<QuarantinedEvent> setAside = quarantine.readValuesToList();
    assertThat(setAside)
        .extracting(QuarantinedEvent::getEventId)
        .containsExactlyInAnyOrder("old", "f-old");
    assertThat(setAside)
        .extracting(QuarantinedEvent::getReason)
        .containsOnly(QuarantineReason.TOO_LATE);
  }

  @Test
  @DisplayName(
      "each quarantine record says where its copy was read (topic/partition@offset), for the"
          + " warehouse to match")
  void shouldNameTheSourceOfEverySetAsideCopy() {
    send(request("u1", DIRECT, T0)); // usage-events offset 0: counted
    send(request("u1", DIRECT, T0).setRequestCount(4)); // offset 1: a conflict
    send(
        request(
            "now",
            DIRECT,
            T0.plus(Duration.ofDays(8)))); // offset 2: counted, moves stream time 8 days on
    send(request("old", DIRECT, T0)); // offset 3: too late
    send(
        request("ahead", DIRECT, Instant.parse("2100-01-01T00:00:00Z"))); // offset 4: out of bounds
    emit();

    java.util.Map<String, String> sources = new java.util.HashMap<>();
    for (org.apache.kafka.streams.test.TestRecord<String, QuarantinedEvent> r :
        quarantine.readRecordsToList()) {
      org.apache.kafka.common.header.Header source =
          r.headers().lastHeader(Quarantine.SOURCE_HEADER);
      sources.put(
          r.value().getReason() + " " + r.value().getEventId(),
          new String(source.value(), java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(sources)
        .containsOnly(
            java.util.Map.entry("CONFLICT u1", topics.usageEvents + "/0@1"),
            java.util.Map.entry("TOO_LATE old", topics.usageEvents + "/0@3"),
            java.util.Map.entry("OUT_OF_BOUNDS ahead", topics.usageEvents + "/0@4"));
  }

  @Test
  @DisplayName(
      "each family is late against its own newest event: feedback dated days ahead does not make"
          + " usage too late")
  void shouldJudgeLatenessPerFamily() {
    // A backlog read in another order than it happened: feedback from 8 days on comes first.
    send(thumbsUp("f-later", DIRECT, T0.plus(Duration.ofDays(8)), null));
    send(request("u-in-time", DIRECT, T0));
    send(request("u-now", DIRECT, T0.plus(Duration.ofDays(8))));
    send(request("u-too-late", DIRECT, T0.minus(Duration.ofSeconds(1))));
    emit();

    assertThat(metricsRow(DIRECT, "DAY", DAY).getUsageEvents()).isEqualTo(1); // u-in-time only
    assertThat(quarantine.readValuesToList())
        .extracting(QuarantinedEvent::getEventId)
        .containsExactly("u-too-late");
  }

  // ---- learning ----

  @Test
  @DisplayName(
      "feedback about a request counts in the request's window within 7 days, coverage once;"
          + " received by its own time")
  void shouldAttributeCoverageToTheRequestsWindowAsLateFeedbackArrives() {
    send(request("r1", DIRECT, T0).setRequestCount(2));
    send(request("r2", DIRECT, T0.plusSeconds(10)));
    send(request("r3", DIRECT, T0.plusSeconds(20)));
    send(thumbsUp("f1", DIRECT, T0.plusSeconds(30), "req-r1").setTrainable(true));
    send(thumbsUp("f2", DIRECT, T0.plusSeconds(40), "req-r1")); // r1 again: covered once
    send(thumbsUp("f3", DIRECT, T0.plusSeconds(50), null)); // no request named
    emit();

    ChannelWindowMetrics before = metricsRow(DIRECT, "MINUTE", T0);
    assertThat(before.getFeedbackEvents())
        .isEqualTo(2); // f1 and f2 are about r1; f3 names no request
    assertThat(before.getTrainableFeedback()).isEqualTo(1);
    assertThat(before.getCoveredRequests()).isEqualTo(2); // r1 has request_count 2
    assertThat(before.getFeedbackReceived()).isEqualTo(3); // all three came in this minute
    assertThat(before.getTrainableReceived()).isEqualTo(1);

    Instant threeDaysLater = T0.plus(Duration.ofDays(3));
    send(thumbsUp("f4", DIRECT, threeDaysLater, "req-r2"));
    Instant eightDaysLater = T0.plus(Duration.ofDays(8));
    emit();
    send(
        thumbsUp(
            "f5",
            DIRECT,
            eightDaysLater,
            "req-r3")); // past the 7-day horizon: feedback, not coverage
    emit();

    ChannelWindowMetrics after = metricsRow(DIRECT, "MINUTE", T0);
    assertThat(after.getCoveredRequests()).isEqualTo(2 + 1);
    assertThat(after.getVersion()).isGreaterThan(before.getVersion());
    assertThat(after.getFeedbackEvents())
        .isEqualTo(2 + 1); // f4 is about r2, within 3 days; f5 is past 7
    assertThat(after.getFeedbackReceived()).isEqualTo(3); // f4 and f5 came in later windows
    assertThat(metricsRow(DIRECT, "DAY", DAY).getCoveredRequests()).isEqualTo(3);
    assertThat(metricsRow(DIRECT, "DAY", DAY).getFeedbackEvents()).isEqualTo(3);
    assertThat(metricsRow(DIRECT, "MINUTE", threeDaysLater).getFeedbackReceived()).isEqualTo(1);
    assertThat(metricsRow(DIRECT, "MINUTE", threeDaysLater).getFeedbackEvents()).isZero();
    assertThat(metricsRow(DIRECT, "MINUTE", threeDaysLater).getRequests()).isZero();
    assertThat(metricsRow(DIRECT, "MINUTE", threeDaysLater).getLatencyP50Ms()).isNull();
    assertThat(metricsRow(DIRECT, "MINUTE", eightDaysLater).getFeedbackReceived()).isEqualTo(1);
    assertThat(metricsRow(DIRECT, "MINUTE", eightDaysLater).getFeedbackEvents()).isZero();
  }

  @Test
  void shouldCoverARequestWhoseFeedbackArrivedBeforeItsUsage() {
    send(thumbsUp("f1", CLOUD, T0.plusSeconds(90), "req-late"));
    send(request("late", DIRECT, T0).setRequestCount(4)); // the usage arrives after its feedback
    emit();

    assertThat(metricsRow(DIRECT, "MINUTE", T0).getCoveredRequests()).isEqualTo(4);
    assertThat(metricsRow(DIRECT, "MINUTE", T0).getFeedbackEvents()).isEqualTo(1);
    // The feedback is received on its own channel and minute; it is about the request's.
    assertThat(metricsRow(CLOUD, "MINUTE", T0.plusSeconds(60)).getFeedbackReceived()).isEqualTo(1);
    assertThat(metricsRow(CLOUD, "MINUTE", T0.plusSeconds(60)).getFeedbackEvents()).isZero();
    assertThat(metricsRow(CLOUD, "MINUTE", T0.plusSeconds(60)).getCoveredRequests()).isZero();
  }

  @Test
  void shouldNotCoverARequestWithFeedbackFromBeforeIt() {
    send(thumbsUp("f1", DIRECT, T0.minusSeconds(1), "req-r1"));
    send(request("r1", DIRECT, T0));
    emit();
    assertThat(metricsRow(DIRECT, "MINUTE", T0).getCoveredRequests()).isZero();
  }

  // ---- control ----

  @Test
  @DisplayName("control points, route and partner come from the registry as of the window start")
  void shouldTakeControlPointsFromTheRegistryAsOfTheWindowStart() {
    send(request("morning", DIRECT, NOON.minusSeconds(30)));
    send(request("afternoon", DIRECT, NOON.plusSeconds(30)));
    send(request("cloud", CLOUD, NOON.plusSeconds(30)).setRequestCount(250));
    emit();

    assertThat(metricsRow(DIRECT, "MINUTE", NOON.minusSeconds(60)).getControlPointsOwned())
        .isEqualTo(4);
    assertThat(metricsRow(DIRECT, "HOUR", NOON.minus(Duration.ofHours(1))).getControlPointsOwned())
        .isEqualTo(4);
    assertThat(metricsRow(DIRECT, "MINUTE", NOON).getControlPointsOwned()).isEqualTo(5);
    assertThat(metricsRow(DIRECT, "HOUR", NOON).getControlPointsOwned()).isEqualTo(5);
    assertThat(metricsRow(DIRECT, "DAY", DAY).getControlPointsOwned())
        .isEqualTo(4); // the day started before noon
    ChannelWindowMetrics cloud = metricsRow(CLOUD, "MINUTE", NOON);
    assertThat(cloud.getRoute()).isEqualTo(Route.CLOUD_PARTNER);
    assertThat(cloud.getPartnerId()).isEqualTo("nimbus");
    assertThat(cloud.getControlPointsOwned()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "revenue per currency: signed refunds, gross only where known, lab-billed net, statements"
          + " excluded")
  void shouldSumRevenuePerCurrencyWithRefundsAndWithoutStatements() {
    send(charge("c1", DIRECT, T0.plusSeconds(5), "100.0000", "0.0000", "100.0000"));
    send(
        charge("r1", DIRECT, T0.plusSeconds(6), "-30.0000", "0.0000", "-30.0000")
            .setKind(BillingKind.REFUND));
    send(
        charge("c2", DIRECT, T0.plusSeconds(7), null, "5.0000", "20.0000")
            .setBilledBy(BilledBy.PARTNER));
    send(
        charge("e1", DIRECT, T0.plusSeconds(8), "50.0000", "0.0000", "50.0000").setCurrency("EUR"));
    send(
        charge("s1", DIRECT, T0.plusSeconds(9), "999.0000", "99.0000", "900.0000")
            .setKind(BillingKind.PARTNER_STATEMENT)
            .setReportedRequestCount(10L));
    emit();

    ChannelWindowRevenue usd = revenueRow(DIRECT, "MINUTE", T0, "USD");
    assertThat(usd.getBillingEvents()).isEqualTo(3);
    assertThat(usd.getGross())
        .isEqualTo(new BigDecimal("70.0000")); // 100 - 30; c2's gross is unknown
    assertThat(usd.getNetWhereGrossKnown()).isEqualTo(new BigDecimal("70.0000"));
    assertThat(usd.getPartnerFee()).isEqualTo(new BigDecimal("5.0000"));
    assertThat(usd.getNet()).isEqualTo(new BigDecimal("90.0000")); // 100 - 30 + 20
    assertThat(usd.getNetBilledByLab()).isEqualTo(new BigDecimal("70.0000"));
    assertThat(usd.getRoute()).isEqualTo(Route.DIRECT_API);
    ChannelWindowRevenue eur = revenueRow(DIRECT, "DAY", DAY, "EUR");
    assertThat(eur.getNet()).isEqualTo(new BigDecimal("50.0000"));
    assertThat(eur.getBillingEvents()).isEqualTo(1);
    assertThat(revenueRows).hasSize(2 * 3); // USD and EUR, three window sizes, no statement row
  }

  @Test
  @DisplayName(
      "schema v3: window sizes and routes as Avro enums; a channel the registry never knew has no"
          + " route")
  void shouldWriteWindowSizeAndRouteAsEnumsAndNoRouteForAnUnknownChannel() {
    // A record written to Kafka past the ingest, for a channel no registry version has.
    send(request("g1", "ghost-channel", T0.plusSeconds(1)));
    send(charge("gc1", "ghost-channel", T0.plusSeconds(2), "10.0000", "0.0000", "10.0000"));
    send(request("d1", CLOUD, T0.plusSeconds(3)));
    emit();

    ChannelWindowMetrics ghost = metricsRow("ghost-channel", "HOUR", T0);
    assertThat(ghost.getWindowSize()).isEqualTo(dev.routemetrics.metrics.WindowSize.HOUR);
    assertThat(ghost.getRoute()).as("no route: the tables say UNKNOWN").isNull();
    assertThat(ghost.getPartnerId()).isNull();
    assertThat(ghost.getControlPointsOwned()).isZero();
    assertThat(ghost.getRequests()).isEqualTo(1);
    ChannelWindowRevenue ghostMoney = revenueRow("ghost-channel", "DAY", DAY, "USD");
    assertThat(ghostMoney.getWindowSize()).isEqualTo(dev.routemetrics.metrics.WindowSize.DAY);
    assertThat(ghostMoney.getRoute()).isNull();
    ChannelWindowMetrics cloud = metricsRow(CLOUD, "MINUTE", T0);
    assertThat(cloud.getWindowSize()).isEqualTo(dev.routemetrics.metrics.WindowSize.MINUTE);
    assertThat(cloud.getRoute()).isEqualTo(Route.CLOUD_PARTNER);
  }

  // ---- state does not grow forever ----

  @Test
  void shouldForgetEventIdsOnceTheyAreTooLateToComeBack() {
    send(request("old", DIRECT, T0));
    WindowStore<String, byte[]> seen =
        driver.getWindowStore(ChannelMetricsTopology.SEEN_USAGE_STORE);
    assertThat(countIds(seen, "old")).isEqualTo(1);

    // Retention: 7 days of lateness + 1 day of margin, dropped a whole segment (half the retention)
    // at a time.
    send(request("new", DIRECT, T0.plus(Duration.ofDays(13))));

    assertThat(countIds(seen, "old")).isZero();
    assertThat(countIds(seen, "new")).isEqualTo(1);
  }

  private static int countIds(WindowStore<String, byte[]> store, String eventId) {
    int found = 0;
    try (WindowStoreIterator<byte[]> it = store.fetch(eventId, 0L, Long.MAX_VALUE)) {
      while (it.hasNext()) {
        it.next();
        found++;
      }
    }
    return found;
  }

  @Test
  void shouldForgetWindowsOnceNoUpdateCanReachThem() {
    send(request("old", DIRECT, T0));
    send(charge("old-charge", DIRECT, T0, "1.0000", "0.0000", "1.0000"));
    emit();
    KeyValueStore<String, ChannelWindowTally> windows =
        driver.getKeyValueStore(ChannelMetricsTopology.CHANNEL_WINDOWS_STORE);
    KeyValueStore<String, RevenueTally> revenues =
        driver.getKeyValueStore(ChannelMetricsTopology.REVENUE_WINDOWS_STORE);
    String minuteKey = FoldChannelWindows.key(DIRECT, WindowSize.MINUTE, T0.toEpochMilli());
    assertThat(windows.get(minuteKey)).isNotNull();

    // 7 days of feedback horizon + 7 days of lateness + 1 day of margin after the window's end, and
    // then some.
    send(request("new", DIRECT, T0.plus(Duration.ofDays(16))));
    send(charge("new-charge", DIRECT, T0.plus(Duration.ofDays(16)), "1.0000", "0.0000", "1.0000"));
    emit();

    assertThat(windows.get(minuteKey)).isNull();
    assertThat(
            revenues.get(
                FoldRevenueWindows.key(DIRECT, WindowSize.MINUTE, T0.toEpochMilli(), "USD")))
        .isNull();
    assertThat(
            windows.get(
                FoldChannelWindows.key(
                    DIRECT, WindowSize.MINUTE, T0.plus(Duration.ofDays(16)).toEpochMilli())))
        .isNotNull();
  }
}
