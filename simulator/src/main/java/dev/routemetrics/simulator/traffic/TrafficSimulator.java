package dev.routemetrics.simulator.traffic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.RegistrySnapshot;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.simulator.EventJson;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Seeded traffic over every channel of the registry for a period, shaped by route ({@link
 * RouteBehaviour}), with the faults reality injects ({@link Injection}). It walks the period hour
 * by hour, hands every event the pipeline should count to {@code accepted} (the truth the expected
 * metrics are computed from), and hands every delivery to {@code out} in arrival order. Late events
 * wait in a queue until their arrival, so memory stays bounded by the late fraction, not the
 * period.
 *
 * <p>Same registry, plan and seed: the same deliveries, byte for byte.
 */
public final class TrafficSimulator {

  static {
    // The copies of conflicting() look enum classes up by name, which Avro 1.12.2 allows only for
    // trusted packages; simulating to files or HTTP never loads the wire serde that declares them.
    AvroSerde.trustOurRecords();
  }

  /** Told after each simulated hour; {@code delivered} counts records handed out so far. */
  public interface Progress {
    void update(long simulatedMillis, long totalMillis, long delivered);
  }

  /**
   * What the run produced. The id lists name every record the pipeline must set aside or reject.
   */
  public record Summary(
      Map<Family, Long> acceptedEvents,
      Map<Injection, Long> deliveries,
      long delivered,
      List<String> conflictIds,
      List<String> tooLateIds,
      List<String> malformedIds) {}

  private static final long SECOND = 1_000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final String LARGE = "frontier-large";
  private static final String FAST = "frontier-fast";
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private static final BigDecimal EUR_PER_USD = new BigDecimal("0.92");

  /** List prices per million tokens in USD: input, output. */
  private static final Map<String, BigDecimal[]> PRICES =
      Map.of(
          LARGE, new BigDecimal[] {new BigDecimal("3.00"), new BigDecimal("15.00")},
          FAST, new BigDecimal[] {new BigDecimal("0.50"), new BigDecimal("2.00")});

  private final ChannelRegistry registry;
  private final SimulationPlan plan;
  private final SplittableRandom random;
  private final PriorityQueue<Delivery> pending =
      new PriorityQueue<>(
          Comparator.comparingLong(Delivery::arrivalMillis).thenComparingLong(Delivery::sequence));
  private final Map<Family, Long> accepted = new EnumMap<>(Family.class);
  private final Map<Injection, Long> deliveries = new EnumMap<>(Injection.class);
  private final List<String> conflictIds = new ArrayList<>();
  private final List<String> tooLateIds = new ArrayList<>();
  private final List<String> malformedIds = new ArrayList<>();

  /**
   * Requests and partner-billed money per channel since the current day's start, for statements.
   */
  private final Map<String, Long> meteredToday = new LinkedHashMap<>();

  private final Map<String, Money> partnerMoneyToday = new LinkedHashMap<>();

  private Consumer<Delivery> out;
  private Consumer<SpecificRecord> truth;
  private long sequence;
  private long ids;
  private long delivered;
  private final long latestEventTime;

  private final Map<String, Elasticities> elasticities;

  /** The channels' true elasticities this simulation uses. */
  public Map<String, Elasticities> elasticities() {
    return elasticities;
  }

  public TrafficSimulator(ChannelRegistry registry, SimulationPlan plan) {
    this(registry, plan, Elasticities.DEFAULT);
  }

  /**
   * With each channel's true reaction to the lab's latency and price (a channel not listed does not
   * react).
   */
  public TrafficSimulator(
      ChannelRegistry registry, SimulationPlan plan, Map<String, Elasticities> elasticities) {
    this.elasticities = Map.copyOf(elasticities);
    this.registry = registry;
    this.plan = plan;
    this.random = new SplittableRandom(plan.seed());
    this.latestEventTime =
        plan.latestEventTime().equals(Instant.MAX)
            ? Long.MAX_VALUE
            : plan.latestEventTime().toEpochMilli();
  }

  public Summary run(Consumer<Delivery> out, Consumer<SpecificRecord> truth, Progress progress) {
    this.out = out;
    this.truth = truth;
    long start = plan.start().toEpochMilli();
    long end = plan.end().toEpochMilli();
    double requestsPerMinute = requestsPerMinute(start, end);
    long dayStart = start;
    for (long hour = start; hour < end; ) {
      long hourEnd = Math.min(end, Math.floorDiv(hour, HOUR) * HOUR + HOUR);
      RegistrySnapshot snapshot = registry.asOf(Instant.ofEpochMilli(hour));
      double elapsed = (hour - start) / (double) (end - start);
      int hourOfDay = (int) (Math.floorMod(hour, DAY) / HOUR);
      long usageThisHour = 0;
      Map<Route, Integer> seenOfRoute = new EnumMap<>(Route.class);
      for (Channel channel : snapshot.channels()) {
        RouteBehaviour behaviour = RouteBehaviour.of(channel.route());
        int indexInRoute = seenOfRoute.merge(channel.route(), 1, Integer::sum) - 1;
        double perMinute =
            requestsPerMinute
                * behaviour.requestShare()
                / channelsOf(snapshot, channel.route())
                * behaviour.diurnal(hourOfDay)
                * elasticities.getOrDefault(channel.id(), Elasticities.NONE).volumeFactor(elapsed);
        Bill bill = new Bill(currencyOf(channel, indexInRoute));
        if (behaviour.hourlyAggregates()) {
          usageThisHour += aggregates(channel, hour, hourEnd, perMinute, bill);
        } else {
          for (long minute = hour; minute < hourEnd; minute += MINUTE) {
            long count = Poisson.sample(random, perMinute);
            for (long i = 0; i < count; i++) {
              request(channel, behaviour, minute + random.nextLong(MINUTE), elapsed, bill);
            }
            usageThisHour += count;
          }
        }
        charge(channel, behaviour, hour, hourEnd, bill);
      }
      tooLate(snapshot, hour, hourEnd, usageThisHour, start);
      malformed(snapshot, hour, hourEnd, usageThisHour);
      if (Math.floorMod(hourEnd, DAY) == 0 || hourEnd == end) {
        statements(snapshot, dayStart, hourEnd);
        dayStart = hourEnd;
      }
      deliverUntil(hourEnd);
      if (hourEnd < end) {
        progress.update(hourEnd - start, end - start, delivered);
      }
      hour = hourEnd;
    }
    // What arrives after the period: late events, feedback days later, the last reports and
    // statements.
    deliverUntil(Long.MAX_VALUE);
    progress.update(end - start, end - start, delivered);
    return new Summary(
        Collections.unmodifiableMap(new EnumMap<>(accepted)),
        Collections.unmodifiableMap(new EnumMap<>(deliveries)),
        delivered,
        List.copyOf(conflictIds),
        List.copyOf(tooLateIds),
        List.copyOf(malformedIds));
  }

  /** Requests per minute that make the run produce about the planned number of events. */
  private double requestsPerMinute(long start, long end) {
    RegistrySnapshot snapshot = registry.asOf(Instant.ofEpochMilli(start));
    double eventsPerRequest = 0;
    for (Channel channel : snapshot.channels()) {
      RouteBehaviour b = RouteBehaviour.of(channel.route());
      if (!b.hourlyAggregates()) {
        eventsPerRequest +=
            b.requestShare() / channelsOf(snapshot, channel.route()) * (1 + b.feedbackRate());
      }
    }
    double minutes = (end - start) / (double) MINUTE;
    return plan.targetEvents() / (minutes * Math.max(eventsPerRequest, 1e-9));
  }

  private static long channelsOf(RegistrySnapshot snapshot, Route route) {
    return snapshot.channels().stream().filter(c -> c.route() == route).count();
  }

  /**
   * The second channel of the cloud route settles in EUR; the consumer app bills its EU accounts in
   * EUR.
   */
  private static String currencyOf(Channel channel, int indexInRoute) {
    return channel.route() == Route.CLOUD_PARTNER && indexInRoute == 1 ? "EUR" : "USD";
  }

  // ---- usage ----

  private void request(Channel channel, RouteBehaviour b, long time, double elapsed, Bill bill) {
    UsageEvent usage = newRequest(channel, b, time, elapsed);
    accept(Family.USAGE, usage);
    schedule(Family.USAGE, usage, usage.getEventId(), time + 20 + random.nextLong(2 * SECOND));
    if (usage.getOutcome() == Outcome.SUCCESS) {
      String currency =
          channel.route() == Route.CONSUMER_APP
                  && Math.floorMod(usage.getAccountId().hashCode(), 10) < 3
              ? "EUR"
              : bill.defaultCurrency;
      bill.add(currency, usage.getModelId(), usage.getInputTokens(), usage.getOutputTokens());
    }
    if (b.billedBy() == BilledBy.PARTNER) {
      meteredToday.merge(channel.id(), 1L, Long::sum);
    }
    if (random.nextDouble() < b.feedbackRate()) {
      feedback(usage, b);
    }
  }

  private UsageEvent newRequest(Channel channel, RouteBehaviour b, long time, double elapsed) {
    String id = channel.id() + "-" + plan.seed() + "-" + ids++;
    String account;
    String endUser = null;
    if (b.accountPool() > 0 && b.endUserShare() >= 1) {
      // Every request has a user, and each user belongs to one account.
      int user = skewed(b.endUserPool());
      account = "acct-" + channel.id() + "-" + user % b.accountPool();
      endUser = "eu-" + channel.id() + "-" + user;
    } else {
      account =
          b.accountPool() > 0
              ? "acct-" + channel.id() + "-" + skewed(b.accountPool())
              : channel.partnerId() != null ? channel.partnerId() : "acct-" + channel.id();
      if (b.endUserPool() > 0 && random.nextDouble() < b.endUserShare()) {
        endUser = "eu-" + channel.id() + "-" + skewed(b.endUserPool());
      }
    }
    String model = random.nextDouble() < 0.35 ? LARGE : FAST;
    long input = 50 + (long) Math.exp(6.3 + 0.9 * random.nextGaussian());
    long output = 20 + (long) Math.exp(5.2 + 0.8 * random.nextGaussian());
    double latencyFactor =
        MarketConditions.latencyFactor(
            elapsed); // the lab's incident: every channel is served slowly
    int latency =
        (int)
            ((model.equals(LARGE) ? 1_800 : 600)
                * Math.exp(0.3 * random.nextGaussian())
                * latencyFactor);
    TelemetryLevel telemetry =
        random.nextDouble() < b.fullTelemetryShare()
            ? TelemetryLevel.FULL
            : TelemetryLevel.METADATA;
    return new UsageEvent(
        "u-" + id,
        Instant.ofEpochMilli(time),
        channel.id(),
        account,
        endUser,
        model,
        "req-" + id,
        1,
        input,
        output,
        latency,
        outcome(),
        telemetry);
  }

  private Outcome outcome() {
    double roll = random.nextDouble();
    return roll < 0.963
        ? Outcome.SUCCESS
        : roll < 0.978
            ? Outcome.CLIENT_ERROR
            : roll < 0.988
                ? Outcome.SERVER_ERROR
                : roll < 0.995 ? Outcome.RATE_LIMITED : Outcome.FILTERED;
  }

  /**
   * A cloud partner's report for the hour: one aggregate per model and outcome, under its own
   * account.
   */
  private long aggregates(Channel channel, long hour, long hourEnd, double perMinute, Bill bill) {
    long total = Poisson.sample(random, perMinute * ((hourEnd - hour) / (double) MINUTE));
    long large = Math.round(total * (0.30 + 0.10 * random.nextDouble()));
    long events = 0;
    for (String model : new String[] {LARGE, FAST}) {
      long count = model.equals(LARGE) ? large : total - large;
      long errors = Math.round(count * 0.02 * random.nextDouble());
      errors = errors < 2 ? 0 : errors;
      for (Outcome outcome : new Outcome[] {Outcome.SUCCESS, Outcome.SERVER_ERROR}) {
        long requests = outcome == Outcome.SUCCESS ? count - errors : errors;
        if (requests < 2) {
          continue; // an aggregate sums at least two requests; a partner's quiet hour reports
          // nothing
        }
        String id = channel.id() + "-" + plan.seed() + "-" + ids++;
        long input = requests * (700 + random.nextInt(200));
        long output = requests * (220 + random.nextInt(60));
        UsageEvent aggregate =
            new UsageEvent(
                "u-" + id,
                Instant.ofEpochMilli(hour),
                channel.id(),
                channel.partnerId(),
                null,
                model,
                "agg-" + id,
                (int) requests,
                input,
                output,
                model.equals(LARGE) ? 1_750 : 580,
                outcome,
                TelemetryLevel.NONE);
        accept(Family.USAGE, aggregate);
        // The report comes after the hour closes.
        schedule(
            Family.USAGE,
            aggregate,
            aggregate.getEventId(),
            hourEnd + 5 * MINUTE + random.nextLong(35 * MINUTE));
        if (outcome == Outcome.SUCCESS) {
          bill.add(bill.defaultCurrency, model, input, output);
        }
        meteredToday.merge(channel.id(), requests, Long::sum);
        events++;
      }
    }
    return events;
  }

  // ---- feedback ----

  private void feedback(UsageEvent usage, RouteBehaviour b) {
    long time = usage.getEventTime().toEpochMilli() + feedbackDelay();
    if (!happens(time)) {
      return;
    }
    FeedbackKind kind = b.feedbackKinds().get(random.nextInt(b.feedbackKinds().size()));
    boolean trainable =
        random.nextDouble()
            < (usage.getTelemetry() == TelemetryLevel.FULL
                ? b.trainableIfFull()
                : b.trainableOtherwise());
    String requestId = random.nextDouble() < b.requestIdKnown() ? usage.getRequestId() : null;
    FeedbackEvent feedback =
        new FeedbackEvent(
            "f-" + usage.getEventId().substring(2),
            Instant.ofEpochMilli(time),
            usage.getChannelId(),
            usage.getAccountId(),
            usage.getEndUserRef(),
            usage.getModelId(),
            "fbk-" + ids++,
            requestId,
            kind,
            kind == FeedbackKind.RATING ? 1 + random.nextInt(5) : null,
            trainable,
            b.feedbackSource());
    accept(Family.FEEDBACK, feedback);
    schedule(
        Family.FEEDBACK, feedback, feedback.getEventId(), time + 50 + random.nextLong(3 * SECOND));
  }

  /**
   * Most feedback comes within minutes, some within the day, a little within the week, 1 % after
   * it.
   */
  private long feedbackDelay() {
    double roll = random.nextDouble();
    if (roll < 0.70) {
      return 5 * SECOND + random.nextLong(5 * MINUTE);
    } else if (roll < 0.95) {
      return 5 * MINUTE + random.nextLong(DAY);
    } else if (roll < 0.99) {
      return DAY + random.nextLong(6 * DAY - HOUR);
    }
    return 7 * DAY + MINUTE + random.nextLong(2 * DAY);
  }

  // ---- billing ----

  /** Token sums of successful requests per currency and model, priced when the hour closes. */
  private static final class Bill {
    final String defaultCurrency;
    final Map<String, long[]> tokens = new LinkedHashMap<>();

    Bill(String defaultCurrency) {
      this.defaultCurrency = defaultCurrency;
    }

    void add(String currency, String model, long input, long output) {
      long[] sums = tokens.computeIfAbsent(currency + "|" + model, k -> new long[2]);
      sums[0] += input;
      sums[1] += output;
    }

    Map<String, BigDecimal> grossByCurrency(BigDecimal priceIndex) {
      Map<String, BigDecimal> gross = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : tokens.entrySet()) {
        String currency = e.getKey().substring(0, 3);
        BigDecimal[] price = PRICES.get(e.getKey().substring(4));
        BigDecimal amount =
            BigDecimal.valueOf(e.getValue()[0])
                .multiply(price[0])
                .add(BigDecimal.valueOf(e.getValue()[1]).multiply(price[1]))
                .multiply(priceIndex)
                .multiply(currency.equals("EUR") ? EUR_PER_USD : BigDecimal.ONE);
        gross.merge(currency, amount, BigDecimal::add);
      }
      gross.replaceAll((c, amount) -> amount.divide(MILLION, 4, RoundingMode.HALF_EVEN));
      return gross;
    }
  }

  /** Money of one partner channel for the current day, for its statement. */
  private static final class Money {
    String currency;
    BigDecimal gross = BigDecimal.ZERO;
    boolean grossKnown = true;
    BigDecimal fee = BigDecimal.ZERO;
    BigDecimal net = BigDecimal.ZERO;
  }

  private void charge(Channel channel, RouteBehaviour b, long hour, long hourEnd, Bill bill) {
    double elapsed =
        (hour - plan.start().toEpochMilli())
            / (double) (plan.end().toEpochMilli() - plan.start().toEpochMilli());
    BigDecimal priceIndex =
        BigDecimal.valueOf(
            MarketConditions.priceIndex(elapsed)); // the lab's price, on every channel
    for (Map.Entry<String, BigDecimal> e : bill.grossByCurrency(priceIndex).entrySet()) {
      String currency = e.getKey();
      BigDecimal gross = e.getValue();
      if (gross.signum() == 0) {
        continue;
      }
      boolean lab = b.billedBy() == BilledBy.LAB;
      // The take rate in force when the billed hour began: registry changes are not retroactive.
      BigDecimal fee =
          lab ? zero() : gross.multiply(channel.takeRate()).setScale(4, RoundingMode.HALF_EVEN);
      BigDecimal net = gross.subtract(fee);
      String account = lab ? "*" : channel.partnerId();
      String billingId = "inv-" + channel.id() + "-" + hour / HOUR + "-" + currency;
      // Dated the last millisecond of the hour it covers: the pipeline counts billing by its
      // event_time's
      // window, and docs/domain.md's price is an HOUR window's net per request, so the hour's
      // charge must
      // fall in the hour's window (dated hourEnd, it met the next hour's requests). It is sent
      // after
      // the hour closes all the same.
      long billedAt = hourEnd - 1;
      BillingEvent charge =
          new BillingEvent(
              "b-" + billingId + "-" + plan.seed(),
              Instant.ofEpochMilli(billedAt),
              channel.id(),
              account,
              null,
              "*",
              billingId,
              BillingKind.CHARGE,
              b.billedBy(),
              currency,
              b.grossKnown() ? gross : null,
              fee,
              net,
              Instant.ofEpochMilli(hour),
              Instant.ofEpochMilli(hourEnd),
              null);
      accept(Family.BILLING, charge);
      schedule(
          Family.BILLING,
          charge,
          charge.getEventId(),
          hourEnd
              + (lab
                  ? SECOND + random.nextLong(5 * MINUTE)
                  : 10 * MINUTE + random.nextLong(50 * MINUTE)));
      if (!lab) {
        Money day = partnerMoneyToday.computeIfAbsent(channel.id(), k -> new Money());
        day.currency = currency;
        day.grossKnown = b.grossKnown();
        day.gross = day.gross.add(gross);
        day.fee = day.fee.add(fee);
        day.net = day.net.add(net);
      }
      if (lab && random.nextDouble() < plan.faults().refundRate()) {
        BigDecimal refund =
            gross
                .multiply(BigDecimal.valueOf(10 + random.nextInt(41)))
                .movePointLeft(2)
                .setScale(4, RoundingMode.HALF_EVEN)
                .negate();
        long refundedAt = hourEnd + HOUR + random.nextLong(47 * HOUR);
        String refundId = "ref-" + channel.id() + "-" + hour / HOUR + "-" + currency;
        billing(
            channel,
            account,
            refundId,
            BillingKind.REFUND,
            currency,
            refund,
            refundedAt,
            hour,
            hourEnd);
      }
      if (channel.route() == Route.DIRECT_API && random.nextDouble() < 0.02) {
        BigDecimal credit = BigDecimal.valueOf(1 + random.nextInt(20)).setScale(4).negate();
        String creditId = "crd-" + channel.id() + "-" + hour / HOUR + "-" + currency;
        billing(
            channel,
            account,
            creditId,
            BillingKind.CREDIT,
            currency,
            credit,
            hourEnd + random.nextLong(HOUR),
            hour,
            hourEnd);
      }
    }
  }

  private void billing(
      Channel channel,
      String account,
      String billingId,
      BillingKind kind,
      String currency,
      BigDecimal amount,
      long at,
      long periodStart,
      long periodEnd) {
    if (!happens(at)) {
      return;
    }
    BillingEvent event =
        new BillingEvent(
            "b-" + billingId + "-" + plan.seed(),
            Instant.ofEpochMilli(at),
            channel.id(),
            account,
            null,
            "*",
            billingId,
            kind,
            BilledBy.LAB,
            currency,
            amount,
            zero(),
            amount,
            Instant.ofEpochMilli(periodStart),
            Instant.ofEpochMilli(periodEnd),
            null);
    accept(Family.BILLING, event);
    schedule(Family.BILLING, event, event.getEventId(), at + SECOND + random.nextLong(MINUTE));
  }

  /** Each partner's statement for the day: what was metered, skewed by the plan's known amount. */
  private void statements(RegistrySnapshot snapshot, long dayStart, long dayEnd) {
    for (Channel channel : snapshot.channels()) {
      Long metered = meteredToday.get(channel.id());
      Money money = partnerMoneyToday.get(channel.id());
      if (RouteBehaviour.of(channel.route()).billedBy() != BilledBy.PARTNER
          || metered == null
          || money == null) {
        continue;
      }
      BigDecimal factor =
          BigDecimal.ONE.add(
              plan.statementSkewPercent()
                  .getOrDefault(channel.id(), BigDecimal.ZERO)
                  .movePointLeft(2));
      long reported =
          BigDecimal.valueOf(metered)
              .multiply(factor)
              .setScale(0, RoundingMode.HALF_EVEN)
              .longValueExact();
      String billingId = "stmt-" + channel.id() + "-" + dayStart / DAY;
      long issuedAt = dayEnd + 2 * HOUR;
      if (!happens(issuedAt)) {
        continue;
      }
      BillingEvent statement =
          new BillingEvent(
              "b-" + billingId + "-" + plan.seed(),
              Instant.ofEpochMilli(issuedAt),
              channel.id(),
              channel.partnerId(),
              null,
              "*",
              billingId,
              BillingKind.PARTNER_STATEMENT,
              BilledBy.PARTNER,
              money.currency,
              money.grossKnown ? scaled(money.gross.multiply(factor)) : null,
              scaled(money.fee.multiply(factor)),
              scaled(money.net.multiply(factor)),
              Instant.ofEpochMilli(dayStart),
              Instant.ofEpochMilli(dayEnd),
              reported);
      accept(Family.BILLING, statement);
      schedule(Family.BILLING, statement, statement.getEventId(), issuedAt + random.nextLong(HOUR));
    }
    meteredToday.clear();
    partnerMoneyToday.clear();
  }

  private static BigDecimal scaled(BigDecimal amount) {
    return amount.setScale(4, RoundingMode.HALF_EVEN);
  }

  private static BigDecimal zero() {
    return BigDecimal.ZERO.setScale(4);
  }

  // ---- what reality does to deliveries ----

  /** Whether the event may happen at all: nothing after the plan's latest event time. */
  private boolean happens(long eventTime) {
    return eventTime <= latestEventTime;
  }

  private void accept(Family family, SpecificRecord event) {
    accepted.merge(family, 1L, Long::sum);
    truth.accept(event);
  }

  /**
   * Queues the regular delivery of an accepted event, possibly late, possibly followed by a copy or
   * a conflict.
   */
  private void schedule(Family family, SpecificRecord event, String eventId, long arrival) {
    Injection kind = Injection.ORIGINAL;
    if (random.nextDouble() < plan.faults().lateRate()) {
      kind = Injection.LATE;
      arrival += lateDelay();
    }
    queue(new Delivery(arrival, sequence++, family, kind, eventId, event, null));
    if (random.nextDouble() < plan.faults().duplicateRate()) {
      queue(
          new Delivery(
              arrival + SECOND + random.nextLong(2 * HOUR),
              sequence++,
              family,
              Injection.DUPLICATE,
              eventId,
              event,
              null));
    }
    if (family != Family.BILLING && random.nextDouble() < plan.faults().conflictRate()) {
      // Minutes after the original, so even a concurrent sender delivers the original first.
      queue(
          new Delivery(
              arrival + MINUTE + random.nextLong(6 * HOUR),
              sequence++,
              family,
              Injection.CONFLICT,
              eventId,
              conflicting(event),
              null));
      conflictIds.add(eventId);
    }
  }

  /**
   * Log-uniform between 2 minutes and 6 days: within the 7-day bound even behind a late partner
   * report.
   */
  private long lateDelay() {
    double low = Math.log(2 * MINUTE);
    double high = Math.log(6 * DAY);
    return (long) Math.exp(low + random.nextDouble() * (high - low));
  }

  private SpecificRecord conflicting(SpecificRecord event) {
    if (event instanceof UsageEvent usage) {
      return UsageEvent.newBuilder(usage)
          .setOutputTokens(usage.getOutputTokens() + 1 + random.nextInt(100))
          .build();
    }
    FeedbackEvent feedback = (FeedbackEvent) event;
    return FeedbackEvent.newBuilder(feedback).setTrainable(!feedback.getTrainable()).build();
  }

  /**
   * Events from more than 7 days before the traffic around them: replayed from a stuck buffer, say.
   */
  private void tooLate(
      RegistrySnapshot snapshot, long hour, long hourEnd, long usageThisHour, long start) {
    long count = Poisson.sample(random, usageThisHour * plan.faults().tooLateRate());
    List<Channel> live =
        snapshot.channels().stream()
            .filter(c -> !RouteBehaviour.of(c.route()).hourlyAggregates())
            .toList();
    for (long i = 0; i < count && !live.isEmpty(); i++) {
      long arrival = hour + random.nextLong(hourEnd - hour);
      if (arrival < start + HOUR) {
        continue; // the pipeline needs traffic ahead of it to know it is late
      }
      Channel channel = live.get(random.nextInt(live.size()));
      long eventTime = arrival - 7 * DAY - 6 * HOUR - random.nextLong(3 * DAY);
      UsageEvent stale = newRequest(channel, RouteBehaviour.of(channel.route()), eventTime, 0);
      queue(
          new Delivery(
              arrival,
              sequence++,
              Family.USAGE,
              Injection.TOO_LATE,
              stale.getEventId(),
              stale,
              null));
      tooLateIds.add(stale.getEventId());
    }
  }

  /**
   * Records a broken client sends; each has its own event_id, so none collides with an accepted
   * event.
   */
  private void malformed(RegistrySnapshot snapshot, long hour, long hourEnd, long usageThisHour) {
    long count = Poisson.sample(random, usageThisHour * plan.faults().malformedRate());
    List<Channel> channels = List.copyOf(snapshot.channels());
    for (long i = 0; i < count; i++) {
      long arrival = hour + random.nextLong(hourEnd - hour);
      Channel channel = channels.get(random.nextInt(channels.size()));
      UsageEvent template =
          newRequest(channel, RouteBehaviour.of(channel.route()), arrival - SECOND, 0);
      String eventId = "bad-" + template.getEventId();
      ObjectNode json = EventJson.toTree(template);
      json.put("event_id", eventId);
      Family family = Family.USAGE;
      switch (random.nextInt(8)) {
        case 0 -> json.put("input_tokens", "lots");
        case 1 -> json.put("event_time", "yesterday");
        case 2 -> json.put("request_count", 0);
        case 3 -> json.put("channel_id", "no-such-channel");
        case 4 -> json.put("outcome", "EXPLODED");
        case 5 -> json.remove("account_id");
        case 6 -> {
          family = Family.FEEDBACK;
          json.removeAll();
          json.put("event_id", eventId)
              .put("event_time", template.getEventTime().toString())
              .put("channel_id", channel.id())
              .put("account_id", template.getAccountId())
              .put("model_id", template.getModelId())
              .put("feedback_id", "fbk-x")
              .put("kind", "MEH")
              .put("trainable", "yes")
              .put("source", "END_USER");
        }
        default -> {
          family = Family.BILLING;
          json.removeAll();
          json.put("event_id", eventId)
              .put("event_time", template.getEventTime().toString())
              .put("channel_id", channel.id())
              .put("account_id", "*")
              .put("model_id", "*")
              .put("billing_id", "inv-x")
              .put("kind", "CHARGE")
              .put("billed_by", "LAB")
              .put("currency", "dollars")
              .put("gross_amount", 12.5)
              .put("partner_fee", "0")
              .put("net_amount", "twelve")
              .put("period_start", template.getEventTime().toString())
              .put("period_end", template.getEventTime().toString());
        }
      }
      queue(
          new Delivery(
              arrival, sequence++, family, Injection.MALFORMED, eventId, null, json.toString()));
      malformedIds.add(eventId);
    }
  }

  private void queue(Delivery delivery) {
    pending.add(delivery);
    deliveries.merge(delivery.injection(), 1L, Long::sum);
  }

  private void deliverUntil(long before) {
    while (!pending.isEmpty() && pending.peek().arrivalMillis() < before) {
      out.accept(pending.poll());
      delivered++;
    }
  }

  /** Low ids come up more often than high ones, as a few heavy users and accounts do. */
  private int skewed(int pool) {
    double u = random.nextDouble();
    return (int) (pool * u * u);
  }
}
