package dev.routemetrics.sink;

import dev.routemetrics.events.ChannelRegistryChange;
import dev.routemetrics.events.ControlOwner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Registry changes into {@code channel_registry_history}, one row per change; a change published or
 * read twice is the same row. {@code control_points_owned} is counted here, as the topology counts
 * it: the control points whose owner is LAB (UNKNOWN never counts as the lab's).
 */
public final class ChannelRegistryWriter implements TableWriter<ChannelRegistryChange> {

  private final String table;

  public ChannelRegistryWriter(String database) {
    this.table = database + ".channel_registry_history";
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<ChannelRegistryChange> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (change_id, registry_version, effective_from, channel_id, route, partner_id,"
                + " take_rate, identity_owner, workflow_owner, procurement_owner, governance_owner,"
                + " billing_owner, interface_owner, control_points_owned, retired) VALUES (?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (ChannelRegistryChange row : rows) {
        List<ControlOwner> owners =
            List.of(
                row.getIdentityOwner(),
                row.getWorkflowOwner(),
                row.getProcurementOwner(),
                row.getGovernanceOwner(),
                row.getBillingOwner(),
                row.getInterfaceOwner());
        int i = 0;
        insert.setString(++i, row.getChangeId());
        insert.setInt(++i, row.getRegistryVersion());
        ClickHouseValues.dateTime(insert, ++i, row.getEffectiveFrom());
        insert.setString(++i, row.getChannelId());
        insert.setString(++i, row.getRoute().name());
        ClickHouseValues.nullableString(insert, ++i, row.getPartnerId());
        ClickHouseValues.decimal(insert, ++i, row.getTakeRate());
        for (ControlOwner owner : owners) {
          insert.setString(++i, owner.name());
        }
        insert.setInt(++i, (int) owners.stream().filter(ControlOwner.LAB::equals).count());
        insert.setInt(++i, row.getRetired() ? 1 : 0);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
