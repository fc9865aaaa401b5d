package dev.routemetrics.simulator.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.expected.StatementReconciliation;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class TrafficSimulatorTest {

  private static final ChannelRegistry REGISTRY = ChannelRegistry.builtIn();

  /** Six hours across the registry change at noon on 2026-11-20. */
  private static final Instant START = Instant.parse("2026-11-20T09:00:00Z");

  private static final Instant END = Instant.parse("2026-11-20T15:00:00Z");

  private record Run(
      List<Delivery> deliveries, List<SpecificRecord> accepted, TrafficSimulator.Summary summary) {
    <T> List<T> accepted(Class<T> type, Predicate<T> filter) {
      return accepted.stream().filter(type::isInstance).map(type::cast).filter(filter).toList();
    }
  }

  private static Run simulate(long seed, long events, Faults faults) {
    List<Delivery> deliveries = new ArrayList<>();
    List<SpecificRecord> accepted = new ArrayList<>();
    SimulationPlan plan =
        new SimulationPlan(START, END, seed, events, faults, SimulationPlan.DEFAULT_STATEMENT_SKEW);
    TrafficSimulator.Summary summary =
        new TrafficSimulator(REGISTRY, plan).run(deliveries::add, accepted::add, (a, b, c) -> {});
    return new Run(deliveries, accepted, summary);
  }

  private static List<String> lines(Run run) {
    return run.deliveries().stream()
        .map(d -> d.isMalformed() ? d.malformedJson() : EventJson.toJson(d.event()))
        .toList();
  }

  @Test
  void shouldProduceTheSameDeliveriesForTheSameSeedAndOthersForAnother() {
    assertThat(lines(simulate(7, 5_000, Faults.defaults())))
        .isEqualTo(lines(simulate(7, 5_000, Faults.defaults())));
    assertThat(lines(simulate(8, 5_000, Faults.defaults())))
        .isNotEqualTo(lines(simulate(7, 5_000, Faults.defaults())));
  }

  @Test
  void shouldProduceAboutTheRequestedNumberOfRecords() {
    long delivered = simulate(1, 20_000, Faults.none()).summary().delivered();
    // The rate is calibrated on the day's mean; six hours of a daily cycle land within a third of
    // the target.
    assertThat(delivered).isBetween(13_000L, 27_000L);
  }

  @Test
  void shouldDeliverInArrivalOrder() {
    List<Delivery> deliveries = simulate(2, 5_000, Faults.defaults()).deliveries();
    for (int i = 1; i < deliveries.size(); i++) {
      assertThat(deliveries.get(i).arrivalMillis())
          .isGreaterThanOrEqualTo(deliveries.get(i - 1).arrivalMillis());
    }
  }

  @Test
  void shouldReportCloudPartnerUsageAsHourlyAggregatesWithoutEndUsersOrTelemetry() {
    Run run = simulate(3, 20_000, Faults.none());
    List<UsageEvent> cloud =
        run.accepted(UsageEvent.class, u -> u.getChannelId().startsWith("cloud-"));
    assertThat(cloud)
        .isNotEmpty()
        .allSatisfy(
            u -> {
              assertThat(u.getRequestCount()).isGreaterThan(1);
              assertThat(u.getEndUserRef()).isNull();
              assertThat(u.getTelemetry()).isEqualTo(TelemetryLevel.NONE);
              assertThat(u.getAccountId()).isIn("nimbus-cloud", "stratus-cloud");
              assertThat(u.getEventTime().toEpochMilli() % 3_600_000)
                  .as("stamped with the hour it covers")
                  .isZero();
            });
    assertThat(run.accepted(FeedbackEvent.class, f -> f.getChannelId().startsWith("cloud-")))
        .isEmpty();
  }

  /**
   * The pipeline counts billing in the window of its event_time (docs/domain.md: "each family in
   * the window of its own event_time"), and docs/domain.md's price is an HOUR window's net revenue
   * per request: a charge dated at the end of its hour, 10:00 for 09:00–10:00, would pair each
   * hour's requests with the previous hour's money.
   */
  @Test
  void shouldStampEveryHourlyChargeWithinTheHourItCovers() {
    Run run = simulate(4, 20_000, Faults.none());
    List<BillingEvent> charges =
        run.accepted(BillingEvent.class, b -> b.getKind() == BillingKind.CHARGE);
    assertThat(charges)
        .hasSizeGreaterThan(40)
        .allSatisfy(
            b -> {
              assertThat(b.getPeriodEnd()).isEqualTo(b.getPeriodStart().plus(Duration.ofHours(1)));
              assertThat(b.getEventTime())
                  .as(b.getEventId())
                  .isAfterOrEqualTo(b.getPeriodStart())
                  .isBefore(b.getPeriodEnd());
            });
  }

  @Test
  void shouldLetCloudPartnersBillWithTheTakeRateInForceWhenTheHourBegan() {
    Run run = simulate(4, 20_000, Faults.none());
    List<BillingEvent> stratus =
        run.accepted(
            BillingEvent.class,
            b -> b.getChannelId().equals("cloud-stratus") && b.getKind() == BillingKind.CHARGE);
    assertThat(stratus)
        .isNotEmpty()
        .allSatisfy(
            b -> {
              assertThat(b.getBilledBy()).isEqualTo(BilledBy.PARTNER);
              // Registry version 2 lowers stratus's take rate from 0.25 to 0.18 at noon.
              BigDecimal take =
                  b.getPeriodStart().isBefore(Instant.parse("2026-11-20T12:00:00Z"))
                      ? new BigDecimal("0.25")
                      : new BigDecimal("0.18");
              assertThat(b.getPartnerFee())
                  .isEqualByComparingTo(
                      b.getGrossAmount().multiply(take).setScale(4, RoundingMode.HALF_EVEN));
              assertThat(b.getNetAmount())
                  .isEqualByComparingTo(b.getGrossAmount().subtract(b.getPartnerFee()));
              assertThat(b.getCurrency()).isEqualTo("EUR");
            });
  }

  @Test
  void shouldGiveEachRouteItsVisibilityAndFeedback() {
    Run run = simulate(5, 40_000, Faults.none());
    assertThat(run.accepted(UsageEvent.class, u -> u.getChannelId().equals("consumer-app")))
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u.getEndUserRef()).isNotNull());
    assertThat(
            run.accepted(UsageEvent.class, u -> u.getChannelId().equals("internal-acme-gateway")))
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u.getEndUserRef()).isNull());
    assertThat(run.accepted(UsageEvent.class, u -> u.getChannelId().equals("market-routerhub")))
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u.getAccountId()).isEqualTo("routerhub"));
    assertThat(run.accepted(BillingEvent.class, b -> b.getChannelId().equals("market-routerhub")))
        .isNotEmpty()
        .allSatisfy(b -> assertThat(b.getGrossAmount()).as("the marketplace hides gross").isNull());

    List<FeedbackEvent> app =
        run.accepted(FeedbackEvent.class, f -> f.getChannelId().equals("consumer-app"));
    List<FeedbackEvent> vertical =
        run.accepted(FeedbackEvent.class, f -> f.getChannelId().startsWith("vertical-"));
    assertThat(vertical)
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getSource()).isEqualTo(FeedbackSource.PARTNER_REPORT));
    assertThat(app).allSatisfy(f -> assertThat(f.getSource()).isEqualTo(FeedbackSource.END_USER));
    double appTrainable =
        app.stream().filter(FeedbackEvent::getTrainable).count() / (double) app.size();
    double verticalTrainable =
        vertical.stream().filter(FeedbackEvent::getTrainable).count() / (double) vertical.size();
    assertThat(appTrainable).isGreaterThan(0.6);
    assertThat(verticalTrainable).isLessThan(0.3);
  }

  @Test
  void shouldSendStatementsThatOverstateByTheKnownAmount() {
    Run run = simulate(6, 20_000, Faults.none());
    ExpectedMetrics expected = new ExpectedMetrics(REGISTRY);
    run.accepted().forEach(expected::accept);
    List<StatementReconciliation> statements = expected.result().reconciliations();
    assertThat(statements)
        .extracting(StatementReconciliation::channelId)
        .containsExactlyInAnyOrder(
            "cloud-nimbus",
            "cloud-stratus",
            "market-routerhub",
            "vertical-lexdraft",
            "vertical-codepilot");
    for (StatementReconciliation s : statements) {
      double skew = s.channelId().equals("cloud-nimbus") ? 3.0 : 0.0;
      assertThat(s.requestDiscrepancyPercent()).as(s.channelId()).isCloseTo(skew, within(0.05));
      assertThat(s.netDiscrepancyPercent()).as(s.channelId()).isCloseTo(skew, within(0.05));
    }
  }

  /**
   * Applies docs/domain.md's promises to the deliveries, as the pipeline must: the first delivery
   * of an event_id counts, a repeat is ignored, a different payload is a conflict, anything more
   * than 7 days behind its family's stream time is too late, malformed records are rejected. What
   * survives must be exactly the accepted events the expected metrics were computed from.
   */
  @Test
  void shouldMakeTheInjectedFaultsInvisibleToAPipelineThatKeepsDomainPromises() {
    Run run = simulate(9, 30_000, new Faults(0.02, 0.01, 0.05, 0.005, 0.005, 0.1));
    Map<String, SpecificRecord> counted = new HashMap<>();
    Map<Family, Long> streamTime = new HashMap<>();
    Set<String> conflicts = new HashSet<>();
    Set<String> tooLate = new HashSet<>();
    Set<String> rejected = new HashSet<>();
    long bound = Duration.ofDays(7).toMillis();
    for (Delivery d : run.deliveries()) {
      if (d.isMalformed()) {
        rejected.add(d.eventId());
        continue;
      }
      long eventTime =
          ((Instant) d.event().get(d.event().getSchema().getField("event_time").pos()))
              .toEpochMilli();
      long now = streamTime.merge(d.family(), eventTime, Math::max);
      SpecificRecord first = counted.get(d.eventId());
      if (first != null) {
        if (!first.equals(d.event())) {
          conflicts.add(d.eventId());
        }
      } else if (eventTime < now - bound) {
        tooLate.add(d.eventId());
      } else {
        counted.put(d.eventId(), d.event());
      }
    }
    assertThat(new HashSet<>(counted.values())).isEqualTo(new HashSet<>(run.accepted()));
    assertThat(conflicts).isEqualTo(new HashSet<>(run.summary().conflictIds())).isNotEmpty();
    assertThat(tooLate).isEqualTo(new HashSet<>(run.summary().tooLateIds())).isNotEmpty();
    assertThat(rejected).isEqualTo(new HashSet<>(run.summary().malformedIds())).isNotEmpty();
    assertThat(run.summary().deliveries().get(Injection.DUPLICATE)).isPositive();
    assertThat(run.summary().deliveries().get(Injection.LATE)).isPositive();
    assertThat(run.accepted(BillingEvent.class, b -> b.getKind() == BillingKind.REFUND))
        .isNotEmpty()
        .allSatisfy(b -> assertThat(b.getNetAmount().signum()).isNegative());
  }

  @Test
  void shouldBreakExactlyOneFieldOfAMalformedRecord() throws Exception {
    Run run = simulate(10, 30_000, new Faults(0, 0, 0, 0, 0.01, 0));
    ObjectMapper json = new ObjectMapper();
    List<Delivery> malformed = run.deliveries().stream().filter(Delivery::isMalformed).toList();
    assertThat(malformed).isNotEmpty();
    for (Delivery d : malformed) {
      assertThat(json.readTree(d.malformedJson()).get("event_id").asText())
          .as("still valid JSON")
          .startsWith("bad-");
    }
  }

  @Test
  void shouldShiftMarketplaceVolumeWithLatencyAndPrice() {
    // The latency incident peaks at 2.5x a third of the way in (35 %), at list price; the price
    // test
    // sets the price per seventh of the period: 0.6, list through the incident, 1.6, 0.6, 1.6.
    // The marketplace's true elasticities are 1.5 (latency) and 2 (price): volume × latency^-1.5 ×
    // price^-2.
    Elasticities market = Elasticities.DEFAULT.get("market-routerhub");
    assertThat(market.volumeFactor(0.0))
        .isCloseTo(Math.pow(0.6, -2), within(0.01)); // 2.78: cheap, incident far
    assertThat(market.volumeFactor(0.35))
        .isCloseTo(Math.pow(2.5, -1.5), within(1e-9)); // 0.253: the peak, list price
    assertThat(market.volumeFactor(0.65)).isCloseTo(Math.pow(1.6, -2), within(0.01)); // 0.39: dear
    assertThat(market.volumeFactor(0.75)).isCloseTo(Math.pow(0.6, -2), within(0.01));
    // A channel without a reaction keeps its volume through both.
    assertThat(Elasticities.NONE.volumeFactor(0.35)).isEqualTo(1.0);
    assertThat(Elasticities.NONE.volumeFactor(0.65)).isEqualTo(1.0);
  }

  @Test
  void shouldBillEveryChannelAtTheLabsPriceOfTheHour() {
    // Net per request is docs/domain.md's price: the same tokens cost 1.6 / 0.6 as much on a dear
    // day as on a cheap one.
    assertThat(MarketConditions.priceIndex(0.0)).isEqualTo(0.6);
    assertThat(MarketConditions.priceIndex(0.2)).isEqualTo(1.0);
    assertThat(MarketConditions.priceIndex(0.5)).isEqualTo(1.0);
    assertThat(MarketConditions.priceIndex(0.6)).isEqualTo(1.6);
    assertThat(MarketConditions.priceIndex(0.8)).isEqualTo(0.6);
    assertThat(MarketConditions.priceIndex(0.9)).isEqualTo(1.6);
    assertThat(MarketConditions.priceIndex(1.0)).isEqualTo(1.6);
    // The incident is over (under 3 % slower) before the price moves, at 1/7 and 4/7.
    assertThat(MarketConditions.latencyFactor(4 / 7.0)).isLessThan(1.03);
    assertThat(MarketConditions.latencyFactor(1 / 7.0)).isLessThan(1.03);
  }
}
