package dev.routemetrics.query;

import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Finance's check of partner statements: each PARTNER_STATEMENT's reported requests and net amount
 * against what the pipeline metered for that channel over the statement's period (hour windows, so
 * periods are expected on hour boundaries), with the discrepancy in percent of the metered figure.
 * The metered net is the partner-billed part of the channel's net (net minus net billed by the
 * lab); a charge counts in the hour of its event_time, which the simulator and the edge's clients
 * date inside the hour the charge covers.
 */
public final class Reconciliation {

  /** One statement against the metered figures. */
  public record Row(
      String billingId,
      String channelId,
      Instant periodStart,
      Instant periodEnd,
      String currency,
      Long reportedRequests,
      long meteredRequests,
      Double requestGapPercent,
      BigDecimal reportedNet,
      BigDecimal meteredNet,
      Double netGapPercent) {}

  private final Connections connections;
  private final String database;
  private final MetricsReader reader;

  public Reconciliation(ClickHouse clickHouse, String database) {
    this(Connections.of(clickHouse), database);
  }

  Reconciliation(Connections connections, String database) {
    this.connections = connections;
    this.database = database;
    this.reader = new MetricsReader(connections, database);
  }

  /** Statements whose period starts in [from, until), newest copy of each (FINAL). */
  public String statementsSql(List<String> channels) {
    return "SELECT billing_id, channel_id, toString(period_start), toString(period_end), currency,"
        + " reported_request_count, toString(net_amount)"
        + " FROM "
        + database
        + ".billing_events FINAL WHERE kind = 'PARTNER_STATEMENT' AND period_start >= toDateTime(?,"
        + " 'UTC') AND period_start < toDateTime(?, 'UTC')"
        + (channels.isEmpty()
            ? ""
            : " AND channel_id IN ("
                + String.join(", ", channels.stream().map(c -> "?").toList())
                + ")")
        + " ORDER BY period_start, channel_id, billing_id";
  }

  /**
   * Statements in the range, each against what was metered for its channel over its period, in
   * three queries however many statements there are: the statements, then the hour rows of
   * channel_metrics and of channel_revenue for their channels over the span from the earliest
   * period start to the latest period end (the SQL of {@link MetricsReader}), summed per statement
   * here. billing_events records no partner, so a partner's range must name its channels; one that
   * names none reads no statement (never every statement). A partner's metered rows are its own
   * ({@code partner_id}), as in every other view.
   */
  public List<Row> compute(TimeRange range) throws SQLException {
    if (range.partnerId() != null && range.channels().isEmpty()) {
      return List.of();
    }
    List<Statement> statements = statements(range);
    if (statements.isEmpty()) {
      return List.of();
    }
    Instant spanStart =
        statements.stream().map(Statement::start).min(Instant::compareTo).orElseThrow();
    Instant spanEnd = statements.stream().map(Statement::end).max(Instant::compareTo).orElseThrow();
    Map<String, TreeMap<Instant, Long>> requests = new HashMap<>();
    Map<String, TreeMap<Instant, BigDecimal>> net = new HashMap<>();
    if (spanStart.isBefore(
        spanEnd)) { // else every period is empty and nothing can be metered in it
      List<String> channels =
          statements.stream().map(Statement::channelId).distinct().sorted().toList();
      TimeRange span =
          new TimeRange(WindowSize.HOUR, spanStart, spanEnd, channels, range.partnerId());
      for (ChannelWindow.Usage u : reader.metrics(span)) {
        requests
            .computeIfAbsent(u.channelId(), c -> new TreeMap<>())
            .merge(u.windowStart(), u.requests(), Long::sum);
      }
      for (ChannelWindow.Money m : reader.revenue(span)) {
        // "What the pipeline metered for that partner" (docs/domain.md): the net the partner
        // billed,
        // not what the lab billed itself on the same channel.
        net.computeIfAbsent(m.channelId() + "|" + m.currency(), c -> new TreeMap<>())
            .merge(m.windowStart(), m.net().subtract(m.netBilledByLab()), BigDecimal::add);
      }
    }
    List<Row> rows = new ArrayList<>(statements.size());
    for (Statement s : statements) {
      long metered =
          within(requests.get(s.channelId()), s).values().stream().mapToLong(Long::longValue).sum();
      BigDecimal meteredNet =
          within(net.get(s.channelId() + "|" + s.currency()), s).values().stream()
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      rows.add(reconcile(s, metered, meteredNet));
    }
    return rows;
  }

  /** One PARTNER_STATEMENT as stored. */
  private record Statement(
      String billingId,
      String channelId,
      Instant start,
      Instant end,
      String currency,
      Long reportedRequests,
      BigDecimal reportedNet) {}

  private List<Statement> statements(TimeRange range) throws SQLException {
    List<Statement> statements = new ArrayList<>();
    try (Connection connection = connections.open();
        PreparedStatement query = connection.prepareStatement(statementsSql(range.channels()))) {
      query.setString(1, TimeRange.UTC.format(range.from()));
      query.setString(2, TimeRange.UTC.format(range.until()));
      for (int i = 0; i < range.channels().size(); i++) {
        query.setString(3 + i, range.channels().get(i));
      }
      try (ResultSet r = query.executeQuery()) {
        while (r.next()) {
          long reported = r.getLong(6);
          Long reportedRequests = r.wasNull() ? null : reported;
          statements.add(
              new Statement(
                  r.getString(1),
                  r.getString(2),
                  epochIfZero(MetricsReader.instant(r.getString(3))),
                  epochIfZero(MetricsReader.instant(r.getString(4))),
                  r.getString(5),
                  reportedRequests,
                  new BigDecimal(r.getString(7))));
        }
      }
    } catch (SQLException e) {
      throw connections.explained(e);
    }
    return statements;
  }

  /**
   * 18.16 renders the DateTime 0 as '0000-00-00 00:00:00', which {@link MetricsReader#instant}
   * reads as null.
   */
  private static Instant epochIfZero(Instant at) {
    return at == null ? TimeRange.EARLIEST : at;
  }

  /**
   * The hour windows that start within the statement's period [start, end); none for an empty
   * period.
   */
  private static <V> Map<Instant, V> within(NavigableMap<Instant, V> windows, Statement s) {
    if (windows == null || !s.start().isBefore(s.end())) {
      return Map.of();
    }
    return windows.subMap(s.start(), true, s.end(), false);
  }

  private static Row reconcile(Statement s, long metered, BigDecimal meteredNet) {
    Double requestGap =
        s.reportedRequests() == null || metered == 0
            ? null
            : (s.reportedRequests() - metered) * 100.0 / metered;
    Double netGap =
        meteredNet.signum() == 0
            ? null
            : s.reportedNet()
                .subtract(meteredNet)
                .multiply(HUNDRED)
                .divide(meteredNet, MathContext.DECIMAL64)
                .doubleValue();
    return new Row(
        s.billingId(),
        s.channelId(),
        s.start(),
        s.end(),
        s.currency(),
        s.reportedRequests(),
        metered,
        requestGap,
        s.reportedNet(),
        meteredNet,
        netGap);
  }

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
}
