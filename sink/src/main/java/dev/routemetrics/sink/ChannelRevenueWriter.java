package dev.routemetrics.sink;

import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.windows.WindowSize;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Revenue rows into {@code channel_revenue}; amounts travel as exact decimal text. */
public final class ChannelRevenueWriter implements TableWriter<ChannelWindowRevenue> {

  private final String table;

  public ChannelRevenueWriter(String database) {
    this.table = database + ".channel_revenue";
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<ChannelWindowRevenue> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (window_size, window_start, channel_id, currency, version, route, partner_id,"
                + " billing_events, gross, net_where_gross_known, partner_fee, net,"
                + " net_billed_by_lab) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (ChannelWindowRevenue row : rows) {
        int i = 0;
        insert.setString(++i, WindowSize.of(row.getWindowSize()).name());
        ClickHouseValues.dateTime(insert, ++i, row.getWindowStart());
        insert.setString(++i, row.getChannelId());
        insert.setString(++i, row.getCurrency());
        insert.setLong(++i, row.getVersion());
        // No route: a channel the registry never knew, UNKNOWN in the table (as v1 and v2 wrote
        // it).
        insert.setString(
            ++i, row.getRoute() == null ? ChannelMetricsRows.NO_ROUTE : row.getRoute().name());
        ClickHouseValues.nullableString(insert, ++i, row.getPartnerId());
        insert.setLong(++i, row.getBillingEvents());
        ClickHouseValues.decimal(insert, ++i, row.getGross());
        ClickHouseValues.decimal(insert, ++i, row.getNetWhereGrossKnown());
        ClickHouseValues.decimal(insert, ++i, row.getPartnerFee());
        ClickHouseValues.decimal(insert, ++i, row.getNet());
        ClickHouseValues.decimal(insert, ++i, row.getNetBilledByLab());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
