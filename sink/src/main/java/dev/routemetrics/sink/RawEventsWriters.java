package dev.routemetrics.sink;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The audit-trail tables of migration 005, one writer per event family. Each row carries the
 * SHA-256 of the event's wire encoding, which with the event id is the replacing key: a duplicate
 * collapses, a conflicting payload stays visible beside the first. Every record also gets a row in
 * {@code event_arrivals} (migration 009) at its place in Kafka, which does not collapse copies: the
 * quarantine view reads there whether a too-late copy's event was counted from an earlier copy.
 */
public final class RawEventsWriters {

  private RawEventsWriters() {}

  /**
   * The envelope every family shares, bound to the first six columns after the digest (the columns
   * of migration 005 start with it in this order).
   */
  private record Envelope(
      String eventId,
      Instant eventTime,
      String channelId,
      String accountId,
      String endUserRef,
      String modelId) {}

  /**
   * A writer of one family's events into {@code table}: the digest, the envelope, then the family's
   * own columns from the eighth on.
   */
  private abstract static class RawWriter<T extends SpecificRecord>
      implements TableWriter<Located<T>> {
    private final String table;
    private final String arrivals;
    private final String family;
    private final String columns;
    private final AvroSerde<T> serde;

    RawWriter(String database, String table, String family, String columns, AvroSerde<T> serde) {
      this.table = database + "." + table;
      this.arrivals = database + ".event_arrivals";
      this.family = family;
      this.columns = columns;
      this.serde = serde;
    }

    @Override
    public String table() {
      return table;
    }

    abstract Envelope envelope(T event);

    /** The family's own columns, from the eighth on. */
    abstract void bindOwn(PreparedStatement insert, T event) throws SQLException;

    private void bind(PreparedStatement insert, T event, Envelope e) throws SQLException {
      insert.setString(2, e.eventId());
      ClickHouseValues.dateTime(insert, 3, e.eventTime());
      insert.setString(4, e.channelId());
      insert.setString(5, e.accountId());
      ClickHouseValues.nullableString(insert, 6, e.endUserRef());
      insert.setString(7, e.modelId());
      bindOwn(insert, event);
    }

    @Override
    public void insert(Connection connection, List<Located<T>> rows) throws SQLException {
      int count = columns.split(",").length + 1;
      String marks = String.join(", ", java.util.Collections.nCopies(count, "?"));
      String[] digests = new String[rows.size()];
      Envelope[] envelopes = new Envelope[rows.size()];
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO "
                  + table
                  + " (payload_sha256, "
                  + columns
                  + ") VALUES ("
                  + marks
                  + ")")) {
        for (int i = 0; i < digests.length; i++) {
          T event = rows.get(i).value();
          digests[i] = sha256(serde.encode(event));
          envelopes[i] = envelope(event);
          insert.setString(1, digests[i]);
          bind(insert, event, envelopes[i]);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      // After the audit rows: a batch refused there (and bisected) never leaves arrivals without
      // them.
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO "
                  + arrivals
                  + " (family, event_id, kafka_partition, kafka_offset, payload_sha256, event_time,"
                  + " arrived_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < digests.length; i++) {
          Located<T> row = rows.get(i);
          insert.setString(1, family);
          insert.setString(2, envelopes[i].eventId());
          insert.setInt(3, row.partition());
          insert.setLong(4, row.offset());
          insert.setString(5, digests[i]);
          ClickHouseValues.dateTime(insert, 6, envelopes[i].eventTime());
          ClickHouseValues.dateTime(
              insert, 7, ClickHouseValues.storable(Instant.ofEpochMilli(row.timestampMillis())));
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }

  public static TableWriter<Located<UsageEvent>> usage(String database) {
    return new RawWriter<>(
        database,
        "usage_events",
        "USAGE",
        "event_id, event_time, channel_id, account_id, end_user_ref, model_id, request_id,"
            + " request_count, input_tokens, output_tokens, latency_ms, outcome, telemetry",
        AvroSerde.of(UsageEvent.class)) {
      @Override
      Envelope envelope(UsageEvent e) {
        return new Envelope(
            e.getEventId(),
            e.getEventTime(),
            e.getChannelId(),
            e.getAccountId(),
            e.getEndUserRef(),
            e.getModelId());
      }

      @Override
      void bindOwn(PreparedStatement insert, UsageEvent e) throws SQLException {
        insert.setString(8, e.getRequestId());
        insert.setInt(9, e.getRequestCount());
        insert.setLong(10, e.getInputTokens());
        insert.setLong(11, e.getOutputTokens());
        insert.setInt(12, e.getLatencyMs());
        insert.setString(13, e.getOutcome().name());
        insert.setString(14, e.getTelemetry().name());
      }
    };
  }

  public static TableWriter<Located<BillingEvent>> billing(String database) {
    return new RawWriter<>(
        database,
        "billing_events",
        "BILLING",
        "event_id, event_time, channel_id, account_id, end_user_ref, model_id, billing_id, kind,"
            + " billed_by, currency, gross_amount, partner_fee, net_amount, period_start,"
            + " period_end, reported_request_count",
        AvroSerde.of(BillingEvent.class)) {
      @Override
      Envelope envelope(BillingEvent e) {
        return new Envelope(
            e.getEventId(),
            e.getEventTime(),
            e.getChannelId(),
            e.getAccountId(),
            e.getEndUserRef(),
            e.getModelId());
      }

      @Override
      void bindOwn(PreparedStatement insert, BillingEvent e) throws SQLException {
        insert.setString(8, e.getBillingId());
        insert.setString(9, e.getKind().name());
        insert.setString(10, e.getBilledBy().name());
        insert.setString(11, e.getCurrency());
        ClickHouseValues.nullableString(
            insert, 12, e.getGrossAmount() == null ? null : e.getGrossAmount().toPlainString());
        ClickHouseValues.decimal(insert, 13, e.getPartnerFee());
        ClickHouseValues.decimal(insert, 14, e.getNetAmount());
        ClickHouseValues.dateTime(insert, 15, e.getPeriodStart());
        ClickHouseValues.dateTime(insert, 16, e.getPeriodEnd());
        if (e.getReportedRequestCount() == null) {
          insert.setNull(17, Types.BIGINT);
        } else {
          insert.setLong(17, e.getReportedRequestCount());
        }
      }
    };
  }

  public static TableWriter<Located<FeedbackEvent>> feedback(String database) {
    return new RawWriter<>(
        database,
        "feedback_events",
        "FEEDBACK",
        "event_id, event_time, channel_id, account_id, end_user_ref,"
            + " model_id, feedback_id, request_id, kind, score, trainable, source",
        AvroSerde.of(FeedbackEvent.class)) {
      @Override
      Envelope envelope(FeedbackEvent e) {
        return new Envelope(
            e.getEventId(),
            e.getEventTime(),
            e.getChannelId(),
            e.getAccountId(),
            e.getEndUserRef(),
            e.getModelId());
      }

      @Override
      void bindOwn(PreparedStatement insert, FeedbackEvent e) throws SQLException {
        insert.setString(8, e.getFeedbackId());
        ClickHouseValues.nullableString(insert, 9, e.getRequestId());
        insert.setString(10, e.getKind().name());
        if (e.getScore() == null) {
          insert.setNull(11, Types.INTEGER);
        } else {
          insert.setInt(11, e.getScore());
        }
        insert.setInt(12, e.getTrainable() ? 1 : 0);
        insert.setString(13, e.getSource().name());
      }
    };
  }

  static String sha256(byte[] payload) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
