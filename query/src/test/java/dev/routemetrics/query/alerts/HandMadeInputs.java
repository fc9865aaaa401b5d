package dev.routemetrics.query.alerts;

import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Windows and statements written by hand in a test, answered by range the way ClickHouse would. */
final class HandMadeInputs implements AlertInputs {

  final Map<WindowSize, List<ChannelWindow.Usage>> usage = new EnumMap<>(WindowSize.class);
  final Map<WindowSize, List<ChannelWindow.Money>> revenue = new EnumMap<>(WindowSize.class);
  final List<PartnerStatement> statements = new ArrayList<>();
  Exception failure;

  HandMadeInputs() {
    for (WindowSize size : WindowSize.values()) {
      usage.put(size, new ArrayList<>());
      revenue.put(size, new ArrayList<>());
    }
  }

  static ChannelWindow.Usage usage(
      Instant window,
      String channel,
      String route,
      String partner,
      int controlPoints,
      long requests,
      long identified,
      long covered,
      Instant newest) {
    return new ChannelWindow.Usage(
        window,
        channel,
        route,
        partner,
        controlPoints,
        requests,
        requests,
        0,
        0,
        1,
        0,
        identified,
        0,
        null,
        null,
        null,
        0,
        covered,
        0,
        covered,
        newest);
  }

  static ChannelWindow.Money money(
      Instant window,
      String channel,
      String route,
      String partner,
      String net,
      String netBilledByLab) {
    BigDecimal n = new BigDecimal(net);
    return new ChannelWindow.Money(
        window,
        channel,
        "USD",
        route,
        partner,
        1,
        n,
        n,
        BigDecimal.ZERO,
        n,
        new BigDecimal(netBilledByLab));
  }

  /** Replaces the row of the same window and channel, as a newer version in ClickHouse would. */
  void put(WindowSize size, ChannelWindow.Usage row) {
    usage
        .get(size)
        .removeIf(
            u ->
                u.windowStart().equals(row.windowStart()) && u.channelId().equals(row.channelId()));
    usage.get(size).add(row);
  }

  @Override
  public List<ChannelWindow.Usage> usage(TimeRange range) throws Exception {
    if (failure != null) {
      throw failure;
    }
    return usage.get(range.windowSize()).stream()
        .filter(u -> in(range, u.windowStart(), u.channelId()))
        .toList();
  }

  @Override
  public List<ChannelWindow.Money> revenue(TimeRange range) throws Exception {
    if (failure != null) {
      throw failure;
    }
    return revenue.get(range.windowSize()).stream()
        .filter(m -> in(range, m.windowStart(), m.channelId()))
        .toList();
  }

  @Override
  public List<PartnerStatement> statements(Instant since) {
    return statements.stream().filter(s -> !s.until().isBefore(since)).toList();
  }

  private static boolean in(TimeRange range, Instant start, String channel) {
    return !start.isBefore(range.from())
        && start.isBefore(range.until())
        && (range.channels().isEmpty() || range.channels().contains(channel));
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now;

    TestClock(Instant now) {
      this.now = now;
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
}
