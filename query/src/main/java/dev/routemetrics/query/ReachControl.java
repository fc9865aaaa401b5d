package dev.routemetrics.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Data teams' and operators' reach-versus-control table: per window and channel, request share,
 * identity visibility, billing ownership, control points and control score, the
 * volume-without-control flag, net revenue per currency, and per window the partner concentration.
 */
public final class ReachControl {

  /** Below this control score a high-volume channel is volume without control (docs/domain.md). */
  public static final double LOW_CONTROL = 0.34;

  /** One channel in one window. */
  public record Row(
      Instant windowStart,
      String channelId,
      String route,
      long requests,
      Double requestShare,
      Double identityVisibility,
      Double billingOwnership,
      int controlPointsOwned,
      Double controlScore,
      boolean topQuartile,
      boolean volumeWithoutControl,
      Map<String, BigDecimal> netRevenue) {}

  /** One window: its channels and the Herfindahl index of partners' shares of indirect requests. */
  public record Window(Instant windowStart, Double partnerConcentration, List<Row> channels) {}

  private ReachControl() {}

  public static List<Window> compute(
      List<ChannelWindow.Usage> usage, List<ChannelWindow.Money> revenue) {
    Map<Instant, List<ChannelWindow.Usage>> byWindow =
        usage.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::windowStart, TreeMap::new, Collectors.toList()));
    Map<String, Double> ownership = billingOwnership(revenue);
    Map<String, Map<String, BigDecimal>> net = netRevenue(revenue);
    List<Window> windows = new ArrayList<>();
    for (Map.Entry<Instant, List<ChannelWindow.Usage>> window : byWindow.entrySet()) {
      long total = window.getValue().stream().mapToLong(ChannelWindow.Usage::requests).sum();
      Set<String> topQuartile = topQuartile(window.getValue());
      List<Row> rows = new ArrayList<>();
      for (ChannelWindow.Usage u : window.getValue()) {
        Double share = ChannelWindow.ratio(u.requests(), total);
        Double billing = ownership.get(key(u.windowStart(), u.channelId()));
        Double identity = u.identityVisibility();
        Double score =
            identity == null || billing == null
                ? null
                : (u.controlPointsOwned() / 6.0 + identity + billing) / 3.0;
        boolean top = topQuartile.contains(u.channelId());
        rows.add(
            new Row(
                u.windowStart(),
                u.channelId(),
                u.route(),
                u.requests(),
                share,
                identity,
                billing,
                u.controlPointsOwned(),
                score,
                top,
                top && score != null && score < LOW_CONTROL,
                net.getOrDefault(key(u.windowStart(), u.channelId()), Map.of())));
      }
      windows.add(new Window(window.getKey(), partnerConcentration(window.getValue()), rows));
    }
    return windows;
  }

  /**
   * A channel's billing ownership: net billed by the lab over all net, per currency, then the mean
   * over its currencies (there are no exchange rates to add currencies with).
   */
  static Map<String, Double> billingOwnership(List<ChannelWindow.Money> revenue) {
    Map<String, List<Double>> perCurrency = new HashMap<>();
    for (ChannelWindow.Money m : revenue) {
      Double ratio = m.billingOwnership();
      if (ratio != null) {
        perCurrency
            .computeIfAbsent(key(m.windowStart(), m.channelId()), k -> new ArrayList<>())
            .add(ratio);
      }
    }
    Map<String, Double> mean = new HashMap<>();
    perCurrency.forEach(
        (k, ratios) ->
            mean.put(k, ratios.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
    return mean;
  }

  /**
   * A channel's net revenue in the window, per currency (sorted), for sizing it on the dashboard.
   */
  static Map<String, Map<String, BigDecimal>> netRevenue(List<ChannelWindow.Money> revenue) {
    Map<String, Map<String, BigDecimal>> net = new HashMap<>();
    for (ChannelWindow.Money m : revenue) {
      net.computeIfAbsent(key(m.windowStart(), m.channelId()), k -> new TreeMap<>())
          .merge(m.currency(), m.net(), BigDecimal::add);
    }
    return net;
  }

  /**
   * The top quartile of request share: the ceil(n/4) channels with the most requests among the n
   * channels that have any, ties broken by channel id so the answer never depends on row order.
   */
  static Set<String> topQuartile(List<ChannelWindow.Usage> window) {
    List<ChannelWindow.Usage> busy =
        window.stream()
            .filter(u -> u.requests() > 0)
            .sorted(
                Comparator.comparingLong(ChannelWindow.Usage::requests)
                    .reversed()
                    .thenComparing(ChannelWindow.Usage::channelId))
            .toList();
    return busy.subList(0, (busy.size() + 3) / 4).stream()
        .map(ChannelWindow.Usage::channelId)
        .collect(Collectors.toSet());
  }

  /**
   * Sum over partners of (partner's indirect requests / all indirect requests)², null without
   * indirect requests.
   */
  static Double partnerConcentration(List<ChannelWindow.Usage> window) {
    Map<String, Long> byPartner = new HashMap<>();
    long indirect = 0;
    for (ChannelWindow.Usage u : window) {
      if (!u.isDirect()) {
        byPartner.merge(
            u.partnerId() == null ? u.channelId() : u.partnerId(), u.requests(), Long::sum);
        indirect += u.requests();
      }
    }
    if (indirect == 0) {
      return null;
    }
    double hhi = 0;
    for (long requests : byPartner.values()) {
      double share = (double) requests / indirect;
      hhi += share * share;
    }
    return hhi;
  }

  private static String key(Instant windowStart, String channelId) {
    return windowStart.toEpochMilli() + "|" + channelId;
  }
}
