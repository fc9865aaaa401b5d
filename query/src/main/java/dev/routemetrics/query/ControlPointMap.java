package dev.routemetrics.query;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who owns each of the six control points of every channel as of a moment (docs/domain.md:
 * identity, workflow, procurement, governance, billing, interface; LAB, PARTNER or CUSTOMER), with
 * its route and partner: per channel the newest registry change at or before the moment in {@code
 * channel_registry_history}, retired channels included (flagged), so choosing another date shows a
 * registry change taking effect.
 */
public final class ControlPointMap {

  /**
   * One channel's owners; {@code partnerId} null on direct routes; take rate as plain decimal text.
   */
  public record Row(
      String channelId,
      String route,
      String partnerId,
      String takeRate,
      int registryVersion,
      Instant effectiveFrom,
      String identityOwner,
      String workflowOwner,
      String procurementOwner,
      String governanceOwner,
      String billingOwner,
      String interfaceOwner,
      int controlPointsOwned,
      boolean retired) {}

  private final MetricsReader reader;

  public ControlPointMap(MetricsReader reader) {
    this.reader = reader;
  }

  /**
   * The moment bound as a parameter; FINAL so a change read twice and not yet merged counts once.
   * Runs on 18.16 and current servers.
   */
  public static String asOfSql(String database) {
    return "SELECT channel_id, route, partner_id, toString(take_rate), registry_version,"
        + " toString(effective_from), identity_owner, workflow_owner, procurement_owner,"
        + " governance_owner, billing_owner, interface_owner, control_points_owned, retired"
        + " FROM "
        + database
        + ".channel_registry_history FINAL"
        + " WHERE effective_from <= toDateTime(?, 'UTC')"
        + " ORDER BY channel_id, effective_from DESC LIMIT 1 BY channel_id";
  }

  /**
   * @param partnerId null for the lab (every channel); else only the channels this partner held at
   *     the moment (a channel that moved to another partner is no longer its to read)
   */
  public List<Row> asOf(Instant moment, String partnerId) throws SQLException {
    List<Row> rows = new ArrayList<>();
    reader.query(
        asOfSql(reader.database()),
        List.of(TimeRange.UTC.format(moment)),
        r ->
            rows.add(
                new Row(
                    r.getString(1),
                    r.getString(2),
                    r.getString(3),
                    new java.math.BigDecimal(r.getString(4)).stripTrailingZeros().toPlainString(),
                    r.getInt(5),
                    MetricsReader.instant(r.getString(6)),
                    r.getString(7),
                    r.getString(8),
                    r.getString(9),
                    r.getString(10),
                    r.getString(11),
                    r.getString(12),
                    r.getInt(13),
                    r.getInt(14) == 1)));
    return partnerId == null
        ? rows
        : rows.stream().filter(r -> partnerId.equals(r.partnerId())).toList();
  }
}
