package dev.routemetrics.query;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What was kept aside instead of counted, per day: the events the streams app quarantined ({@code
 * quarantined_events}: CONFLICT, TOO_LATE, OUT_OF_BOUNDS, UNPROCESSABLE, by family and channel),
 * the records the sink could not write ({@code sink_rejected_records}: undecodable, out-of-range,
 * refused-by-clickhouse, by topic; they carry no channel) and the ingest's dead letters ({@code
 * dead_letters}: what the bulk loader could not turn into an event, by family, kind of problem and
 * the channel the text named). Each group has its count and up to {@link #EXAMPLES} examples,
 * oldest first (id, when, detail). Days are of the event's event_time (the sink's records: of the
 * Kafka record's timestamp; dead letters: of when the loader read them).
 *
 * <p>A TOO_LATE group also says how many of its events were counted from an earlier copy ({@code
 * counted_earlier}), and each example whether its own was: a re-delivered copy of an event the
 * metrics hold is not a lost event. The raw tables cannot tell (they hold every too-late event's
 * id, counted or not, and collapse identical copies); {@code event_arrivals} and {@code
 * quarantined_copies} (migration 009) can, see {@link #verdict}.
 */
public final class Quarantine {

  /** Examples per group. */
  public static final int EXAMPLES = 3;

  /**
   * One group. {@code source} is STREAMS or SINK; {@code family} the event family (USAGE, BILLING,
   * FEEDBACK) or, for the sink, the topic; {@code channelId} null for the sink's records.
   */
  public record Row(
      String source,
      Instant day,
      String family,
      String reason,
      String channelId,
      long count,
      Long countedEarlier,
      List<Map<String, Object>> examples) {

    Row(
        String source,
        Instant day,
        String family,
        String reason,
        String channelId,
        long count,
        List<Map<String, Object>> examples) {
      this(source, day, family, reason, channelId, count, null, examples);
    }
  }

  /**
   * Whether a too-late event was counted from an earlier copy; {@code why} says where, or why it is
   * not known.
   */
  public record Verdict(Boolean countedEarlier, String why) {}

  private final MetricsReader reader;

  public Quarantine(MetricsReader reader) {
    this.reader = reader;
  }

  private static String channelFilter(List<String> channels) {
    return channels.isEmpty()
        ? ""
        : " AND channel_id IN ("
            + String.join(", ", channels.stream().map(c -> "?").toList())
            + ")";
  }

  /**
   * {@code FROM <table> FINAL WHERE} {@code time} in [from, until), the two bound parameters first,
   * then one per channel of the filter: the frame every statement of the view shares.
   */
  private static String inRange(String database, String table, String time, List<String> channels) {
    return " FROM "
        + database
        + "."
        + table
        + " FINAL WHERE "
        + time
        + " >= toDateTime(?, 'UTC') AND "
        + time
        + " < toDateTime(?, 'UTC')"
        + channelFilter(channels);
  }

  /**
   * Counts per day, family, reason and channel over [from, until) of event_time; then the channels.
   */
  public static String countsSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(event_time)) AS day, family, reason, channel_id, count()"
        + " AS events"
        + inRange(database, "quarantined_events", "event_time", channels)
        + " GROUP BY day, family, reason, channel_id ORDER BY day, family, reason, channel_id";
  }

  /** The oldest examples of each group (ties by id), the same filter. */
  public static String examplesSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(event_time)) AS day, family, reason, channel_id, event_id,"
        + " toString(event_time), detail"
        + inRange(database, "quarantined_events", "event_time", channels)
        + " ORDER BY day, family, reason, channel_id, event_time, event_id LIMIT "
        + EXAMPLES
        + " BY day, family, reason, channel_id";
  }

  /**
   * The sink's set-aside records per day of their Kafka timestamp, topic and reason, with the
   * oldest examples.
   */
  public static String sinkSql(String database) {
    return "SELECT toString(toStartOfDay(record_time)) AS day, topic, reason, kafka_partition,"
        + " kafka_offset, toString(record_time), error"
        + inRange(database, "sink_rejected_records", "record_time", List.of())
        + " ORDER BY day, topic, reason, record_time, kafka_partition, kafka_offset";
  }

  /** The TOO_LATE events of the counts' filter, as a subquery: (family, event_id). */
  private static String tooLateIds(String database, List<String> channels) {
    return "SELECT family, event_id"
        + inRange(database, "quarantined_events", "event_time", channels)
        + " AND reason = 'TOO_LATE'";
  }

  /** Every copy's arrival of the too-late events, in Kafka order. */
  public static String arrivalsSql(String database, List<String> channels) {
    return "SELECT family, event_id, kafka_partition, kafka_offset, payload_sha256,"
        + " toString(arrived_at) FROM "
        + database
        + ".event_arrivals FINAL WHERE (family, event_id) IN ("
        + tooLateIds(database, channels)
        + ")"
        + " ORDER BY family, event_id, kafka_partition, kafka_offset";
  }

  /** Every set-aside copy of the too-late events, where its quarantine record says it was read. */
  public static String copiesSql(String database, List<String> channels) {
    return "SELECT family, event_id, reason, kafka_partition, kafka_offset, from_event_topic"
        + " FROM "
        + database
        + ".quarantined_copies FINAL WHERE (family, event_id) IN ("
        + tooLateIds(database, channels)
        + ")"
        + " ORDER BY family, event_id, kafka_partition, kafka_offset";
  }

  /** The ingest's dead letters per day of loading, family, problem text and named channel. */
  public static String deadLetterCountsSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(loaded_at)) AS day, family, reason, channel_id, count() AS"
        + " letters"
        + inRange(database, "dead_letters", "loaded_at", channels)
        + " GROUP BY day, family, reason, channel_id ORDER BY day, family, reason, channel_id";
  }

  /** The oldest dead letters of each (day, family, problem text, channel). */
  public static String deadLetterExamplesSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(loaded_at)) AS day, family, reason, channel_id, source,"
        + " line, toString(loaded_at)"
        + inRange(database, "dead_letters", "loaded_at", channels)
        + " ORDER BY day, family, reason, channel_id, loaded_at, source, line LIMIT "
        + EXAMPLES
        + " BY day, family, reason, channel_id";
  }

  /**
   * The kind of problem a dead letter's reason names, to group by: NOT_JSON, WRONG_CELL_COUNT, or
   * INVALID with the fields named (the loader writes {@code field: problem; field: problem}).
   */
  static String deadLetterKind(String reason) {
    if (reason.startsWith("not valid JSON")) {
      return "NOT_JSON";
    }
    if (reason.matches("(?s)has \\d+ cells, the header has \\d+.*")) {
      return "WRONG_CELL_COUNT";
    }
    java.util.TreeSet<String> fields = new java.util.TreeSet<>();
    for (String part : reason.split("; ")) {
      int colon = part.indexOf(": ");
      fields.add(colon > 0 ? part.substring(0, colon).strip() : part.strip());
    }
    return "INVALID: " + String.join(", ", fields);
  }

  /** One copy of an event in its event topic. */
  record Arrival(int partition, long offset, String sha256, Instant arrivedAt) {}

  /** A copy the streams app set aside: its reason, and whether its place is in the event topic. */
  record SetAside(String reason, int partition, long offset, boolean placed) {}

  /**
   * Whether a too-late event was counted from an earlier copy, from every copy's arrival and every
   * set-aside copy (docs/domain.md, "Lateness"). The streams app counts a copy when it is the first
   * of its id in the seen-id store and in time; drops an identical copy while the id is in the
   * store; sets aside a different one (CONFLICT) and one past the lateness bound (TOO_LATE, after
   * entering the store). So, before the newest too-late copy q in its partition, a copy that was
   * not set aside was counted unless an identical copy was set aside as TOO_LATE before it: it was
   * then either dropped as that copy's duplicate, or (once the id was forgotten) too late itself,
   * as its event_time is that copy's and the family's stream time only grows. Every copy set aside
   * before q is known, and every arrival before it is written once q's is: each partition is
   * written in order.
   */
  static Verdict verdict(List<Arrival> arrivals, List<SetAside> setAside) {
    if (setAside.stream().anyMatch(c -> !c.placed())) {
      return new Verdict(
          null,
          "a copy was read from the streams app's repartition topic (not keyed by its event_id),"
              + " so its place among the copies is not known");
    }
    SetAside last =
        setAside.stream()
            .filter(c -> c.reason().equals("TOO_LATE"))
            .max(java.util.Comparator.comparingLong(SetAside::offset))
            .orElse(null);
    if (last == null) {
      return new Verdict(
          null, "the too-late copy's place is not recorded (set aside before migration 009)");
    }
    if (arrivals.stream()
        .noneMatch(a -> a.partition() == last.partition() && a.offset() == last.offset())) {
      return new Verdict(
          null,
          "the too-late copy's arrival is not in event_arrivals (written before migration 009,"
              + " or the sink is behind on the event topic)");
    }
    Map<Long, String> reasons = new java.util.HashMap<>();
    setAside.stream()
        .filter(c -> c.partition() == last.partition())
        .forEach(c -> reasons.put(c.offset(), c.reason()));
    java.util.Set<String> tooLate = new java.util.HashSet<>();
    for (Arrival a : arrivals) {
      if (a.partition() != last.partition() || a.offset() >= last.offset()) {
        continue;
      }
      String reason = reasons.get(a.offset());
      if ("TOO_LATE".equals(reason)) {
        tooLate.add(a.sha256());
      } else if (reason == null && !tooLate.contains(a.sha256())) {
        return new Verdict(
            true,
            "a copy of this event was counted earlier (partition "
                + a.partition()
                + ", offset "
                + a.offset()
                + (a.arrivedAt() == null ? "" : ", arrived " + a.arrivedAt())
                + "); this copy, at offset "
                + last.offset()
                + ", was not counted again");
      }
    }
    return new Verdict(
        false, "no earlier copy of this event was counted: a late event, not in the metrics");
  }

  /** The verdict of every too-late event in the range, by family|event_id. */
  private Map<String, Verdict> verdicts(List<String> parameters, List<String> channels)
      throws SQLException {
    Map<String, List<Arrival>> arrivals = new java.util.HashMap<>();
    reader.query(
        arrivalsSql(reader.database(), channels),
        parameters,
        r ->
            arrivals
                .computeIfAbsent(r.getString(1) + "|" + r.getString(2), k -> new ArrayList<>())
                .add(
                    new Arrival(
                        r.getInt(3),
                        r.getLong(4),
                        r.getString(5),
                        MetricsReader.instant(r.getString(6)))));
    Map<String, List<SetAside>> copies = new java.util.HashMap<>();
    reader.query(
        copiesSql(reader.database(), channels),
        parameters,
        r ->
            copies
                .computeIfAbsent(r.getString(1) + "|" + r.getString(2), k -> new ArrayList<>())
                .add(new SetAside(r.getString(3), r.getInt(4), r.getLong(5), r.getInt(6) == 1)));
    Map<String, Verdict> verdicts = new java.util.HashMap<>();
    java.util.Set<String> ids = new java.util.HashSet<>(arrivals.keySet());
    ids.addAll(copies.keySet());
    for (String id : ids) {
      verdicts.put(
          id, verdict(arrivals.getOrDefault(id, List.of()), copies.getOrDefault(id, List.of())));
    }
    return verdicts;
  }

  /**
   * Every too-late event with its group (day, family, channel), to count per group those counted
   * earlier.
   */
  public static String tooLateEventsSql(String database, List<String> channels) {
    return "SELECT toString(toStartOfDay(event_time)) AS day, family, channel_id, event_id"
        + " FROM "
        + database
        + ".quarantined_events FINAL WHERE reason = 'TOO_LATE'"
        + " AND event_time >= toDateTime(?, 'UTC') AND event_time < toDateTime(?, 'UTC')"
        + channelFilter(channels)
        + " ORDER BY family, event_id";
  }

  /**
   * @param channels only these channels (the sink's records, which name none, are then left out)
   * @param partner whether a partner reads: only its channels' quarantined events, never the sink's
   *     records
   */
  public List<Row> compute(TimeRange range, List<String> channels, boolean partner)
      throws SQLException {
    List<String> bounds =
        List.of(TimeRange.UTC.format(range.from()), TimeRange.UTC.format(range.until()));
    List<String> parameters = new ArrayList<>(bounds);
    parameters.addAll(channels);
    Map<String, Row> groups = new LinkedHashMap<>();
    reader.query(
        countsSql(reader.database(), channels),
        parameters,
        r -> {
          Row row =
              new Row(
                  "STREAMS",
                  MetricsReader.instant(r.getString(1)),
                  r.getString(2),
                  r.getString(3),
                  r.getString(4),
                  r.getLong(5),
                  new ArrayList<>());
          groups.put(key(r.getString(1), row.family(), row.reason(), row.channelId()), row);
        });
    Map<String, Verdict> verdicts =
        groups.values().stream().anyMatch(g -> g.reason().equals("TOO_LATE"))
            ? verdicts(parameters, channels)
            : Map.of();
    Map<String, Long> countedEarlier = new java.util.HashMap<>();
    reader.query(
        tooLateEventsSql(reader.database(), channels),
        parameters,
        r -> {
          Verdict verdict = verdicts.get(r.getString(2) + "|" + r.getString(4));
          countedEarlier.merge(
              key(r.getString(1), r.getString(2), "TOO_LATE", r.getString(3)),
              verdict != null && Boolean.TRUE.equals(verdict.countedEarlier()) ? 1L : 0L,
              Long::sum);
        });
    groups.replaceAll(
        (k, g) ->
            g.reason().equals("TOO_LATE")
                ? new Row(
                    g.source(),
                    g.day(),
                    g.family(),
                    g.reason(),
                    g.channelId(),
                    g.count(),
                    countedEarlier.getOrDefault(k, 0L),
                    g.examples())
                : g);
    reader.query(
        examplesSql(reader.database(), channels),
        parameters,
        r -> {
          Row row = groups.get(key(r.getString(1), r.getString(2), r.getString(3), r.getString(4)));
          if (row != null) {
            Map<String, Object> example = new LinkedHashMap<>();
            example.put("event_id", r.getString(5));
            example.put("event_time", MetricsReader.instant(r.getString(6)));
            if (row.reason().equals("TOO_LATE")) {
              Verdict verdict =
                  verdicts.getOrDefault(
                      row.family() + "|" + r.getString(5),
                      new Verdict(
                          null,
                          "no copy of this event is in event_arrivals (written before migration"
                              + " 009)"));
              example.put("counted_earlier", verdict.countedEarlier());
              example.put("detail", verdict.why() + ". " + r.getString(7));
            } else {
              example.put("detail", r.getString(7));
            }
            row.examples().add(example);
          }
        });
    List<Row> rows = new ArrayList<>(groups.values());
    if (!partner) {
      rows.addAll(deadLetters(bounds, channels));
    }
    if (!partner && channels.isEmpty()) {
      Map<String, Row> sink = new LinkedHashMap<>();
      reader.query(
          sinkSql(reader.database()),
          bounds,
          r -> {
            String key = key(r.getString(1), r.getString(2), r.getString(3), null);
            Row row = sink.get(key);
            if (row == null) {
              row =
                  new Row(
                      "SINK",
                      MetricsReader.instant(r.getString(1)),
                      r.getString(2),
                      r.getString(3),
                      null,
                      0,
                      new ArrayList<>());
            }
            row =
                new Row(
                    row.source(),
                    row.day(),
                    row.family(),
                    row.reason(),
                    null,
                    row.count() + 1,
                    row.examples());
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
    }
    if (!partner) {
      // By day; within one the streams app's, then the sink's, then the ingest's dead letters
      // (STREAMS > SINK > INGEST).
      java.util.Comparator<String> source =
          java.util.Comparator.comparingInt(List.of("STREAMS", "SINK", "INGEST")::indexOf);
      rows.sort(
          java.util.Comparator.comparing(Row::day)
              .thenComparing(Row::source, source)
              .thenComparing(Row::family)
              .thenComparing(Row::reason)
              .thenComparing(
                  Row::channelId,
                  java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())));
    }
    return rows;
  }

  /**
   * The ingest's dead letters, grouped by day, family, {@link #deadLetterKind kind of problem} and
   * the channel their text named; examples are {@code file:line}, when loaded, and the problems
   * found. Lab keys only: the channel is the record's unvalidated claim.
   */
  private List<Row> deadLetters(List<String> bounds, List<String> channels) throws SQLException {
    List<String> parameters = new ArrayList<>(bounds);
    parameters.addAll(channels);
    Map<String, Row> groups = new LinkedHashMap<>();
    reader.query(
        deadLetterCountsSql(reader.database(), channels),
        parameters,
        r -> {
          String kind = deadLetterKind(r.getString(3));
          String key = key(r.getString(1), r.getString(2), kind, r.getString(4));
          Row before = groups.get(key);
          groups.put(
              key,
              new Row(
                  "INGEST",
                  MetricsReader.instant(r.getString(1)),
                  r.getString(2),
                  kind,
                  r.getString(4),
                  (before == null ? 0 : before.count()) + r.getLong(5),
                  new ArrayList<>()));
        });
    Map<String, List<Object[]>> examples = new java.util.HashMap<>();
    reader.query(
        deadLetterExamplesSql(reader.database(), channels),
        parameters,
        r ->
            examples
                .computeIfAbsent(
                    key(
                        r.getString(1),
                        r.getString(2),
                        deadLetterKind(r.getString(3)),
                        r.getString(4)),
                    k -> new ArrayList<>())
                .add(
                    new Object[] {
                      MetricsReader.instant(r.getString(7)),
                      r.getString(5) + ":" + r.getLong(6),
                      r.getString(3)
                    }));
    groups.forEach(
        (key, row) ->
            examples.getOrDefault(key, List.of()).stream()
                .sorted(
                    java.util.Comparator.comparing((Object[] e) -> (Instant) e[0])
                        .thenComparing(e -> (String) e[1]))
                .limit(EXAMPLES)
                .forEach(
                    e -> {
                      Map<String, Object> example = new LinkedHashMap<>();
                      example.put("event_id", e[1]);
                      example.put("event_time", e[0]);
                      example.put("detail", e[2]);
                      row.examples().add(example);
                    }));
    return new ArrayList<>(groups.values());
  }

  private static String key(String day, String family, String reason, String channel) {
    return day + "|" + family + "|" + reason + "|" + channel;
  }
}
