package dev.routemetrics.sink;

import dev.routemetrics.events.QuarantinedEvent;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Set-aside events into {@code quarantined_events}, payload kept (base64 of its single-object
 * encoding), and each set-aside copy's place into {@code quarantined_copies} (migration 009) when
 * its record names it (the header {@code routemetrics.source}, {@code topic/partition@offset}).
 */
public final class QuarantinedEventsWriter implements TableWriter<Located<QuarantinedEvent>> {

  private static final Logger log = LoggerFactory.getLogger(QuarantinedEventsWriter.class);

  private final String table;
  private final String copies;
  private final Set<String> eventTopics;

  /**
   * @param eventTopics the event topics: a copy read from any other (the repartition topic) cannot
   *     be placed in them
   */
  public QuarantinedEventsWriter(String database, Set<String> eventTopics) {
    this.table = database + ".quarantined_events";
    this.copies = database + ".quarantined_copies";
    this.eventTopics = Set.copyOf(eventTopics);
  }

  /** The place a source header names, or null when it is not {@code topic/partition@offset}. */
  static Object[] place(String source) {
    if (source == null) {
      return null;
    }
    int slash = source.lastIndexOf('/');
    int at = source.lastIndexOf('@');
    if (slash <= 0 || at < slash) {
      return null;
    }
    try {
      return new Object[] {
        source.substring(0, slash),
        Integer.parseInt(source.substring(slash + 1, at)),
        Long.parseLong(source.substring(at + 1))
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<Located<QuarantinedEvent>> located)
      throws SQLException {
    List<QuarantinedEvent> rows = located.stream().map(Located::value).toList();
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (family, event_id, reason, channel_id, event_time, detail, payload_b64) VALUES"
                + " (?, ?, ?, ?, ?, ?, ?)")) {
      for (QuarantinedEvent row : rows) {
        ByteBuffer payload = row.getPayload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        insert.setString(1, row.getFamily());
        insert.setString(2, row.getEventId());
        insert.setString(3, row.getReason().name());
        insert.setString(4, row.getChannelId());
        ClickHouseValues.dateTime(insert, 5, row.getEventTime());
        insert.setString(6, row.getDetail());
        insert.setString(7, Base64.getEncoder().encodeToString(bytes));
        insert.addBatch();
      }
      insert.executeBatch();
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + copies
                + " (family, event_id, reason, source_topic, kafka_partition, kafka_offset,"
                + " from_event_topic, event_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      int placed = 0;
      for (Located<QuarantinedEvent> record : located) {
        QuarantinedEvent row = record.value();
        Object[] place = place(record.source());
        if (place == null) {
          // Records of a streams app older than the header, and UNPROCESSABLE ones (their id is
          // their place).
          if (record.source() != null) {
            log.warn(
                "quarantine record {} at {}/{}@{} names no place in its header ({}); its copy is"
                    + " not placed",
                row.getEventId(),
                record.topic(),
                record.partition(),
                record.offset(),
                record.source());
          }
          continue;
        }
        insert.setString(1, row.getFamily());
        insert.setString(2, row.getEventId());
        insert.setString(3, row.getReason().name());
        insert.setString(4, (String) place[0]);
        insert.setInt(5, (Integer) place[1]);
        insert.setLong(6, (Long) place[2]);
        insert.setInt(7, eventTopics.contains((String) place[0]) ? 1 : 0);
        ClickHouseValues.dateTime(insert, 8, row.getEventTime());
        insert.addBatch();
        placed++;
      }
      if (placed > 0) {
        insert.executeBatch();
      }
    }
  }
}
