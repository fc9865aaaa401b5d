package dev.routemetrics.query;

import dev.routemetrics.schemas.registry.Routes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * docs/domain.md#what-if: shifting a fraction f of a channel's requests in a period to a direct
 * channel gives those requests the target channel's per-request ratios of the same window (identity
 * visibility, trainable rate, net revenue, partner fee and gross per request), while the requests
 * left behind keep the source's ratios. Per window where the source has requests, with m = f ×
 * requests(source):
 *
 * <ul>
 *   <li><b>control score</b>: the window's request-weighted control score over every channel that
 *       has one ({@code Σ requests × score / Σ requests}), before and after. Each channel's ratios
 *       are unchanged by the shift, so only the weights move: m requests go from the source's score
 *       to the target's.
 *   <li><b>net revenue</b>, <b>partner fees</b> (per currency, exact): {@code m × target's amount /
 *       target's requests − f × source's amount}, rounded once to four places, half even.
 *   <li><b>identity-visible requests</b>: {@code m × (identity_visibility(target) −
 *       identity_visibility(source))}.
 *   <li><b>lost signals</b>: the window's lost signals summed over its indirect channels (the
 *       learning view's {@code max(0, direct_trainable_rate × requests − trainable)}), after minus
 *       before; the shifted requests join the direct pool at the target's trainable rate, so the
 *       pooled rate moves too.
 * </ul>
 *
 * A window whose target channel has no requests has no ratios to give the shifted requests: its row
 * says so and its changes are null, and the period row leaves it out. The period row sums the
 * windows' changes (money: of the rounded window amounts) and weighs control over all its windows.
 */
public final class WhatIf {

  /**
   * What to shift: a fraction in [0, 1] of {@code channelId}'s requests to the direct channel
   * {@code toChannelId}.
   */
  public record Shift(String channelId, String toChannelId, BigDecimal fraction) {
    public Shift {
      if (channelId == null || channelId.isBlank()) {
        throw new IllegalArgumentException(
            "channel: the channel to shift requests from is required");
      }
      if (toChannelId == null || toChannelId.isBlank()) {
        throw new IllegalArgumentException(
            "to: the direct channel to shift requests to is required");
      }
      if (channelId.equals(toChannelId)) {
        throw new IllegalArgumentException(
            "to: must differ from channel (both are '" + channelId + "')");
      }
      if (fraction == null || fraction.signum() < 0 || fraction.compareTo(BigDecimal.ONE) > 0) {
        throw new IllegalArgumentException(
            "shift: must be a fraction between 0 and 1, was " + fraction);
      }
    }
  }

  /**
   * One window's change (scope WINDOW), or the period's (scope PERIOD, windowStart null). Money
   * changes are per currency.
   */
  public record Row(
      String scope,
      Instant windowStart,
      String channelId,
      String toChannelId,
      double shift,
      Double movedRequests,
      Double controlScoreBefore,
      Double controlScoreAfter,
      Double controlScoreChange,
      Map<String, BigDecimal> netRevenueChange,
      Map<String, BigDecimal> partnerFeeChange,
      Double identityVisibleChange,
      Double lostSignalsChange,
      String note) {}

  private WhatIf() {}

  /**
   * @param usage every channel's rows of the range (the control score and the direct pool are over
   *     all channels)
   * @throws IllegalArgumentException when the target is not on a direct route
   */
  public static List<Row> compute(
      List<ChannelWindow.Usage> usage, List<ChannelWindow.Money> revenue, Shift shift) {
    for (ChannelWindow.Usage u : usage) {
      if (u.channelId().equals(shift.toChannelId()) && !u.isDirect()) {
        throw new IllegalArgumentException(
            "to: '"
                + shift.toChannelId()
                + "' is on route "
                + u.route()
                + ", not a direct route ("
                + String.join(", ", Routes.DIRECT_NAMES)
                + ")");
      }
    }
    Map<Instant, List<ChannelWindow.Usage>> byWindow =
        usage.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::windowStart, TreeMap::new, Collectors.toList()));
    Map<String, Double> ownership = ReachControl.billingOwnership(revenue);
    Map<String, List<ChannelWindow.Money>> money = new HashMap<>();
    for (ChannelWindow.Money m : revenue) {
      money.computeIfAbsent(key(m.windowStart(), m.channelId()), k -> new ArrayList<>()).add(m);
    }
    double f = shift.fraction().doubleValue();
    List<Row> rows = new ArrayList<>();
    double weightedBefore = 0;
    double weightedAfter = 0;
    double scoredBefore = 0;
    double scoredAfter = 0;
    double moved = 0;
    double identity = 0;
    double lost = 0;
    Map<String, BigDecimal> net = new TreeMap<>();
    Map<String, BigDecimal> fees = new TreeMap<>();
    int evaluated = 0;
    int skipped = 0;
    for (Map.Entry<Instant, List<ChannelWindow.Usage>> window : byWindow.entrySet()) {
      ChannelWindow.Usage source = find(window.getValue(), shift.channelId());
      if (source == null || source.requests() == 0) {
        continue;
      }
      ChannelWindow.Usage target = find(window.getValue(), shift.toChannelId());
      double m = f * source.requests();
      if (target == null || target.requests() == 0) {
        skipped++;
        rows.add(
            new Row(
                "WINDOW",
                window.getKey(),
                shift.channelId(),
                shift.toChannelId(),
                f,
                m,
                null,
                null,
                null,
                Map.of(),
                Map.of(),
                null,
                null,
                "'"
                    + shift.toChannelId()
                    + "' has no requests in this window: no ratios to give the shifted requests"));
        continue;
      }
      evaluated++;
      // Control: the same scores, new weights.
      double sumBefore = 0;
      double weightBefore = 0;
      double sumAfter = 0;
      double weightAfter = 0;
      for (ChannelWindow.Usage u : window.getValue()) {
        Double score = score(u, ownership.get(key(u.windowStart(), u.channelId())));
        if (score == null) {
          continue;
        }
        double after =
            u.equals(source)
                ? u.requests() - m
                : u.equals(target) ? u.requests() + m : u.requests();
        sumBefore += u.requests() * score;
        weightBefore += u.requests();
        sumAfter += after * score;
        weightAfter += after;
      }
      Double before = weightBefore == 0 ? null : sumBefore / weightBefore;
      Double after = weightAfter == 0 ? null : sumAfter / weightAfter;
      weightedBefore += sumBefore;
      scoredBefore += weightBefore;
      weightedAfter += sumAfter;
      scoredAfter += weightAfter;
      // Money, per currency: m × target amount / target requests − f × source amount, rounded once.
      Map<String, BigDecimal> netChange = new TreeMap<>();
      Map<String, BigDecimal> feeChange = new TreeMap<>();
      BigDecimal movedExact = shift.fraction().multiply(BigDecimal.valueOf(source.requests()));
      BigDecimal targetRequests = BigDecimal.valueOf(target.requests());
      Map<String, ChannelWindow.Money> sourceMoney =
          byCurrency(money.get(key(window.getKey(), source.channelId())));
      Map<String, ChannelWindow.Money> targetMoney =
          byCurrency(money.get(key(window.getKey(), target.channelId())));
      for (String currency : new TreeSet<>(union(sourceMoney.keySet(), targetMoney.keySet()))) {
        ChannelWindow.Money s = sourceMoney.get(currency);
        ChannelWindow.Money t = targetMoney.get(currency);
        BigDecimal n =
            change(
                movedExact,
                t == null ? BigDecimal.ZERO : t.net(),
                targetRequests,
                shift.fraction(),
                s == null ? BigDecimal.ZERO : s.net());
        BigDecimal fee =
            change(
                movedExact,
                t == null ? BigDecimal.ZERO : t.partnerFee(),
                targetRequests,
                shift.fraction(),
                s == null ? BigDecimal.ZERO : s.partnerFee());
        netChange.put(currency, n);
        feeChange.put(currency, fee);
        net.merge(currency, n, BigDecimal::add);
        fees.merge(currency, fee, BigDecimal::add);
      }
      double identityChange = m * (target.identityVisibility() - source.identityVisibility());
      double lostChange =
          lostSignals(window.getValue(), source, target, m, f)
              - lostSignals(window.getValue(), null, null, 0, 0);
      moved += m;
      identity += identityChange;
      lost += lostChange;
      rows.add(
          new Row(
              "WINDOW",
              window.getKey(),
              shift.channelId(),
              shift.toChannelId(),
              f,
              m,
              before,
              after,
              before == null || after == null ? null : after - before,
              netChange,
              feeChange,
              identityChange,
              lostChange,
              null));
    }
    Double periodBefore = scoredBefore == 0 ? null : weightedBefore / scoredBefore;
    Double periodAfter = scoredAfter == 0 ? null : weightedAfter / scoredAfter;
    String note =
        evaluated
            + " window(s) evaluated"
            + (skipped == 0 ? "" : ", " + skipped + " without target requests left out");
    rows.add(
        new Row(
            "PERIOD",
            null,
            shift.channelId(),
            shift.toChannelId(),
            f,
            moved,
            periodBefore,
            periodAfter,
            periodBefore == null || periodAfter == null ? null : periodAfter - periodBefore,
            net,
            fees,
            identity,
            lost,
            note));
    return rows;
  }

  /**
   * (m × targetAmount − f × sourceAmount × targetRequests) / targetRequests, rounded once to four
   * places.
   */
  static BigDecimal change(
      BigDecimal moved,
      BigDecimal targetAmount,
      BigDecimal targetRequests,
      BigDecimal fraction,
      BigDecimal sourceAmount) {
    return moved
        .multiply(targetAmount)
        .subtract(fraction.multiply(sourceAmount).multiply(targetRequests))
        .divide(targetRequests, Amounts.SCALE, RoundingMode.HALF_EVEN);
  }

  /**
   * The control score docs/domain.md defines, null without identity visibility or billing
   * ownership.
   */
  static Double score(ChannelWindow.Usage u, Double billingOwnership) {
    Double identity = u.identityVisibility();
    return identity == null || billingOwnership == null
        ? null
        : (u.controlPointsOwned() / 6.0 + identity + billingOwnership) / 3.0;
  }

  /**
   * The window's lost signals over its indirect channels, with m of the source's requests (and f of
   * its trainable feedback) moved to the target at the target's trainable rate; null source for as
   * is.
   */
  private static double lostSignals(
      List<ChannelWindow.Usage> window,
      ChannelWindow.Usage source,
      ChannelWindow.Usage target,
      double m,
      double f) {
    double directTrainable = 0;
    double directRequests = 0;
    Map<ChannelWindow.Usage, double[]> after = new HashMap<>();
    for (ChannelWindow.Usage u : window) {
      double requests = u.requests();
      double trainable = u.trainableFeedback();
      if (u.equals(source)) {
        requests -= m;
        trainable -= f * u.trainableFeedback();
      } else if (u.equals(target)) {
        trainable += m * u.trainableFeedback() / (double) u.requests();
        requests += m;
      }
      after.put(u, new double[] {requests, trainable});
      if (u.isDirect()) {
        directTrainable += trainable;
        directRequests += requests;
      }
    }
    if (directRequests == 0) {
      return 0;
    }
    double rate = directTrainable / directRequests;
    double lost = 0;
    for (ChannelWindow.Usage u : window) {
      if (!u.isDirect()) {
        double[] counts = after.get(u);
        lost += Math.max(0, rate * counts[0] - counts[1]);
      }
    }
    return lost;
  }

  private static ChannelWindow.Usage find(List<ChannelWindow.Usage> window, String channelId) {
    return window.stream().filter(u -> u.channelId().equals(channelId)).findFirst().orElse(null);
  }

  private static Map<String, ChannelWindow.Money> byCurrency(List<ChannelWindow.Money> rows) {
    Map<String, ChannelWindow.Money> out = new HashMap<>();
    if (rows != null) {
      rows.forEach(m -> out.put(m.currency(), m));
    }
    return out;
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  private static String key(Instant windowStart, String channelId) {
    return windowStart.toEpochMilli() + "|" + channelId;
  }
}
