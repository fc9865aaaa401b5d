package dev.routemetrics.sink.migrations;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.ConnectionConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned DDL, applied in order and each once, recorded in {@code {db}.schema_migrations}. The
 * files live under {@code db/migrations/} and are listed in its {@code index.txt}; {@code {db}} in
 * them stands for the configured database. Every file runs on ClickHouse 18.16 and on current
 * releases.
 *
 * <p>With a cluster ({@code routemetrics.clickhouse.cluster}) each statement runs in its cluster
 * form ({@link ClusterDdl}): local tables on every node plus Distributed tables under the same
 * names, so the sink and the queries are the same on both layouts.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  private static final String ROOT = "db/migrations/";

  private final ClickHouse clickHouse;
  private final String database;
  private final String cluster;

  /**
   * On the layout the environment names (ROUTEMETRICS_CLICKHOUSE_CLUSTER; unset: a single server).
   */
  public Migrations(ClickHouse clickHouse, String database) {
    this(clickHouse, database, ConnectionConfig.clusterFromEnvironment());
  }

  /**
   * On {@code cluster}, a remote_servers cluster of the server {@code clickHouse} connects to;
   * empty: that server alone.
   */
  public Migrations(ClickHouse clickHouse, String database, String cluster) {
    this.clickHouse = clickHouse;
    this.database = database;
    this.cluster = cluster;
  }

  /** One migration file: its number is its version. */
  public record Migration(int version, String file, List<String> statements) {}

  /** Applies the migrations not applied yet; returns the files it applied. */
  public List<String> apply() throws SQLException {
    List<String> applied = new ArrayList<>();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      ClusterDdl ddl = cluster.isEmpty() ? null : new ClusterDdl(cluster, replicated(connection));
      for (String sql : bootstrap(database)) {
        for (String each : ddl == null ? List.of(sql) : ddl.translate(sql)) {
          statement.execute(each);
        }
      }
      Set<Integer> done = appliedVersions(connection);
      for (Migration migration : all(database)) {
        if (done.contains(migration.version())) {
          continue;
        }
        for (String sql : migration.statements()) {
          for (String each : ddl == null ? List.of(sql) : ddl.translate(sql)) {
            statement.execute(each);
          }
        }
        try (PreparedStatement record =
            connection.prepareStatement(
                "INSERT INTO " + database + ".schema_migrations (version, file) VALUES (?, ?)")) {
          record.setInt(1, migration.version());
          record.setString(2, migration.file());
          record.execute();
        }
        log.info(
            "applied migration {} to database {}{}",
            migration.file(),
            database,
            cluster.isEmpty() ? "" : " on cluster " + cluster);
        applied.add(migration.file());
      }
    } catch (SQLException e) {
      throw clickHouse.explained(e);
    }
    return applied;
  }

  /**
   * Whether the cluster's shards have replicas (then the local tables are Replicated); fails if the
   * server does not know it.
   */
  private boolean replicated(Connection connection) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT count(), max(replica_num) FROM system.clusters WHERE cluster = ?")) {
      query.setString(1, cluster);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        if (rows.getLong(1) == 0) {
          throw new IllegalStateException(
              "routemetrics.clickhouse.cluster is '"
                  + cluster
                  + "', but the ClickHouse server at "
                  + clickHouse.url()
                  + " has no such cluster in its remote_servers (deploy/cluster.sh writes one named"
                  + " routemetrics)");
        }
        return rows.getLong(2) > 1;
      }
    }
  }

  private Set<Integer> appliedVersions(Connection connection) throws SQLException {
    Set<Integer> versions = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT version FROM " + database + ".schema_migrations")) {
      while (rows.next()) {
        versions.add(rows.getInt(1));
      }
    }
    return versions;
  }

  /**
   * The database and the table recording applied migrations: run before any migration, every time.
   */
  public static List<String> bootstrap(String database) {
    return List.of(
        "CREATE DATABASE IF NOT EXISTS " + database,
        "CREATE TABLE IF NOT EXISTS "
            + database
            + ".schema_migrations"
            + " (version UInt32, file String, applied_at DateTime DEFAULT now())"
            + " ENGINE = MergeTree() ORDER BY version");
  }

  /** Every migration with {@code {db}} replaced, in order. */
  public static List<Migration> all(String database) {
    List<Migration> migrations = new ArrayList<>();
    for (String file : lines(ROOT + "index.txt")) {
      int version = Integer.parseInt(file.substring(0, file.indexOf('_')));
      String text = String.join("\n", lines(ROOT + file)).replace("{db}", database);
      List<String> statements = new ArrayList<>();
      for (String sql : text.split(";\\s*(\n|$)")) {
        String body =
            sql.lines()
                .filter(line -> !line.strip().startsWith("--"))
                .collect(Collectors.joining("\n"))
                .strip();
        if (!body.isEmpty()) {
          statements.add(body);
        }
      }
      migrations.add(new Migration(version, file, statements));
    }
    return migrations;
  }

  private static List<String> lines(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + resource + " is missing");
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .lines()
          .filter(
              line -> !resource.endsWith("index.txt") || !(line.isBlank() || line.startsWith("#")))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
