package dev.routemetrics.warehouse.query;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What was kept aside instead of counted, per day: the events the streams app quarantined ({@code
 * quarantined_events}: CONFLICT, TOO_LATE, OUT_OF_BOUNDS, UNPROCESSABLE, by family and channel) and
 * the records the sink could not write ({@code sink_rejected_records}: undecodable, out-of-range,
 * refused-by-clickhouse, by topic; they carry no channel). Each group has its count and up to
 * {@link #EXAMPLES} examples, oldest first (id, when, detail). Days are of the event's event_time
 * (the sink's: of the Kafka record's timestamp). The ingest's dead letters stay on their Kafka
 * topic ({@code dead-letters}); no table holds them, so they are not here.
 */
public final class Quarantine {

  /** Examples per group. */
  public static final int EXAMPLES = 3;

  /**
   * One group. {@code source} is STREAMS or SINK; {@code family} the event family (USAGE, BILLING,
   * FEEDBACK) or, for the sink, the topic; {@code channelId} null for the sink's records.
   */
  public record Row(String source, Instant day, String family, String reason, String channelId, long count,
      List<Map<String, Object>> examples) {}

  private final MetricsReader reader;

  Quarantine(MetricsReader reader) {
    this.reader = reader;
  }

  private static String channelFilter(List<String> channels) {
    return channels.isEmpty() ? ""
        : " AND channel_id IN (" + String.join(", ", channels.stream().map(c -> "?").toList()) + ")";
  }

  /** Counts per day, family, reason and channel over [from, until) of event_time; then the channels. */
  public static String countsSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(event_time)) AS day, family, reason, channel_id, count() AS events"
        + " FROM " + database + ".quarantined_events FINAL"
        + " WHERE event_time >= toDateTime(?, 'UTC') AND event_time < toDateTime(?, 'UTC')" + channelFilter(channels)
        + " GROUP BY day, family, reason, channel_id ORDER BY day, family, reason, channel_id";
  }

  /** The oldest examples of each group (ties by id), the same filter. */
  public static String examplesSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(event_time)) AS day, family, reason, channel_id, event_id, toString(event_time), detail"
        + " FROM " + database + ".quarantined_events FINAL"
        + " WHERE event_time >= toDateTime(?, 'UTC') AND event_time < toDateTime(?, 'UTC')" + channelFilter(channels)
        + " ORDER BY day, family, reason, channel_id, event_time, event_id LIMIT " + EXAMPLES + " BY day, family, reason, channel_id";
  }

  /** The sink's set-aside records per day of their Kafka timestamp, topic and reason, with the oldest examples. */
  public static String sinkSql(String database) {
    return "SELECT toString(toStartOfDay(record_time)) AS day, topic, reason, kafka_partition, kafka_offset,"
        + " toString(record_time), error FROM " + database + ".sink_rejected_records FINAL"
        + " WHERE record_time >= toDateTime(?, 'UTC') AND record_time < toDateTime(?, 'UTC')"
        + " ORDER BY day, topic, reason, record_time, kafka_partition, kafka_offset";
  }

  /**
   * @param channels only these channels (the sink's records, which name none, are then left out)
   * @param partner whether a partner reads: only its channels' quarantined events, never the sink's records
   */
  public List<Row> compute(TimeRange range, List<String> channels, boolean partner) throws SQLException {
    List<String> bounds = List.of(TimeRange.UTC.format(range.from()), TimeRange.UTC.format(range.until()));
    List<String> parameters = new ArrayList<>(bounds);
    parameters.addAll(channels);
    Map<String, Row> groups = new LinkedHashMap<>();
    reader.query(countsSql(reader.database(), channels), parameters, r -> {
      Row row = new Row("STREAMS", MetricsReader.instant(r.getString(1)), r.getString(2), r.getString(3), r.getString(4),
          r.getLong(5), new ArrayList<>());
      groups.put(key(r.getString(1), row.family(), row.reason(), row.channelId()), row);
    });
    reader.query(examplesSql(reader.database(), channels), parameters, r -> {
      Row row = groups.get(key(r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
      if (row != null) {
        Map<String, Object> example = new LinkedHashMap<>();
        example.put("event_id", r.getString(5));
        example.put("event_time", MetricsReader.instant(r.getString(6)));
        example.put("detail", r.getString(7));
        row.examples().add(example);
      }
    });
    List<Row> rows = new ArrayList<>(groups.values());
    if (!partner && channels.isEmpty()) {
      Map<String, Row> sink = new LinkedHashMap<>();
      reader.query(sinkSql(reader.database()), bounds, r -> {
        String key = key(r.getString(1), r.getString(2), r.getString(3), null);
        Row row = sink.get(key);
        if (row == null) {
          row = new Row("SINK", MetricsReader.instant(r.getString(1)), r.getString(2), r.getString(3), null, 0, new ArrayList<>());
        }
        row = new Row(row.source(), row.day(), row.family(), row.reason(), null, row.count() + 1, row.examples());
        if (row.examples().size() < EXAMPLES) {
          Map<String, Object> example = new LinkedHashMap<>();
          example.put("event_id", r.getString(2) + "/" + r.getLong(4) + "@" + r.getLong(5));
          example.put("event_time", MetricsReader.instant(r.getString(6)));
          example.put("detail", r.getString(7));
          row.examples().add(example);
        }
        sink.put(key, row);
      });
      rows.addAll(sink.values());
      rows.sort(java.util.Comparator.comparing(Row::day).thenComparing(Row::source, java.util.Comparator.reverseOrder())
          .thenComparing(Row::family).thenComparing(Row::reason));
    }
    return rows;
  }

  private static String key(String day, String family, String reason, String channel) {
    return day + "|" + family + "|" + reason + "|" + channel;
  }
}
