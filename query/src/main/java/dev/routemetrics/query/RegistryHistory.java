package dev.routemetrics.query;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The channel registry as it was at a moment, from {@code channel_registry_history}: per channel
 * its newest change at or before that moment, retired channels included (flagged), so a past
 * window's metrics can be read beside the registry that produced them.
 */
public final class RegistryHistory {

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** One channel's registry state; {@code partnerId} is null on direct routes. */
  public record Row(
      String channelId,
      int registryVersion,
      Instant effectiveFrom,
      String route,
      String partnerId,
      BigDecimal takeRate,
      int controlPointsOwned,
      boolean retired) {}

  private final ClickHouse clickHouse;
  private final String database;

  public RegistryHistory(ClickHouse clickHouse, String database) {
    this.clickHouse = clickHouse;
    this.database = database;
  }

  /**
   * The SQL, the moment bound as a parameter; FINAL so a change read twice and not yet merged
   * counts once.
   */
  public String asOfSql() {
    return "SELECT channel_id, registry_version, effective_from, route, partner_id, take_rate,"
        + " control_points_owned, retired FROM "
        + database
        + ".channel_registry_history FINAL"
        + " WHERE effective_from <= toDateTime(?, 'UTC')"
        + " ORDER BY channel_id, effective_from DESC LIMIT 1 BY channel_id";
  }

  public List<Row> asOf(Instant moment) throws SQLException {
    List<Row> result = new ArrayList<>();
    try (Connection connection = clickHouse.connect();
        PreparedStatement query = connection.prepareStatement(asOfSql())) {
      query.setString(1, UTC.format(moment));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(
              new Row(
                  rows.getString(1),
                  rows.getInt(2),
                  LocalDateTime.parse(rows.getString(3), UTC).toInstant(ZoneOffset.UTC),
                  rows.getString(4),
                  rows.getString(5),
                  new BigDecimal(rows.getString(6)).stripTrailingZeros(),
                  rows.getInt(7),
                  rows.getInt(8) == 1));
        }
      }
    } catch (SQLException e) {
      throw clickHouse.explained(e);
    }
    return result;
  }
}
