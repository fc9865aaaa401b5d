package dev.routemetrics.sink.migrations;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster form of the single-server DDL in db/migrations, so one set of files serves both
 * layouts. On a cluster every table {@code T} becomes {@code T_local} on every node (ON CLUSTER),
 * Replicated when the cluster's shards have replicas, plus a {@code Distributed} table named {@code
 * T} over them: the sink inserts into and the queries read from the names they use on one server.
 *
 * <p>The sharding key puts every row that one replacing key can have on one shard, which is what
 * keeps {@code FINAL} (applied per shard by the Distributed table) exact: channel-window tables by
 * channel_id, which is part of their key; raw events by channel_id too (their key is (event_id,
 * payload_sha256), and one payload has one channel); quarantined events by event_id (a conflicting
 * payload of one id may name another channel), and so are event arrivals and quarantined copies
 * (read beside them, per id); rejected sink records by their place in Kafka; dead letters by their
 * key, the file and line.
 */
final class ClusterDdl {

  private static final Pattern CREATE_DATABASE =
      Pattern.compile("(?s)CREATE DATABASE IF NOT EXISTS (\\w+)\\s*");
  private static final Pattern CREATE_TABLE =
      Pattern.compile(
          "(?s)CREATE TABLE IF NOT EXISTS"
              + " (\\w+)\\.(\\w+)\\s*(\\(.*\\))\\s*ENGINE\\s*=\\s*(\\w*MergeTree)\\(([^)]*)\\)(.*)");
  private static final Pattern ALTER_TABLE =
      Pattern.compile("(?s)ALTER TABLE (\\w+)\\.(\\w+)\\s+(.*)");
  private static final Pattern DROP_TABLE =
      Pattern.compile("(?s)DROP TABLE IF EXISTS (\\w+)\\.(\\w+)\\s*");

  /** Tables not sharded by channel_id, and why (see the class comment). */
  private static final Map<String, String> SHARDING_KEYS =
      Map.of(
          "quarantined_events", "sipHash64(event_id)",
          "sink_rejected_records", "sipHash64(topic, kafka_partition, kafka_offset)",
          "event_arrivals", "sipHash64(event_id)",
          "quarantined_copies", "sipHash64(event_id)",
          "dead_letters", "sipHash64(family, source, line)",
          "schema_migrations", "version");

  private static final String BY_CHANNEL = "sipHash64(channel_id)";

  private final String cluster;
  private final boolean replicated;

  ClusterDdl(String cluster, boolean replicated) {
    this.cluster = cluster;
    this.replicated = replicated;
  }

  /** The statements that do on the cluster what {@code sql} does on one server. */
  List<String> translate(String sql) {
    Matcher m = CREATE_DATABASE.matcher(sql);
    if (m.matches()) {
      return List.of("CREATE DATABASE IF NOT EXISTS " + m.group(1) + onCluster());
    }
    m = CREATE_TABLE.matcher(sql);
    if (m.matches()) {
      String db = m.group(1);
      String table = m.group(2);
      String columns = m.group(3);
      String engine = m.group(4);
      String args = m.group(5).strip();
      String local = table + "_local";
      String key = shardingKey(table, columns);
      String localEngine =
          replicated
              ? "Replicated"
                  + engine
                  + "('/clickhouse/tables/{shard}/"
                  + db
                  + "/"
                  + local
                  + "', '{replica}'"
                  + (args.isEmpty() ? "" : ", " + args)
                  + ")"
              : engine + "(" + args + ")";
      return List.of(
          "CREATE TABLE IF NOT EXISTS "
              + db
              + "."
              + local
              + onCluster()
              + "\n"
              + columns
              + "\nENGINE = "
              + localEngine
              + m.group(6),
          distributed(db, table, key));
    }
    m = ALTER_TABLE.matcher(sql);
    if (m.matches()) {
      String db = m.group(1);
      String table = m.group(2);
      // A Distributed table takes its columns from the local table when created; 18.16 refuses
      // ALTER ...
      // ON CLUSTER of a Distributed table over replicated shards, and it holds no rows (inserts are
      // synchronous), so it is created again over the altered local table.
      return List.of(
          "ALTER TABLE " + db + "." + table + "_local" + onCluster() + " " + m.group(3),
          "DROP TABLE IF EXISTS " + db + "." + table + onCluster(),
          distributed(db, table, SHARDING_KEYS.getOrDefault(table, BY_CHANNEL)));
    }
    m = DROP_TABLE.matcher(sql);
    if (m.matches()) {
      // The Distributed table first: while it exists it reads the local tables, so dropping them
      // first would leave a moment in which a query over it fails instead of finding no table.
      String db = m.group(1);
      String table = m.group(2);
      return List.of(
          "DROP TABLE IF EXISTS " + db + "." + table + onCluster(),
          "DROP TABLE IF EXISTS " + db + "." + table + "_local" + onCluster());
    }
    throw new IllegalStateException(
        "migration statement has no cluster form yet (ClusterDdl knows CREATE DATABASE,"
            + " CREATE TABLE ... MergeTree, ALTER TABLE and DROP TABLE IF EXISTS): "
            + sql);
  }

  private String distributed(String db, String table, String key) {
    return "CREATE TABLE IF NOT EXISTS "
        + db
        + "."
        + table
        + onCluster()
        + " AS "
        + db
        + "."
        + table
        + "_local"
        + " ENGINE = Distributed("
        + cluster
        + ", "
        + db
        + ", "
        + table
        + "_local, "
        + key
        + ")";
  }

  private static String shardingKey(String table, String columns) {
    String key = SHARDING_KEYS.get(table);
    if (key != null) {
      return key;
    }
    if (!Pattern.compile("(?m)^\\s*channel_id\\s").matcher(columns).find()) {
      throw new IllegalStateException(
          "table "
              + table
              + " has no channel_id column to shard by: add its sharding key to"
              + " ClusterDdl.SHARDING_KEYS (every row of one replacing key must land on one"
              + " shard)");
    }
    return BY_CHANNEL;
  }

  private String onCluster() {
    return " ON CLUSTER " + cluster;
  }
}
