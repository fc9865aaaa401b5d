package dev.routemetrics.warehouse.query;

import dev.routemetrics.warehouse.ClickHouse;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Finance's check of partner statements: each PARTNER_STATEMENT's reported requests and net amount
 * against what the pipeline metered for that channel over the statement's period (hour windows, so
 * periods are expected on hour boundaries), with the discrepancy in percent of the metered figure.
 */
public final class Reconciliation {

  /** One statement against the metered figures. */
  public record Row(String billingId, String channelId, Instant periodStart, Instant periodEnd, String currency,
      Long reportedRequests, long meteredRequests, Double requestGapPercent, BigDecimal reportedNet,
      BigDecimal meteredNet, Double netGapPercent) {}

  private final ClickHouse clickHouse;
  private final String database;
  private final MetricsReader reader;

  public Reconciliation(ClickHouse clickHouse, String database) {
    this.clickHouse = clickHouse;
    this.database = database;
    this.reader = new MetricsReader(clickHouse, database);
  }

  /** Statements whose period starts in [from, until), newest copy of each (FINAL). */
  public String statementsSql(List<String> channels) {
    return "SELECT billing_id, channel_id, toString(period_start), toString(period_end), currency,"
        + " reported_request_count, toString(net_amount)"
        + " FROM " + database + ".billing_events FINAL"
        + " WHERE kind = 'PARTNER_STATEMENT' AND period_start >= toDateTime(?, 'UTC') AND period_start < toDateTime(?, 'UTC')"
        + (channels.isEmpty() ? "" : " AND channel_id IN (" + String.join(", ", channels.stream().map(c -> "?").toList()) + ")")
        + " ORDER BY period_start, channel_id, billing_id";
  }

  /**
   * Statements in the range. billing_events records no partner, so a partner's range must name
   * its channels; one that names none reads no statement (never every statement).
   */
  public List<Row> compute(TimeRange range) throws SQLException {
    List<Row> rows = new ArrayList<>();
    if (range.partnerId() != null && range.channels().isEmpty()) {
      return rows;
    }
    try (Connection connection = clickHouse.connect();
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
          rows.add(reconcile(r.getString(1), r.getString(2), MetricsReader.instant(r.getString(3)),
              MetricsReader.instant(r.getString(4)), r.getString(5), reportedRequests, new BigDecimal(r.getString(7)),
              range.partnerId()));
        }
      }
    } catch (SQLException e) {
      throw clickHouse.explained(e);
    }
    return rows;
  }

  private Row reconcile(String billingId, String channelId, Instant start, Instant end, String currency,
      Long reportedRequests, BigDecimal reportedNet, String partnerId) throws SQLException {
    TimeRange period = new TimeRange(TimeRange.WindowSize.HOUR, start, end, List.of(channelId), partnerId);
    long metered = reader.metrics(period).stream().mapToLong(ChannelWindow.Usage::requests).sum();
    BigDecimal meteredNet = reader.revenue(period).stream().filter(m -> m.currency().equals(currency))
        .map(ChannelWindow.Money::net).reduce(BigDecimal.ZERO, BigDecimal::add);
    Double requestGap = reportedRequests == null || metered == 0 ? null : (reportedRequests - metered) * 100.0 / metered;
    Double netGap = meteredNet.signum() == 0 ? null
        : reportedNet.subtract(meteredNet).doubleValue() * 100.0 / meteredNet.doubleValue();
    return new Row(billingId, channelId, start, end, currency, reportedRequests, metered, requestGap, reportedNet,
        meteredNet, netGap);
  }
}
