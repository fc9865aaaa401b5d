package dev.routemetrics.sink.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cluster form of every migration statement, checked as text (the ITs run it on real servers).
 */
class ClusterDdlTest {

  @Test
  void shouldMakeAReplicatedLocalTableAndADistributedOneShardedByChannelUnderTheSameName() {
    List<String> sql =
        new ClusterDdl("c1", true)
            .translate(
                "CREATE TABLE IF NOT EXISTS db.channel_metrics\n"
                    + "(\n"
                    + "    channel_id String,\n"
                    + "    window_start DateTime('UTC'),\n"
                    + "    version UInt64\n"
                    + ")\n"
                    + "ENGINE = ReplacingMergeTree(version)\n"
                    + "PARTITION BY toYYYYMM(window_start)\n"
                    + "ORDER BY (window_start, channel_id)");

    assertThat(sql)
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS db.channel_metrics_local ON CLUSTER c1\n"
                + "(\n"
                + "    channel_id String,\n"
                + "    window_start DateTime('UTC'),\n"
                + "    version UInt64\n"
                + ")\n"
                + "ENGINE ="
                + " ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/channel_metrics_local',"
                + " '{replica}', version)\n"
                + "PARTITION BY toYYYYMM(window_start)\n"
                + "ORDER BY (window_start, channel_id)",
            "CREATE TABLE IF NOT EXISTS db.channel_metrics ON CLUSTER c1 AS"
                + " db.channel_metrics_local ENGINE = Distributed(c1, db, channel_metrics_local,"
                + " sipHash64(channel_id))");
  }

  @Test
  void shouldKeepTheEngineWithoutReplicasAndShardOtherTablesByTheirReplacingKey() {
    ClusterDdl ddl = new ClusterDdl("c1", false);

    assertThat(
            ddl.translate(
                "CREATE TABLE IF NOT EXISTS db.quarantined_events (family String, event_id String)"
                    + " ENGINE = ReplacingMergeTree(written_at) ORDER BY (family, event_id)"))
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS db.quarantined_events_local ON CLUSTER c1\n"
                + "(family String, event_id String)\n"
                + "ENGINE = ReplacingMergeTree(written_at) ORDER BY (family, event_id)",
            "CREATE TABLE IF NOT EXISTS db.quarantined_events ON CLUSTER c1 AS"
                + " db.quarantined_events_local ENGINE = Distributed(c1, db,"
                + " quarantined_events_local, sipHash64(event_id))");
    assertThat(
            ddl.translate(
                "CREATE TABLE IF NOT EXISTS db.schema_migrations (version UInt32) ENGINE ="
                    + " MergeTree() ORDER BY version"))
        .last()
        .asString()
        .endsWith("Distributed(c1, db, schema_migrations_local, version)");
    assertThat(ddl.translate("CREATE DATABASE IF NOT EXISTS db"))
        .containsExactly("CREATE DATABASE IF NOT EXISTS db ON CLUSTER c1");
  }

  @Test
  @DisplayName(
      "a dropped table goes from the cluster in both its forms: the Distributed table first, then"
          + " the local tables it read")
  void shouldDropTheDistributedTableThenTheLocalOnes() {
    assertThat(
            new ClusterDdl("c1", true).translate("DROP TABLE IF EXISTS db.channel_requests_minute"))
        .containsExactly(
            "DROP TABLE IF EXISTS db.channel_requests_minute ON CLUSTER c1",
            "DROP TABLE IF EXISTS db.channel_requests_minute_local ON CLUSTER c1");
  }

  @Test
  void shouldAlterTheLocalTableAndCreateTheDistributedOneAgainOverIt() {
    assertThat(
            new ClusterDdl("c1", true)
                .translate(
                    "ALTER TABLE db.channel_metrics\n    ADD COLUMN x UInt64 DEFAULT toUInt64(0)"))
        .containsExactly(
            "ALTER TABLE db.channel_metrics_local ON CLUSTER c1 ADD COLUMN x UInt64 DEFAULT"
                + " toUInt64(0)",
            "DROP TABLE IF EXISTS db.channel_metrics ON CLUSTER c1",
            "CREATE TABLE IF NOT EXISTS db.channel_metrics ON CLUSTER c1 AS"
                + " db.channel_metrics_local ENGINE = Distributed(c1, db, channel_metrics_local,"
                + " sipHash64(channel_id))");
  }

  @Test
  void shouldTranslateEveryShippedMigrationAndRefuseWhatItCannot() {
    ClusterDdl ddl = new ClusterDdl("c1", true);
    for (Migrations.Migration migration : Migrations.all("db")) {
      for (String sql : migration.statements()) {
        assertThat(ddl.translate(sql)).as(migration.file()).isNotEmpty();
      }
    }
    assertThatThrownBy(
            () ->
                ddl.translate(
                    "CREATE TABLE IF NOT EXISTS db.t (a String) ENGINE = ReplacingMergeTree() ORDER"
                        + " BY a"))
        .hasMessageContaining("table t has no channel_id column");
    assertThatThrownBy(() -> ddl.translate("CREATE MATERIALIZED VIEW db.v AS SELECT 1"))
        .hasMessageContaining("no cluster form");
  }
}
