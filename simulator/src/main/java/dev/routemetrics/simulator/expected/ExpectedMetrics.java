package dev.routemetrics.simulator.expected;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The reference calculation: docs/domain.md's metrics computed the plain way, straight from the
 * events, sharing no code with the pipeline, so the pipeline's tests have an independent answer to
 * compare with row by row. Feed it only the events the pipeline should count (distinct, accepted,
 * not too late): it does not deduplicate, so a feedback event counts at most once only if it is fed
 * once, and conflicting copies and too-late events, which the pipeline quarantines, must not be
 * fed. The order of events does not matter, except between usage events naming one request_id
 * (below).
 *
 * <p>Choices docs/domain.md leaves open, made here so both sides make the same ones (docs/domain.md
 * states them too):
 *
 * <ul>
 *   <li>Every family lands in the window of its own event_time (billing too: a charge counts when
 *       it is billed, not in the period it covers).
 *   <li>error_rate counts every outcome other than SUCCESS as an error, weighted by request_count.
 *   <li>Revenue sums CHARGE, REFUND and CREDIT, whose amounts are signed; a PARTNER_STATEMENT is a
 *       claim to reconcile, never revenue. capture_rate uses only the events whose gross is known.
 *   <li>Ratios over money are computed per currency (no exchange rates); the row's capture_rate and
 *       billing_ownership are the mean of the per-currency values.
 *   <li>control_points_owned comes from the registry as it was at the window's start; control_score
 *       is null when identity_visibility or billing_ownership is (a window without requests or
 *       without revenue).
 *   <li>Learning by the request's window (docs/domain.md#learning-retention): a feedback event is
 *       <em>about</em> a request when its request_id names a usage event's request_id and its
 *       event_time lies in [request time, request time + 7 days], both ends included. Such feedback
 *       counts in feedback_events (and trainable_feedback when trainable) of the request's MINUTE,
 *       HOUR and DAY windows on the request's channel (the usage's channel_id, whatever channel the
 *       feedback names), and the request's request_count in covered_requests, once however many
 *       feedback events are about it. Feedback naming no request, a request never seen, or lying
 *       outside that interval is about no request and counts there nowhere.
 *   <li>Every feedback event counts in feedback_received (and trainable_received) of the windows of
 *       its own event_time on its own channel_id, whatever request it names or fails to name.
 *   <li>trainable_rate, feedback_coverage, learning_loss and lost_signals use the counts about the
 *       window's requests, never the received ones: they divide counts of the same requests. The
 *       direct yardstick pools trainable_feedback and requests of all direct channels in the
 *       window.
 *   <li>When two usage events (different event_ids) name the same request_id, the request is the
 *       first one accepted here: feedback is attributed to its channel and time, and coverage goes
 *       with it; the later one still counts as usage (requests, tokens) but is never covered. The
 *       pipeline keeps the first usage that reaches its join, so a test that sends such a pair must
 *       feed this calculator in the order the pipeline reads them (the simulator never reuses a
 *       request_id).
 * </ul>
 */
public final class ExpectedMetrics {

  public static final Duration FEEDBACK_HORIZON = Duration.ofDays(7);

  /** Both outputs: rows for every window size, and one reconciliation per partner statement. */
  public record Result(
      List<MetricsRow> rows,
      List<WindowSummary> windows,
      List<StatementReconciliation> reconciliations) {}

  private record Cell(WindowSize size, long start, String channelId) {}

  private record UsageRef(String channelId, long eventTime, int requestCount) {}

  private record FeedbackRef(long eventTime, boolean trainable) {}

  private final ChannelRegistry registry;
  private final Map<Cell, ChannelWindow> cells = new HashMap<>();
  private final Map<String, UsageRef> usageByRequest = new HashMap<>();
  private final Map<String, List<FeedbackRef>> feedbackByRequest = new HashMap<>();

  /** Requests per channel per minute, for reconciling statements over any minute-aligned period. */
  private final Map<String, NavigableMap<Long, Long>> meteredRequests = new HashMap<>();

  /** Partner-billed net per channel and currency, by period_start. */
  private final Map<String, NavigableMap<Long, BigDecimal>> meteredNet = new HashMap<>();

  private final List<BillingEvent> statements = new ArrayList<>();

  public ExpectedMetrics(ChannelRegistry registry) {
    this.registry = registry;
  }

  public void accept(SpecificRecord event) {
    if (event instanceof UsageEvent usage) {
      usage(usage);
    } else if (event instanceof BillingEvent billing) {
      billing(billing);
    } else if (event instanceof FeedbackEvent feedback) {
      feedback(feedback);
    } else {
      throw new IllegalArgumentException("not an event family: " + event.getClass().getName());
    }
  }

  public void usage(UsageEvent e) {
    long time = e.getEventTime().toEpochMilli();
    int count = e.getRequestCount();
    for (WindowSize size : WindowSize.values()) {
      ChannelWindow w = cell(size, time, e.getChannelId());
      w.usageEvents++;
      w.requests += count;
      w.inputTokens += e.getInputTokens();
      w.outputTokens += e.getOutputTokens();
      if (e.getOutcome() != Outcome.SUCCESS) {
        w.errorRequests += count;
      }
      if (e.getEndUserRef() != null && !e.getEndUserRef().isEmpty()) {
        w.requestsWithEndUser += count;
        w.endUsers.add(e.getEndUserRef());
      }
      if (e.getTelemetry() == TelemetryLevel.FULL) {
        w.fullTelemetryRequests += count;
      }
      w.accounts.add(e.getAccountId());
    }
    // The first usage event naming a request_id is the request (see the class comment).
    usageByRequest.putIfAbsent(e.getRequestId(), new UsageRef(e.getChannelId(), time, count));
    meteredRequests
        .computeIfAbsent(e.getChannelId(), c -> new TreeMap<>())
        .merge(WindowSize.MINUTE.startOf(time), (long) count, Long::sum);
  }

  public void billing(BillingEvent e) {
    if (e.getKind() == BillingKind.PARTNER_STATEMENT) {
      statements.add(e);
      return;
    }
    long time = e.getEventTime().toEpochMilli();
    for (WindowSize size : WindowSize.values()) {
      ChannelWindow.Money m = cell(size, time, e.getChannelId()).money(e.getCurrency());
      if (e.getGrossAmount() != null) {
        m.gross = m.gross.add(e.getGrossAmount());
        m.netWhereGrossKnown = m.netWhereGrossKnown.add(e.getNetAmount());
      }
      m.partnerFee = m.partnerFee.add(e.getPartnerFee());
      m.net = m.net.add(e.getNetAmount());
      if (e.getBilledBy() == BilledBy.LAB) {
        m.netBilledByLab = m.netBilledByLab.add(e.getNetAmount());
      }
    }
    if (e.getBilledBy() == BilledBy.PARTNER) {
      meteredNet
          .computeIfAbsent(e.getChannelId() + "|" + e.getCurrency(), k -> new TreeMap<>())
          .merge(e.getPeriodStart().toEpochMilli(), e.getNetAmount(), BigDecimal::add);
    }
  }

  public void feedback(FeedbackEvent e) {
    long time = e.getEventTime().toEpochMilli();
    for (WindowSize size : WindowSize.values()) {
      ChannelWindow w = cell(size, time, e.getChannelId());
      w.feedbackReceived++;
      if (e.getTrainable()) {
        w.trainableReceived++;
      }
    }
    if (e.getRequestId() != null) {
      feedbackByRequest
          .computeIfAbsent(e.getRequestId(), r -> new ArrayList<>(1))
          .add(new FeedbackRef(time, e.getTrainable()));
    }
  }

  private ChannelWindow cell(WindowSize size, long time, String channelId) {
    return cells.computeIfAbsent(
        new Cell(size, size.startOf(time), channelId), c -> new ChannelWindow());
  }

  /** The metrics of everything accepted so far. Call once, after the last event. */
  public Result result() {
    attributeFeedbackToRequests();
    List<WindowSummary> windows = new ArrayList<>();
    return new Result(rows(windows), windows, reconciliations());
  }

  /**
   * Feedback about a request, in the request's windows and channel: feedback_events,
   * trainable_feedback and covered_requests. Done once all events are in, so arrival order cannot
   * matter.
   */
  private void attributeFeedbackToRequests() {
    long horizon = FEEDBACK_HORIZON.toMillis();
    for (Map.Entry<String, List<FeedbackRef>> feedback : feedbackByRequest.entrySet()) {
      UsageRef usage = usageByRequest.get(feedback.getKey());
      if (usage == null) {
        continue; // a request never seen: the feedback is only received
      }
      long about = 0;
      long trainable = 0;
      for (FeedbackRef f : feedback.getValue()) {
        if (f.eventTime() >= usage.eventTime() && f.eventTime() <= usage.eventTime() + horizon) {
          about++;
          trainable += f.trainable() ? 1 : 0;
        }
      }
      if (about == 0) {
        continue;
      }
      for (WindowSize size : WindowSize.values()) {
        ChannelWindow w = cell(size, usage.eventTime(), usage.channelId());
        w.feedbackEvents += about;
        w.trainableFeedback += trainable;
        w.coveredRequests += usage.requestCount();
      }
    }
  }

  private List<MetricsRow> rows(List<WindowSummary> windows) {
    Map<Cell, List<Cell>> byWindow = new LinkedHashMap<>();
    cells.keySet().stream()
        .sorted(
            Comparator.comparing(Cell::size)
                .thenComparingLong(Cell::start)
                .thenComparing(Cell::channelId))
        .forEach(
            c ->
                byWindow
                    .computeIfAbsent(new Cell(c.size(), c.start(), ""), k -> new ArrayList<>())
                    .add(c));
    List<MetricsRow> rows = new ArrayList<>(cells.size());
    for (Map.Entry<Cell, List<Cell>> window : byWindow.entrySet()) {
      Instant start = Instant.ofEpochMilli(window.getKey().start());
      var snapshot = registry.asOf(start);
      long allRequests = 0;
      long directRequests = 0;
      long directTrainable = 0;
      Map<String, Long> partnerRequests = new HashMap<>();
      for (Cell c : window.getValue()) {
        ChannelWindow w = cells.get(c);
        allRequests += w.requests;
        Optional<Channel> channel = channel(snapshot.find(c.channelId()), c.channelId());
        if (channel.map(Channel::isDirect).orElse(false)) {
          directRequests += w.requests;
          directTrainable += w.trainableFeedback;
        } else if (channel.isPresent() && w.requests > 0) {
          String partner =
              channel.get().partnerId() != null ? channel.get().partnerId() : channel.get().id();
          partnerRequests.merge(partner, w.requests, Long::sum);
        }
      }
      Double directTrainableRate = ratio(directTrainable, directRequests);
      List<MetricsRow> windowRows = new ArrayList<>();
      for (Cell c : window.getValue()) {
        Optional<Channel> channel = channel(snapshot.find(c.channelId()), c.channelId());
        windowRows.add(
            row(
                c,
                start,
                cells.get(c),
                channel,
                snapshot.version(),
                allRequests,
                directTrainableRate));
      }
      rows.addAll(windowRows);
      windows.add(
          new WindowSummary(
              window.getKey().size(),
              start,
              allRequests,
              directTrainableRate,
              herfindahl(partnerRequests),
              volumeWithoutControl(windowRows)));
    }
    return rows;
  }

  /** Sum of squared shares; one partner with everything scores 1. */
  private static Double herfindahl(Map<String, Long> requestsByPartner) {
    long total = requestsByPartner.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return null;
    }
    double index = 0;
    for (long requests : requestsByPartner.values()) {
      double share = (double) requests / total;
      index += share * share;
    }
    return index;
  }

  private static List<String> volumeWithoutControl(List<MetricsRow> rows) {
    List<MetricsRow> withRequests =
        rows.stream()
            .filter(r -> r.requests() > 0)
            .sorted(
                Comparator.comparingLong(MetricsRow::requests)
                    .reversed()
                    .thenComparing(MetricsRow::channelId))
            .toList();
    int topQuartile = (withRequests.size() + 3) / 4;
    return withRequests.subList(0, topQuartile).stream()
        .filter(r -> r.controlScore() != null && r.controlScore() < WindowSummary.LOW_CONTROL)
        .map(MetricsRow::channelId)
        .sorted()
        .toList();
  }

  /**
   * The channel as the registry had it then; one added mid-window is taken from the latest version.
   */
  private Optional<Channel> channel(Optional<Channel> then, String channelId) {
    return then.isPresent() ? then : registry.find(channelId);
  }

  private static MetricsRow row(
      Cell c,
      Instant start,
      ChannelWindow w,
      Optional<Channel> channel,
      int registryVersion,
      long allRequests,
      Double directTrainableRate) {
    List<MetricsRow.Revenue> revenue = new ArrayList<>();
    double captureSum = 0;
    int captureCount = 0;
    double ownershipSum = 0;
    int ownershipCount = 0;
    for (Map.Entry<String, ChannelWindow.Money> e : w.revenue.entrySet()) {
      ChannelWindow.Money m = e.getValue();
      Double capture = ratio(m.netWhereGrossKnown, m.gross);
      Double ownership = ratio(m.netBilledByLab, m.net);
      revenue.add(
          new MetricsRow.Revenue(
              e.getKey(), m.gross, m.partnerFee, m.net, m.netBilledByLab, capture, ownership));
      if (capture != null) {
        captureSum += capture;
        captureCount++;
      }
      if (ownership != null) {
        ownershipSum += ownership;
        ownershipCount++;
      }
    }
    Double captureRate = captureCount == 0 ? null : captureSum / captureCount;
    Double billingOwnership = ownershipCount == 0 ? null : ownershipSum / ownershipCount;
    int owned = channel.map(Channel::controlPointsOwned).orElse(0);
    Double identityVisibility = ratio(w.requestsWithEndUser, w.requests);
    Double controlScore =
        identityVisibility == null || billingOwnership == null
            ? null
            : (owned / 6.0 + identityVisibility + billingOwnership) / 3.0;
    Double trainableRate = ratio(w.trainableFeedback, w.requests);
    Double learningLoss =
        trainableRate == null || directTrainableRate == null || directTrainableRate == 0
            ? null
            : Math.max(0, Math.min(1, 1 - trainableRate / directTrainableRate));
    Double lostSignals =
        directTrainableRate == null
            ? null
            : Math.max(0, directTrainableRate * w.requests - w.trainableFeedback);
    return new MetricsRow(
        c.size(),
        start,
        c.channelId(),
        channel.map(ch -> ch.route().name()).orElse(null),
        registryVersion,
        w.usageEvents,
        w.requests,
        w.inputTokens,
        w.outputTokens,
        w.accounts.size(),
        w.endUsers.size(),
        ratio(w.requests, allRequests),
        identityVisibility,
        ratio(w.errorRequests, w.requests),
        revenue,
        captureRate,
        billingOwnership,
        owned,
        controlScore,
        w.feedbackEvents,
        w.trainableFeedback,
        w.coveredRequests,
        w.feedbackReceived,
        w.trainableReceived,
        ratio(w.coveredRequests, w.requests),
        trainableRate,
        ratio(w.fullTelemetryRequests, w.requests),
        learningLoss,
        lostSignals);
  }

  private List<StatementReconciliation> reconciliations() {
    List<StatementReconciliation> out = new ArrayList<>();
    statements.sort(
        Comparator.comparing(BillingEvent::getPeriodStart)
            .thenComparing(BillingEvent::getChannelId));
    for (BillingEvent s : statements) {
      long from = s.getPeriodStart().toEpochMilli();
      long to = s.getPeriodEnd().toEpochMilli();
      long metered =
          meteredRequests
              .getOrDefault(s.getChannelId(), new TreeMap<>())
              .subMap(from, to)
              .values()
              .stream()
              .mapToLong(Long::longValue)
              .sum();
      BigDecimal net =
          meteredNet
              .getOrDefault(s.getChannelId() + "|" + s.getCurrency(), new TreeMap<>())
              .subMap(from, to)
              .values()
              .stream()
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      Long reported = s.getReportedRequestCount();
      Double requestGap =
          reported == null || metered == 0 ? null : (reported - metered) * 100.0 / metered;
      Double netGap =
          net.signum() == 0
              ? null
              : s.getNetAmount().subtract(net).doubleValue() * 100.0 / net.doubleValue();
      String partner =
          registry.find(s.getChannelId()).map(Channel::partnerId).orElse(s.getAccountId());
      out.add(
          new StatementReconciliation(
              s.getBillingId(),
              s.getChannelId(),
              partner,
              s.getPeriodStart(),
              s.getPeriodEnd(),
              s.getCurrency(),
              reported,
              metered,
              requestGap,
              s.getNetAmount(),
              net,
              netGap));
    }
    return out;
  }

  private static Double ratio(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  private static Double ratio(BigDecimal numerator, BigDecimal denominator) {
    return denominator.signum() == 0 ? null : numerator.doubleValue() / denominator.doubleValue();
  }
}
