package dev.routemetrics.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.DeadLetter;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * The ingest's dead letters into {@code dead_letters} (migration 010): file, line, family (upper
 * case, as the quarantine view names families), every problem found, the text, and the channel the
 * text named when it is a JSON object with a {@code channel_id} string (unvalidated: for grouping
 * only).
 */
public final class DeadLettersWriter implements TableWriter<Located<DeadLetter>> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String table;

  public DeadLettersWriter(String database) {
    this.table = database + ".dead_letters";
  }

  @Override
  public String table() {
    return table;
  }

  /** The channel_id a record's text names, or null (not JSON, not an object, no such string). */
  static String channelNamed(String raw) {
    if (raw == null || !raw.stripLeading().startsWith("{")) {
      return null;
    }
    try {
      JsonNode channel = JSON.readTree(raw).get("channel_id");
      return channel != null && channel.isTextual() ? channel.asText() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void insert(Connection connection, List<Located<DeadLetter>> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (family, source, line, reason, channel_id, raw, loaded_at, kafka_partition,"
                + " kafka_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Located<DeadLetter> row : rows) {
        DeadLetter letter = row.value();
        insert.setString(1, letter.getFamily().toUpperCase(Locale.ROOT));
        insert.setString(2, letter.getSource());
        insert.setLong(3, Math.max(0, letter.getLine()));
        insert.setString(4, letter.getReason());
        ClickHouseValues.nullableString(insert, 5, channelNamed(letter.getRaw()));
        insert.setString(6, letter.getRaw());
        ClickHouseValues.dateTime(insert, 7, ClickHouseValues.storable(letter.getLoadedAt()));
        insert.setInt(8, row.partition());
        insert.setLong(9, row.offset());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
