package dev.routemetrics.sink;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Channel-window metric rows into {@code channel_metrics}; a repeated row has the same version and
 * so changes nothing. The sink itself takes {@link #rows}: records transcoded from the wire by
 * {@link ChannelMetricsRows}, never decoded to objects. This writer, for records at hand as objects
 * (tests, tools), goes through the same wire encoding and transcoder, so there is one encoding of
 * the table's rows.
 */
public final class ChannelMetricsWriter implements TableWriter<ChannelWindowMetrics> {

  private static final AvroSerde<ChannelWindowMetrics> SERDE =
      AvroSerde.of(ChannelWindowMetrics.class);

  private final RowBinaryRowsWriter rows;

  public ChannelMetricsWriter(String database) {
    this.rows = rows(database);
  }

  /** The sink's writer: rows as {@link ChannelMetricsRows} made them. */
  static RowBinaryRowsWriter rows(String database) {
    return new RowBinaryRowsWriter(database + ".channel_metrics", ChannelMetricsRows.COLUMNS);
  }

  @Override
  public String table() {
    return rows.table();
  }

  @Override
  public void insert(Connection connection, List<ChannelWindowMetrics> records)
      throws SQLException {
    ChannelMetricsRows transcoder = new ChannelMetricsRows();
    List<byte[]> encoded = new ArrayList<>(records.size());
    for (ChannelWindowMetrics record : records) {
      encoded.add(transcoder.deserialize(null, SERDE.encode(record)));
    }
    rows.insert(connection, encoded);
  }
}
