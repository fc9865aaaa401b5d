package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our SQL gives the same answers on Debian's ClickHouse 18.16 (what deploy/up.sh runs) and on a
 * current release (chDB 26.x, what users run), and those answers are the hand-computed ones.
 *
 * <p>Every migration ({@link Migrations#all}) and every query in {@link #queries} runs on both. A
 * new migration is picked up by itself; a new audience query needs one {@link QueryCase} below,
 * with its expected rows worked out by hand. Differences found so far:
 * docs/clickhouse-compatibility.md.
 */
class CurrentClickHouseCompatibilityIT {

  private static final ChannelRegistry ROUTES = ChannelRegistry.builtIn();
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * MINUTE rows of channel_metrics as the sink writes them, one INSERT (so one part) per batch:
   * until a background merge runs, only FINAL makes the newest version of a window win, and the
   * answers must not depend on a merge. Only the columns the requests query reads are given; the
   * rest take their defaults.
   */
  private static final List<List<MinuteRow>> BATCHES =
      List.of(
          List.of( // first emission of each window
              window("direct-api", "10:00", 10, 4, 4),
              window("direct-api", "10:01", 7, 3, 3),
              window("cloud-nimbus", "10:00", 5, 2, 2),
              window("market-routerhub", "10:59", 9, 9, 9),
              window("market-routerhub", "11:00", 100, 1, 1),
              window("vertical-lexdraft", "09:59", 50, 5, 5)),
          List.of( // late events re-emit two windows with higher versions, and a new window appears
              window("direct-api", "10:00", 12, 5, 5),
              window("cloud-nimbus", "10:00", 8, 3, 3),
              window("direct-api", "10:02", 20, 7, 7)),
          List.of( // the sink replays a batch after a crash, and an older version lands after a
              // newer one
              window("direct-api", "10:01", 7, 3, 3), window("direct-api", "10:02", 15, 6, 6)));

  /**
   * Metric and revenue rows as plain INSERTs, run alike on both engines: a window re-emitted with a
   * higher version, an older version landing last, and amounts whose four decimals are all
   * significant (18.16 renders a Decimal with its full scale, current releases trim trailing
   * zeros). The version-1 metric rows leave out feedback_received and trainable_received, as a sink
   * of schema v1 did (migration 008 added them): they read as their default, 0.
   */
  private static final List<String> METRIC_INSERTS =
      List.of(
          "INSERT INTO {db}.channel_metrics (window_size, window_start, channel_id, version, route,"
              + " partner_id, control_points_owned, usage_events, requests, input_tokens,"
              + " output_tokens, active_accounts, visible_end_users, identified_requests,"
              + " error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms,"
              + " full_telemetry_requests, feedback_events, trainable_feedback, covered_requests,"
              + " newest_event_time) VALUES ('HOUR', '2026-11-01 10:00:00', 'direct-api', 1,"
              + " 'DIRECT_API', NULL, 3, 4, 4, 400, 80, 2, 3, 3, 1, 120.5, 800, NULL, 4, 2, 1, 2,"
              + " '2026-11-01 10:40:00')",
          "INSERT INTO {db}.channel_metrics (window_size, window_start, channel_id, version, route,"
              + " partner_id, control_points_owned, usage_events, requests, input_tokens,"
              + " output_tokens, active_accounts, visible_end_users, identified_requests,"
              + " error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms,"
              + " full_telemetry_requests, feedback_events, trainable_feedback, covered_requests,"
              + " newest_event_time, feedback_received, trainable_received) VALUES ('HOUR',"
              + " '2026-11-01 10:00:00', 'direct-api', 2, 'DIRECT_API', NULL, 3, 6, 6, 600, 120, 3,"
              + " 4, 5, 1, 110.25, 950, 1900, 6, 3, 2, 4, '2026-11-01 10:55:00', 7, 5), ('HOUR',"
              + " '2026-11-01 10:00:00', 'cloud-nimbus', 1, 'CLOUD_PARTNER', 'nimbus-cloud', 0, 1,"
              + " 250, 9000, 2000, 1, 0, 0, 0, 700, 700, 700, 0, 0, 0, 0, '2026-11-01 10:00:00', 2,"
              + " 0), ('MINUTE', '2026-11-01 10:00:00', 'direct-api', 1, 'DIRECT_API', NULL, 3, 1,"
              + " 1, 100, 20, 1, 1, 1, 0, 100, 100, 100, 1, 0, 0, 0, '2026-11-01 10:00:30', 0, 0)",
          "INSERT INTO {db}.channel_metrics (window_size, window_start, channel_id, version, route,"
              + " partner_id, control_points_owned, usage_events, requests, input_tokens,"
              + " output_tokens, active_accounts, visible_end_users, identified_requests,"
              + " error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms,"
              + " full_telemetry_requests, feedback_events, trainable_feedback, covered_requests,"
              + " newest_event_time) VALUES ('HOUR', '2026-11-01 10:00:00', 'direct-api', 1,"
              + " 'DIRECT_API', NULL, 3, 4, 4, 400, 80, 2, 3, 3, 1, 120.5, 800, NULL, 4, 2, 1, 2,"
              + " '2026-11-01 10:40:00')",
          // A DAY row as a v1 sink wrote it, without the columns of migration 008.
          "INSERT INTO {db}.channel_metrics (window_size, window_start, channel_id, version, route,"
              + " partner_id, control_points_owned, usage_events, requests, input_tokens,"
              + " output_tokens, active_accounts, visible_end_users, identified_requests,"
              + " error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms,"
              + " full_telemetry_requests, feedback_events, trainable_feedback, covered_requests,"
              + " newest_event_time) VALUES ('DAY', '2026-11-01 00:00:00', 'direct-api', 9,"
              + " 'DIRECT_API', NULL, 3, 6, 6, 600, 120, 3, 4, 5, 1, 110.25, 950, 1900, 6, 3, 2, 4,"
              + " '2026-11-01 10:55:00')",
          "INSERT INTO {db}.channel_revenue (window_size, window_start, channel_id, currency,"
              + " version, route, partner_id, billing_events, gross, net_where_gross_known,"
              + " partner_fee, net, net_billed_by_lab) VALUES ('HOUR', '2026-11-01 10:00:00',"
              + " 'cloud-nimbus', 'USD', 1, 'CLOUD_PARTNER', 'nimbus-cloud', 1, 1000.1111,"
              + " 800.2222, 200.3333, 800.2222, 0.0001)",
          "INSERT INTO {db}.channel_revenue (window_size, window_start, channel_id, currency,"
              + " version, route, partner_id, billing_events, gross, net_where_gross_known,"
              + " partner_fee, net, net_billed_by_lab) VALUES ('HOUR', '2026-11-01 10:00:00',"
              + " 'cloud-nimbus', 'USD', 2, 'CLOUD_PARTNER', 'nimbus-cloud', 2, 2000.1234,"
              + " 1600.4321, 400.1111, 1500.5555, 0.1234), ('HOUR', '2026-11-01 10:00:00',"
              + " 'cloud-nimbus', 'EUR', 1, 'CLOUD_PARTNER', 'nimbus-cloud', 1, 10.0001, 9.0001,"
              + " 1.1111, 9.0001, 9.0001)",
          // Registry history: a take rate renegotiated, that change published twice (two parts:
          // only
          // FINAL keeps one), then a channel retired. Take rates with all six decimals significant,
          // for
          // the same reason as the amounts above.
          "INSERT INTO {db}.channel_registry_history (change_id, registry_version, effective_from,"
              + " channel_id, route, partner_id, take_rate, identity_owner, workflow_owner,"
              + " procurement_owner, governance_owner, billing_owner, interface_owner,"
              + " control_points_owned, retired) VALUES ('1:cloud-stratus', 1, '2026-01-01"
              + " 00:00:00', 'cloud-stratus', 'CLOUD_PARTNER', 'stratus-cloud', 0.250001,"
              + " 'PARTNER', 'CUSTOMER', 'PARTNER', 'PARTNER', 'PARTNER', 'PARTNER', 0, 0),"
              + " ('1:vertical-codepilot', 1, '2026-01-01 00:00:00', 'vertical-codepilot',"
              + " 'VERTICAL_WORKFLOW', 'codepilot', 0.300001, 'PARTNER', 'PARTNER', 'PARTNER',"
              + " 'LAB', 'PARTNER', 'PARTNER', 1, 0), ('2:cloud-stratus', 2, '2026-11-20 12:00:00',"
              + " 'cloud-stratus', 'CLOUD_PARTNER', 'stratus-cloud', 0.180001, 'PARTNER',"
              + " 'CUSTOMER', 'PARTNER', 'PARTNER', 'PARTNER', 'PARTNER', 0, 0)",
          // Partner statements: one sent twice (two parts: only FINAL keeps one), one of another
          // hour, and a
          // charge (not a statement). Net amounts with all four decimals significant.
          "INSERT INTO {db}.billing_events (event_id, payload_sha256, event_time, channel_id,"
              + " account_id, end_user_ref, model_id, billing_id, kind, billed_by, currency,"
              + " gross_amount, partner_fee, net_amount, period_start, period_end,"
              + " reported_request_count) VALUES ('stmt-1', '"
              + "a".repeat(64)
              + "', '2026-11-01 11:05:00', 'cloud-nimbus', 'nimbus-cloud', NULL, '*',"
              + " '=HYPERLINK(1)', 'PARTNER_STATEMENT', 'PARTNER', 'USD', NULL, 0, 824.1234,"
              + " '2026-11-01 10:00:00', '2026-11-01 11:00:00', 1030), ('stmt-2', '"
              + "b".repeat(64)
              + "', '2026-11-01 12:05:00', 'cloud-nimbus', 'nimbus-cloud', NULL, '*', 'nimbus-11',"
              + " 'PARTNER_STATEMENT', 'PARTNER', 'USD', NULL, 0, 1.0001, '2026-11-01 11:00:00',"
              + " '2026-11-01 12:00:00', NULL), ('charge-1', '"
              + "c".repeat(64)
              + "', '2026-11-01 10:30:00', 'direct-api', 'acct-1', NULL, 'm', 'inv-1', 'CHARGE',"
              + " 'LAB', 'USD', 5.0001, 0, 5.0001, '2026-11-01 10:30:00', '2026-11-01 10:30:00',"
              + " NULL)",
          "INSERT INTO {db}.billing_events (event_id, payload_sha256, event_time, channel_id,"
              + " account_id, end_user_ref, model_id, billing_id, kind, billed_by, currency,"
              + " gross_amount, partner_fee, net_amount, period_start, period_end,"
              + " reported_request_count) VALUES ('stmt-1', '"
              + "a".repeat(64)
              + "', '2026-11-01 11:05:00', 'cloud-nimbus', 'nimbus-cloud', NULL, '*',"
              + " '=HYPERLINK(1)', 'PARTNER_STATEMENT', 'PARTNER', 'USD', NULL, 0, 824.1234,"
              + " '2026-11-01 10:00:00', '2026-11-01 11:00:00', 1030)",
          "INSERT INTO {db}.channel_registry_history (change_id, registry_version, effective_from,"
              + " channel_id, route, partner_id, take_rate, identity_owner, workflow_owner,"
              + " procurement_owner, governance_owner, billing_owner, interface_owner,"
              + " control_points_owned, retired) VALUES ('2:cloud-stratus', 2, '2026-11-20"
              + " 12:00:00', 'cloud-stratus', 'CLOUD_PARTNER', 'stratus-cloud', 0.180001,"
              + " 'PARTNER', 'CUSTOMER', 'PARTNER', 'PARTNER', 'PARTNER', 'PARTNER', 0, 0),"
              + " ('3:vertical-codepilot', 3, '2026-11-25 00:00:00', 'vertical-codepilot',"
              + " 'VERTICAL_WORKFLOW', 'codepilot', 0.300001, 'PARTNER', 'PARTNER', 'PARTNER',"
              + " 'LAB', 'PARTNER', 'PARTNER', 1, 1)",
          // Quarantine: four too-late usage events and a conflict, the conflict's record written
          // twice (two
          // parts: only FINAL keeps one); a record the sink could not decode.
          "INSERT INTO {db}.quarantined_events (family, event_id, reason, channel_id, event_time,"
              + " detail, payload_b64) VALUES ('USAGE', 'u-2', 'TOO_LATE', 'cloud-nimbus',"
              + " '2026-11-01 10:06:00', 'late 2', ''), ('USAGE', 'u-3', 'TOO_LATE',"
              + " 'cloud-nimbus', '2026-11-01 10:07:00', 'late 3', ''), ('USAGE', 'u-4',"
              + " 'TOO_LATE', 'cloud-nimbus', '2026-11-01 10:08:00', 'late 4', ''), ('USAGE',"
              + " 'u-5', 'TOO_LATE', 'cloud-nimbus', '2026-11-01 10:09:00', 'late 5', ''),"
              + " ('USAGE', 'u-1', 'CONFLICT', 'cloud-nimbus', '2026-11-01 10:05:00', 'conflict',"
              + " '')",
          "INSERT INTO {db}.quarantined_events (family, event_id, reason, channel_id, event_time,"
              + " detail, payload_b64) VALUES ('USAGE', 'u-1', 'CONFLICT', 'cloud-nimbus',"
              + " '2026-11-01 10:05:00', 'conflict', '')",
          "INSERT INTO {db}.sink_rejected_records (topic, kafka_partition, kafka_offset,"
              + " record_time, reason, error, target_table, payload_b64) VALUES ('channel-metrics',"
              + " 0, 17, '2026-11-01 10:30:00', 'undecodable', 'not Avro', 'channel_metrics', '')",
          // Every copy's arrival (migration 009): u-2 counted at offset 10, re-delivered at 40 and
          // set aside
          // too late there; offset 10 written twice (a replayed batch: FINAL keeps one); u-1 (a
          // conflict, not
          // too late) is not asked for.
          "INSERT INTO {db}.event_arrivals (family, event_id, kafka_partition, kafka_offset,"
              + " payload_sha256, event_time, arrived_at) VALUES ('USAGE', 'u-2', 0, 10, '"
              + "a".repeat(64)
              + "', '2026-11-01 10:06:00', '2026-11-01 10:06:01'),"
              + " ('USAGE', 'u-2', 0, 40, '"
              + "a".repeat(64)
              + "', '2026-11-01 10:06:00', '2026-11-09 10:00:00'),"
              + " ('USAGE', 'u-1', 0, 5, '"
              + "b".repeat(64)
              + "', '2026-11-01 10:05:00', '2026-11-01 10:05:00')",
          "INSERT INTO {db}.event_arrivals (family, event_id, kafka_partition, kafka_offset,"
              + " payload_sha256, event_time, arrived_at) VALUES ('USAGE', 'u-2', 0, 10, '"
              + "a".repeat(64)
              + "', '2026-11-01 10:06:00', '2026-11-01 10:06:01')",
          "INSERT INTO {db}.quarantined_copies (family, event_id, reason, source_topic,"
              + " kafka_partition, kafka_offset, from_event_topic, event_time) VALUES ('USAGE',"
              + " 'u-2', 'TOO_LATE', 'usage-events', 0, 40, 1, '2026-11-01 10:06:00'), ('USAGE',"
              + " 'u-1', 'CONFLICT', 'usage-events', 0, 6, 1, '2026-11-01 10:05:00')",
          // Dead letters (migration 010): line 3 loaded twice (the newer load replaces it), line 5
          // once.
          "INSERT INTO {db}.dead_letters (family, source, line, reason, channel_id, raw, loaded_at,"
              + " kafka_partition, kafka_offset) VALUES ('USAGE', '/tmp/a.ndjson', 3, 'event_time:"
              + " missing; channel_id: unknown channel', 'direct-api',"
              + " '{\"channel_id\":\"direct-api\"}', '2026-11-01 10:20:00', 0, 0), ('USAGE',"
              + " '/tmp/a.ndjson', 5, 'not valid JSON: x', 'cloud-nimbus', '{x', '2026-11-01"
              + " 10:21:00', 0, 1)",
          "INSERT INTO {db}.dead_letters (family, source, line, reason, channel_id, raw, loaded_at,"
              + " kafka_partition, kafka_offset) VALUES ('USAGE', '/tmp/a.ndjson', 3, 'event_time:"
              + " missing; channel_id: unknown channel', 'direct-api',"
              + " '{\"channel_id\":\"direct-api\"}', '2026-11-01 10:25:00', 0, 2)");

  private static final String FROM = "2026-11-01 10:00:00";
  private static final String UNTIL = "2026-11-01 11:00:00";

  /**
   * One query, its JDBC parameters (bound with setString on 18.16, inlined as literals on chDB) and
   * the rows it must return, every cell as ClickHouse's text rendering (what getString reads).
   */
  record QueryCase(String name, String sql, List<String> params, List<List<String>> expected) {}

  private static List<QueryCase> queries;
  private static final String SCHEMA = "schema";

  /** cloud-nimbus's HOUR row at 10:00 as every metrics query over it returns it. */
  private static final List<String> NIMBUS_HOUR_ROW =
      Arrays.asList(
          "2026-11-01 10:00:00",
          "cloud-nimbus",
          "CLOUD_PARTNER",
          "nimbus-cloud",
          "0",
          "1",
          "250",
          "9000",
          "2000",
          "1",
          "0",
          "0",
          "0",
          "700",
          "700",
          "700",
          "0",
          "0",
          "0",
          "0",
          "2026-11-01 10:00:00",
          "2",
          "0");

  /**
   * direct-api's newest row (version 2 of the hour, the day's as a v1 sink wrote it), with its
   * window start and the two columns of migration 008.
   */
  private static List<String> directApiRow(
      String windowStart, String feedbackReceived, String trainableReceived) {
    return Arrays.asList(
        windowStart,
        "direct-api",
        "DIRECT_API",
        null,
        "3",
        "6",
        "6",
        "600",
        "120",
        "3",
        "4",
        "5",
        "1",
        "110.25",
        "950",
        "1900",
        "6",
        "3",
        "2",
        "4",
        "2026-11-01 10:55:00",
        feedbackReceived,
        trainableReceived);
  }

  @TempDir static Path chdbSession;
  private static String database;
  private static ClickHouse clickHouse;
  private static final Map<String, ChDb.Result> onClickHouse18 = new HashMap<>();
  private static final Map<String, ChDb.Result> onCurrent = new HashMap<>();

  /**
   * Every query we run against the warehouse, with the rows it must return from {@link #BATCHES}.
   * Add each new audience query here, its expected rows worked out by hand from the batches.
   */
  private static List<QueryCase> queries(ClickHouse clickHouse, String database) {
    ChannelRequests channelRequests = new ChannelRequests(clickHouse, database);
    String registryAsOf = new RegistryHistory(clickHouse, database).asOfSql();
    String table = database + ".channel_metrics";
    MetricsReader reader = new MetricsReader(clickHouse, database);
    Reconciliation reconciliation = new Reconciliation(clickHouse, database);
    TimeRange hour =
        new TimeRange(
            WindowSize.HOUR,
            Instant.parse("2026-11-01T10:00:00Z"),
            Instant.parse("2026-11-01T11:00:00Z"),
            List.of());
    TimeRange day =
        new TimeRange(
            WindowSize.DAY,
            Instant.parse("2026-11-01T00:00:00Z"),
            Instant.parse("2026-11-02T00:00:00Z"),
            List.of());
    TimeRange nimbusOnly =
        new TimeRange(
            WindowSize.HOUR,
            Instant.parse("2026-11-01T10:00:00Z"),
            Instant.parse("2026-11-01T11:00:00Z"),
            List.of("cloud-nimbus"));
    // A partner's read: partner_id is Nullable, and the lab's direct rows (NULL) must not match.
    TimeRange nimbusPartner =
        new TimeRange(
            WindowSize.HOUR,
            Instant.parse("2026-11-01T10:00:00Z"),
            Instant.parse("2026-11-01T11:00:00Z"),
            List.of(),
            "nimbus-cloud");
    return List.of(
        // Hour windows: cloud-nimbus v1 as inserted; direct-api v2 (6 requests) wins over v1
        // inserted before and after it.
        new QueryCase(
            "channel metrics, newest version per window",
            reader.metricsSql(hour),
            paramsOf(hour),
            List.of(NIMBUS_HOUR_ROW, directApiRow("2026-11-01 10:00:00", "7", "5"))),
        // The DAY row written without feedback_received and trainable_received reads them as 0.
        new QueryCase(
            "channel metrics written before migration 008",
            reader.metricsSql(day),
            paramsOf(day),
            List.of(directApiRow("2026-11-01 00:00:00", "0", "0"))),
        new QueryCase(
            "channel metrics of one channel",
            reader.metricsSql(nimbusOnly),
            paramsOf(nimbusOnly),
            List.of(NIMBUS_HOUR_ROW)),
        new QueryCase(
            "channel metrics of one partner",
            reader.metricsSql(nimbusPartner),
            paramsOf(nimbusPartner),
            List.of(NIMBUS_HOUR_ROW)),
        // Revenue: USD v2 replaces v1; EUR is its own row.
        new QueryCase(
            "channel revenue, newest version per currency",
            reader.revenueSql(hour),
            paramsOf(hour),
            List.of(
                List.of(
                    "2026-11-01 10:00:00",
                    "cloud-nimbus",
                    "EUR",
                    "CLOUD_PARTNER",
                    "nimbus-cloud",
                    "1",
                    "10.0001",
                    "9.0001",
                    "1.1111",
                    "9.0001",
                    "9.0001"),
                List.of(
                    "2026-11-01 10:00:00",
                    "cloud-nimbus",
                    "USD",
                    "CLOUD_PARTNER",
                    "nimbus-cloud",
                    "2",
                    "2000.1234",
                    "1600.4321",
                    "400.1111",
                    "1500.5555",
                    "0.1234"))),
        // Partner statements whose period starts in [10:00, 11:00): stmt-1 once (its copy is one
        // row with FINAL);
        // stmt-2 starts at 11:00 (excluded), the charge is not a statement.
        new QueryCase(
            "partner statements of an hour",
            reconciliation.statementsSql(List.of()),
            List.of(FROM, UNTIL),
            List.of(
                List.of(
                    "=HYPERLINK(1)",
                    "cloud-nimbus",
                    "2026-11-01 10:00:00",
                    "2026-11-01 11:00:00",
                    "USD",
                    "1030",
                    "824.1234"))),
        // Of one channel over two hours: both statements; stmt-2 reports no request count (NULL).
        new QueryCase(
            "partner statements of a channel",
            reconciliation.statementsSql(List.of("cloud-nimbus")),
            List.of(FROM, "2026-11-01 12:00:00", "cloud-nimbus"),
            List.of(
                List.of(
                    "=HYPERLINK(1)",
                    "cloud-nimbus",
                    "2026-11-01 10:00:00",
                    "2026-11-01 11:00:00",
                    "USD",
                    "1030",
                    "824.1234"),
                Arrays.asList(
                    "nimbus-11",
                    "cloud-nimbus",
                    "2026-11-01 11:00:00",
                    "2026-11-01 12:00:00",
                    "USD",
                    null,
                    "1.0001"))),
        // Requests per channel over [FROM, UNTIL), newest version of each window (worked out
        // below):
        //   cloud-nimbus      10:00 v3 (8 requests, 3 events)                     -> 8, 3, 1 window
        //   direct-api        10:00 v5 (12, 5) + 10:01 v3 (7, 3; its replay counts
        //                     once) + 10:02 v7 (20, 7; v6 came later but is older) -> 12+7+20 = 39,
        // 5+3+7 = 15, 3
        //   market-routerhub  10:59 v9 (9, 9); 11:00 is UNTIL itself, excluded     -> 9, 9, 1
        //   vertical-lexdraft 09:59 is before FROM                                 -> no row
        new QueryCase(
            "channel requests over an hour",
            channelRequests.sql(),
            List.of(FROM, UNTIL),
            List.of(
                List.of("cloud-nimbus", "8", "3", "1"),
                List.of("direct-api", "39", "15", "3"),
                List.of("market-routerhub", "9", "9", "1"))),
        // One minute: only direct-api 10:01 v3 (7, 3), once despite the replay.
        new QueryCase(
            "channel requests over one minute",
            channelRequests.sql(),
            List.of("2026-11-01 10:01:00", "2026-11-01 10:02:00"),
            List.of(List.of("direct-api", "7", "3", "1"))),
        // Whole day adds vertical-lexdraft 09:59 (50, 5) and market-routerhub 11:00 (100, 1):
        //   market-routerhub 9+100 = 109 requests, 9+1 = 10 events, 2 windows.
        new QueryCase(
            "channel requests over a day",
            channelRequests.sql(),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00"),
            List.of(
                List.of("cloud-nimbus", "8", "3", "1"),
                List.of("direct-api", "39", "15", "3"),
                List.of("market-routerhub", "109", "10", "2"),
                List.of("vertical-lexdraft", "50", "5", "1"))),
        new QueryCase(
            "channel requests over an empty range",
            channelRequests.sql(),
            List.of("2026-11-01 12:00:00", "2026-11-01 13:00:00"),
            List.of()),
        // The registry as of a moment: per channel its newest change at or before it, once however
        // often published.
        new QueryCase(
            "registry a second before the renegotiation",
            registryAsOf,
            List.of("2026-11-20 11:59:59"),
            List.of(
                List.of(
                    "cloud-stratus",
                    "1",
                    "2026-01-01 00:00:00",
                    "CLOUD_PARTNER",
                    "stratus-cloud",
                    "0.250001",
                    "0",
                    "0"),
                List.of(
                    "vertical-codepilot",
                    "1",
                    "2026-01-01 00:00:00",
                    "VERTICAL_WORKFLOW",
                    "codepilot",
                    "0.300001",
                    "1",
                    "0"))),
        new QueryCase(
            "registry as the renegotiation takes effect",
            registryAsOf,
            List.of("2026-11-20 12:00:00"),
            List.of(
                List.of(
                    "cloud-stratus",
                    "2",
                    "2026-11-20 12:00:00",
                    "CLOUD_PARTNER",
                    "stratus-cloud",
                    "0.180001",
                    "0",
                    "0"),
                List.of(
                    "vertical-codepilot",
                    "1",
                    "2026-01-01 00:00:00",
                    "VERTICAL_WORKFLOW",
                    "codepilot",
                    "0.300001",
                    "1",
                    "0"))),
        new QueryCase(
            "registry after a retirement",
            registryAsOf,
            List.of("2026-12-01 00:00:00"),
            List.of(
                List.of(
                    "cloud-stratus",
                    "2",
                    "2026-11-20 12:00:00",
                    "CLOUD_PARTNER",
                    "stratus-cloud",
                    "0.180001",
                    "0",
                    "0"),
                List.of(
                    "vertical-codepilot",
                    "3",
                    "2026-11-25 00:00:00",
                    "VERTICAL_WORKFLOW",
                    "codepilot",
                    "0.300001",
                    "1",
                    "1"))),
        new QueryCase(
            "registry before its first version",
            registryAsOf,
            List.of("2025-12-31 23:59:59"),
            List.of()),
        // The control-point map: the same choice of change per channel, with the six owners.
        new QueryCase(
            "control map as the renegotiation takes effect",
            ControlPointMap.asOfSql(database),
            List.of("2026-11-20 12:00:00"),
            List.of(
                List.of(
                    "cloud-stratus",
                    "CLOUD_PARTNER",
                    "stratus-cloud",
                    "0.180001",
                    "2",
                    "2026-11-20 12:00:00",
                    "PARTNER",
                    "CUSTOMER",
                    "PARTNER",
                    "PARTNER",
                    "PARTNER",
                    "PARTNER",
                    "0",
                    "0"),
                List.of(
                    "vertical-codepilot",
                    "VERTICAL_WORKFLOW",
                    "codepilot",
                    "0.300001",
                    "1",
                    "2026-01-01 00:00:00",
                    "PARTNER",
                    "PARTNER",
                    "PARTNER",
                    "LAB",
                    "PARTNER",
                    "PARTNER",
                    "1",
                    "0"))),
        // Quarantine over the day: counts per group once (FINAL), the three oldest examples per
        // group.
        new QueryCase(
            "quarantine counts",
            Quarantine.countsSql(database, List.of()),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00"),
            List.of(
                List.of("2026-11-01 00:00:00", "USAGE", "CONFLICT", "cloud-nimbus", "1"),
                List.of("2026-11-01 00:00:00", "USAGE", "TOO_LATE", "cloud-nimbus", "4"))),
        new QueryCase(
            "quarantine examples",
            Quarantine.examplesSql(database, List.of("cloud-nimbus")),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00", "cloud-nimbus"),
            List.of(
                List.of(
                    "2026-11-01 00:00:00",
                    "USAGE",
                    "CONFLICT",
                    "cloud-nimbus",
                    "u-1",
                    "2026-11-01 10:05:00",
                    "conflict"),
                List.of(
                    "2026-11-01 00:00:00",
                    "USAGE",
                    "TOO_LATE",
                    "cloud-nimbus",
                    "u-2",
                    "2026-11-01 10:06:00",
                    "late 2"),
                List.of(
                    "2026-11-01 00:00:00",
                    "USAGE",
                    "TOO_LATE",
                    "cloud-nimbus",
                    "u-3",
                    "2026-11-01 10:07:00",
                    "late 3"),
                List.of(
                    "2026-11-01 00:00:00",
                    "USAGE",
                    "TOO_LATE",
                    "cloud-nimbus",
                    "u-4",
                    "2026-11-01 10:08:00",
                    "late 4"))),
        new QueryCase(
            "sink's rejected records",
            Quarantine.sinkSql(database),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00"),
            List.of(
                List.of(
                    "2026-11-01 00:00:00",
                    "channel-metrics",
                    "undecodable",
                    "0",
                    "17",
                    "2026-11-01 10:30:00",
                    "not Avro"))),
        // Whether a too-late event was counted earlier: its copies' arrivals (once each, FINAL) and
        // set-aside copies.
        new QueryCase(
            "too-late events' arrivals",
            Quarantine.arrivalsSql(database, List.of()),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00"),
            List.of(
                List.of("USAGE", "u-2", "0", "10", "a".repeat(64), "2026-11-01 10:06:01"),
                List.of("USAGE", "u-2", "0", "40", "a".repeat(64), "2026-11-09 10:00:00"))),
        new QueryCase(
            "too-late events' set-aside copies",
            Quarantine.copiesSql(database, List.of("cloud-nimbus")),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00", "cloud-nimbus"),
            List.of(List.of("USAGE", "u-2", "TOO_LATE", "0", "40", "1"))),
        new QueryCase(
            "too-late events by group",
            Quarantine.tooLateEventsSql(database, List.of()),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00"),
            List.of(
                List.of("2026-11-01 00:00:00", "USAGE", "cloud-nimbus", "u-2"),
                List.of("2026-11-01 00:00:00", "USAGE", "cloud-nimbus", "u-3"),
                List.of("2026-11-01 00:00:00", "USAGE", "cloud-nimbus", "u-4"),
                List.of("2026-11-01 00:00:00", "USAGE", "cloud-nimbus", "u-5"))),
        new QueryCase(
            "dead letters counts",
            Quarantine.deadLetterCountsSql(database, List.of()),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00"),
            List.of(
                List.of(
                    "2026-11-01 00:00:00",
                    "USAGE",
                    "event_time: missing; channel_id: unknown channel",
                    "direct-api",
                    "1"),
                List.of("2026-11-01 00:00:00", "USAGE", "not valid JSON: x", "cloud-nimbus", "1"))),
        new QueryCase(
            "dead letters examples",
            Quarantine.deadLetterExamplesSql(database, List.of("direct-api")),
            List.of("2026-11-01 00:00:00", "2026-11-02 00:00:00", "direct-api"),
            List.of(
                List.of(
                    "2026-11-01 00:00:00",
                    "USAGE",
                    "event_time: missing; channel_id: unknown channel",
                    "direct-api",
                    "/tmp/a.ndjson",
                    "3",
                    "2026-11-01 10:25:00"))),
        // Not an audience query: the table row by row, to pin FINAL's choice and DateTime('UTC')
        // rendering.
        new QueryCase(
            "newest version of every window",
            "SELECT channel_id, window_start, requests, usage_events, version FROM "
                + table
                + " FINAL WHERE window_size = 'MINUTE'"
                + " ORDER BY channel_id, window_start",
            List.of(),
            List.of(
                List.of("cloud-nimbus", "2026-11-01 10:00:00", "8", "3", "3"),
                List.of("direct-api", "2026-11-01 10:00:00", "12", "5", "5"),
                List.of("direct-api", "2026-11-01 10:01:00", "7", "3", "3"),
                List.of("direct-api", "2026-11-01 10:02:00", "20", "7", "7"),
                List.of("market-routerhub", "2026-11-01 10:59:00", "9", "9", "9"),
                List.of("market-routerhub", "2026-11-01 11:00:00", "100", "1", "1"),
                List.of("vertical-lexdraft", "2026-11-01 09:59:00", "50", "5", "5"))));
  }

  private static List<List<String>> withoutNullable(List<List<String>> columns) {
    return columns.stream()
        .map(c -> List.of(c.get(0), c.get(1).replaceAll("^Nullable\\((.*)\\)$", "$1")))
        .toList();
  }

  /** The JDBC parameters of a range: window size, from, until, then the channels. */
  private static List<String> paramsOf(TimeRange range) {
    List<String> params =
        new ArrayList<>(
            List.of(
                range.windowSize().name(), UTC.format(range.from()), UTC.format(range.until())));
    params.addAll(range.channels());
    if (range.partnerId() != null) {
      params.add(range.partnerId());
    }
    return params;
  }

  @BeforeAll
  static void runEverythingOnBothEngines() throws Exception {
    database = "it_compat_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    clickHouse = new ClickHouse(new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database)));
    queries = queries(clickHouse, database);

    // ClickHouse 18.16: through the production code (migrations runner, sink writer, JDBC binding).
    new Migrations(clickHouse, database).apply();
    String table = database + ".channel_metrics";
    try (Connection connection = clickHouse.connect()) {
      try (Statement statement = connection.createStatement()) {
        for (List<MinuteRow> batch : BATCHES) {
          statement.execute(insertSql(table, batch));
        }
        for (String insert : METRIC_INSERTS) {
          statement.execute(insert.replace("{db}", database));
        }
      }
      for (QueryCase query : queries) {
        onClickHouse18.put(query.name(), select(connection, query.sql(), query.params()));
      }
      onClickHouse18.put(SCHEMA, select(connection, schemaSql(), List.of(database)));
    }

    // Current ClickHouse: the same statements as text, in one session.
    List<String> statements = new ArrayList<>(Migrations.bootstrap(database));
    Migrations.all(database).forEach(migration -> statements.addAll(migration.statements()));
    for (List<MinuteRow> batch : BATCHES) {
      statements.add(insertSql(table, batch));
    }
    METRIC_INSERTS.forEach(insert -> statements.add(insert.replace("{db}", database)));
    int firstQuery = statements.size();
    for (QueryCase query : queries) {
      statements.add(ChDb.inline(query.sql(), query.params()));
    }
    statements.add(ChDb.inline(schemaSql(), List.of(database)));
    List<ChDb.Result> results = ChDb.run(chdbSession, statements);
    for (int i = 0; i < queries.size(); i++) {
      onCurrent.put(queries.get(i).name(), results.get(firstQuery + i));
    }
    onCurrent.put(SCHEMA, results.get(results.size() - 1));
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    if (clickHouse != null) {
      try (Connection connection = clickHouse.connect();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + database);
      }
    }
  }

  @TestFactory
  @DisplayName(
      "every query returns the hand-computed rows, with the same columns, on 18.16 and on current"
          + " ClickHouse")
  Stream<DynamicTest> shouldAnswerEveryQueryTheSameOnBothEngines() {
    return queries.stream()
        .map(
            query ->
                DynamicTest.dynamicTest(
                    query.name(),
                    () -> {
                      ChDb.Result old = onClickHouse18.get(query.name());
                      ChDb.Result current = onCurrent.get(query.name());
                      assertThat(old.rows())
                          .as("18.16: %s", query.name())
                          .isEqualTo(query.expected());
                      assertThat(current.rows())
                          .as("current: %s", query.name())
                          .isEqualTo(query.expected());
                      // The 0.2.x driver reports Nullable(T) as T, so nullability is compared
                      // through the values.
                      assertThat(withoutNullable(current.columns()))
                          .as("column names and types: %s", query.name())
                          .isEqualTo(withoutNullable(old.columns()));
                    }));
  }

  @Test
  @DisplayName(
      "the migrations build the same tables and columns on 18.16 and on current ClickHouse")
  void shouldBuildTheSameSchemaOnBothEngines() {
    assertThat(onClickHouse18.get(SCHEMA).rows()).as("18.16 schema").isNotEmpty();
    assertThat(onCurrent.get(SCHEMA).rows()).isEqualTo(onClickHouse18.get(SCHEMA).rows());
  }

  /**
   * Every column of every table, with its keys; these system.columns fields exist in 18.16 and
   * today.
   */
  private static String schemaSql() {
    return "SELECT table, name, type, default_kind, default_expression,"
        + " is_in_partition_key, is_in_sorting_key, is_in_primary_key"
        + " FROM system.columns WHERE database = ? ORDER BY table, name";
  }

  /** A MINUTE window's requests and usage events at one version. */
  private record MinuteRow(
      String channelId, Instant windowStart, long requests, long usageEvents, long version) {}

  private static MinuteRow window(
      String channel, String minute, long requests, long events, long version) {
    return new MinuteRow(
        channel, Instant.parse("2026-11-01T" + minute + ":00Z"), requests, events, version);
  }

  /** One batch as one INSERT text, run alike on both engines (chDB has no JDBC binding). */
  private static String insertSql(String table, List<MinuteRow> rows) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO "
                + table
                + " (window_size, window_start, channel_id, route, requests, usage_events,"
                + " version) VALUES ");
    for (int i = 0; i < rows.size(); i++) {
      MinuteRow row = rows.get(i);
      sql.append(i == 0 ? "" : ", ")
          .append("('MINUTE', ")
          .append(ChDb.literal(UTC.format(row.windowStart())))
          .append(", ")
          .append(ChDb.literal(row.channelId()))
          .append(", ")
          .append(ChDb.literal(ROUTES.find(row.channelId()).orElseThrow().route().name()))
          .append(", ")
          .append(row.requests())
          .append(", ")
          .append(row.usageEvents())
          .append(", ")
          .append(row.version())
          .append(')');
    }
    return sql.toString();
  }

  /** Runs a query on 18.16 the way our query classes do, every cell read with getString. */
  private static ChDb.Result select(Connection connection, String sql, List<String> params)
      throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        query.setString(i + 1, params.get(i));
      }
      try (ResultSet rows = query.executeQuery()) {
        ResultSetMetaData meta = rows.getMetaData();
        List<List<String>> columns = new ArrayList<>();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
          columns.add(List.of(meta.getColumnLabel(c), meta.getColumnTypeName(c)));
        }
        List<List<String>> result = new ArrayList<>();
        while (rows.next()) {
          List<String> cells = new ArrayList<>();
          for (int c = 1; c <= meta.getColumnCount(); c++) {
            cells.add(rows.getString(c));
          }
          result.add(cells);
        }
        return new ChDb.Result(columns, result);
      }
    }
  }
}
