package dev.routemetrics.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finance's view: direct versus partner revenue per period (day or month) and currency, with the
 * partners' take and the capture rate. Amounts stay exact decimals end to end.
 */
public final class Finance {

  /** How revenue is bucketed. */
  public enum Period {
    DAY,
    MONTH
  }

  /** One period, currency and side (direct or partner). */
  public record Row(
      Instant periodStart,
      String currency,
      String side,
      long billingEvents,
      BigDecimal gross,
      BigDecimal partnerFee,
      BigDecimal net,
      BigDecimal netBilledByLab,
      Double partnerTake,
      Double captureRate) {}

  private Finance() {}

  /**
   * Sums DAY-window revenue rows into periods; {@code partnerTake} = partner fee / gross, capture =
   * net / gross where gross is known.
   */
  public static List<Row> compute(List<ChannelWindow.Money> revenue, Period period) {
    Map<String, BigDecimal[]> sums = new TreeMap<>();
    Map<String, Long> events = new TreeMap<>();
    for (ChannelWindow.Money m : revenue) {
      String key =
          start(m.windowStart(), period)
              + "|"
              + m.currency()
              + "|"
              + (m.isDirect() ? "direct" : "partner");
      BigDecimal[] s =
          sums.computeIfAbsent(
              key,
              k ->
                  new BigDecimal[] {
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    BigDecimal.ZERO
                  });
      s[0] = s[0].add(m.gross());
      s[1] = s[1].add(m.netWhereGrossKnown());
      s[2] = s[2].add(m.partnerFee());
      s[3] = s[3].add(m.net());
      s[4] = s[4].add(m.netBilledByLab());
      events.merge(key, m.billingEvents(), Long::sum);
    }
    List<Row> rows = new ArrayList<>();
    sums.forEach(
        (key, s) -> {
          String[] parts = key.split("\\|");
          rows.add(
              new Row(
                  Instant.parse(parts[0]),
                  parts[1],
                  parts[2],
                  events.get(key),
                  s[0],
                  s[2],
                  s[3],
                  s[4],
                  ChannelWindow.ratio(s[2], s[0]),
                  ChannelWindow.ratio(s[1], s[0])));
        });
    return rows;
  }

  private static Instant start(Instant at, Period period) {
    ZonedDateTime utc = at.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    return (period == Period.MONTH ? utc.withDayOfMonth(1) : utc).toInstant();
  }
}
