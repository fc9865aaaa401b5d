package dev.routemetrics.query;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * docs/domain.md#substitution-risk per channel over a period of HOUR windows: latency and price
 * elasticity ({@link ElasticityFit}), share volatility (standard deviation over mean of the
 * channel's daily request share, population form, over the days with any traffic in the period),
 * and the rented-volume flag: latency or price elasticity above 1 and a top-quartile request share
 * of the period (the ceil(n/4) channels with the most requests, ties by id, as reach-control's).
 *
 * <p>Windows enter the fit when they have requests and a p95 latency above 0. Net revenue per
 * request is read in the channel's currency with the most windows of positive net (ties by code);
 * the price term is in when at least {@link ElasticityFit#MIN_WINDOWS} of the usable windows carry
 * positive net in it, and the fit then runs on those windows; otherwise it is left out.
 */
public final class Substitution {

  /** Above this, traffic is substitutable (docs/domain.md). */
  public static final double SUBSTITUTABLE = 1.0;

  /** One channel over the period. */
  public record Row(
      String channelId,
      String route,
      long requests,
      Double requestShare,
      int windows,
      Double latencyElasticity,
      Double latencyElasticityError,
      Double priceElasticity,
      Double priceElasticityError,
      String priceCurrency,
      Double shareVolatility,
      boolean topQuartile,
      boolean rentedVolume,
      String note) {}

  private Substitution() {}

  /**
   * @param usage every channel's HOUR rows of the period; revenue the same windows'
   */
  public static List<Row> compute(
      List<ChannelWindow.Usage> usage, List<ChannelWindow.Money> revenue) {
    Map<String, List<ChannelWindow.Usage>> byChannel =
        usage.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::channelId, TreeMap::new, Collectors.toList()));
    Map<String, List<ChannelWindow.Money>> moneyByChannel =
        revenue.stream().collect(Collectors.groupingBy(ChannelWindow.Money::channelId));
    long total = usage.stream().mapToLong(ChannelWindow.Usage::requests).sum();
    Map<String, Long> perChannel = new HashMap<>();
    byChannel.forEach(
        (c, rows) ->
            perChannel.put(c, rows.stream().mapToLong(ChannelWindow.Usage::requests).sum()));
    List<String> busy =
        perChannel.entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .map(Map.Entry::getKey)
            .toList();
    Set<String> top = Set.copyOf(busy.subList(0, (busy.size() + 3) / 4));
    Map<Instant, Long> dayTotals = new TreeMap<>();
    for (ChannelWindow.Usage u : usage) {
      dayTotals.merge(u.windowStart().truncatedTo(ChronoUnit.DAYS), u.requests(), Long::sum);
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, List<ChannelWindow.Usage>> channel : byChannel.entrySet()) {
      List<ChannelWindow.Usage> windows = channel.getValue();
      Map<Instant, ChannelWindow.Usage> byWindow = new HashMap<>();
      windows.forEach(u -> byWindow.put(u.windowStart(), u));
      List<ChannelWindow.Usage> usable =
          windows.stream()
              .filter(u -> u.requests() > 0 && u.latencyP95Ms() != null && u.latencyP95Ms() > 0)
              .sorted(Comparator.comparing(ChannelWindow.Usage::windowStart))
              .toList();
      // Net per window in the channel's main currency.
      Map<String, Map<Instant, BigDecimal>> net = new TreeMap<>();
      for (ChannelWindow.Money m : moneyByChannel.getOrDefault(channel.getKey(), List.of())) {
        net.computeIfAbsent(m.currency(), c -> new HashMap<>())
            .merge(m.windowStart(), m.net(), BigDecimal::add);
      }
      String currency = null;
      long best = 0;
      for (Map.Entry<String, Map<Instant, BigDecimal>> c : net.entrySet()) {
        long positive = c.getValue().values().stream().filter(a -> a.signum() > 0).count();
        if (positive > best) {
          best = positive;
          currency = c.getKey();
        }
      }
      Map<Instant, BigDecimal> mainNet = currency == null ? Map.of() : net.get(currency);
      List<ChannelWindow.Usage> priced =
          usable.stream()
              .filter(u -> mainNet.getOrDefault(u.windowStart(), BigDecimal.ZERO).signum() > 0)
              .toList();
      boolean withPrice = priced.size() >= ElasticityFit.MIN_WINDOWS;
      List<ChannelWindow.Usage> fitted = withPrice ? priced : usable;
      int n = fitted.size();
      double[] requests = new double[n];
      double[] p95 = new double[n];
      double[] price = withPrice ? new double[n] : null;
      int[] hour = new int[n];
      for (int i = 0; i < n; i++) {
        ChannelWindow.Usage u = fitted.get(i);
        requests[i] = u.requests();
        p95[i] = u.latencyP95Ms();
        hour[i] = u.windowStart().atZone(ZoneOffset.UTC).getHour();
        if (withPrice) {
          price[i] =
              mainNet
                  .get(u.windowStart())
                  .divide(BigDecimal.valueOf(u.requests()), MathContext.DECIMAL64)
                  .doubleValue();
        }
      }
      ElasticityFit.Result fit = ElasticityFit.fit(requests, p95, price, hour);
      String note =
          n < ElasticityFit.MIN_WINDOWS
              ? n + " usable HOUR windows, fewer than " + ElasticityFit.MIN_WINDOWS
              : fit == null
                  ? "latency (and price) do not vary apart from the hour of day: no reaction to"
                      + " read"
                  : withPrice ? null : "no revenue in enough windows: price term left out";
      // Share volatility over the days with traffic.
      Map<Instant, Long> mine = new TreeMap<>();
      windows.forEach(
          u -> mine.merge(u.windowStart().truncatedTo(ChronoUnit.DAYS), u.requests(), Long::sum));
      List<Double> shares = new ArrayList<>();
      dayTotals.forEach(
          (day, all) -> {
            if (all > 0) {
              shares.add((double) mine.getOrDefault(day, 0L) / all);
            }
          });
      Double volatility = volatility(shares);
      long channelRequests = perChannel.get(channel.getKey());
      boolean isTop = top.contains(channel.getKey());
      boolean substitutable =
          fit != null
              && (fit.latency() > SUBSTITUTABLE
                  || (fit.price() != null && fit.price() > SUBSTITUTABLE));
      rows.add(
          new Row(
              channel.getKey(),
              windows.get(0).route(),
              channelRequests,
              ChannelWindow.ratio(channelRequests, total),
              n,
              fit == null ? null : fit.latency(),
              fit == null ? null : fit.latencyError(),
              fit == null ? null : fit.price(),
              fit == null ? null : fit.priceError(),
              withPrice ? currency : null,
              volatility,
              isTop,
              isTop && substitutable,
              note));
    }
    return rows;
  }

  /** Population standard deviation over mean; null without days or with a mean of 0. */
  static Double volatility(List<Double> shares) {
    if (shares.isEmpty()) {
      return null;
    }
    double mean = shares.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    if (mean == 0) {
      return null;
    }
    double variance =
        shares.stream().mapToDouble(s -> (s - mean) * (s - mean)).sum() / shares.size();
    return Math.sqrt(variance) / mean;
  }
}
