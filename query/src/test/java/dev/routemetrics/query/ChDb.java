package dev.routemetrics.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A current ClickHouse engine (chDB, ClickHouse embedded in a Node addon) driven through {@code
 * query/chdb/run-sql.js}: statements go in as SQL text and come back as ClickHouse's own text
 * rendering of every cell, the same strings JDBC's {@code getString()} reads from 18.16. Installed
 * by {@code deploy/install.sh}; a missing install is a failure, never a skip, because the
 * compatibility check must not silently stop running.
 */
final class ChDb {

  private static final String NULL_TEXT = "\u1D3A\u1D41\u1D38\u1D38";

  /**
   * One statement's answer: its columns as (name, type) and its rows; both empty for DDL and
   * INSERT.
   */
  record Result(List<List<String>> columns, List<List<String>> rows) {}

  private static final Path DIR =
      Path.of("chdb").toAbsolutePath(); // failsafe runs in the module's basedir
  private static final Path SCRIPT = DIR.resolve("run-sql.js");
  private static final long TIMEOUT_SECONDS = 120;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChDb() {}

  /** Runs the statements in order in one chDB session whose data lives in {@code sessionDir}. */
  static List<Result> run(Path sessionDir, List<String> statements)
      throws IOException, InterruptedException {
    if (!Files.isDirectory(DIR.resolve("node_modules/chdb"))) {
      throw new AssertionError(
          "chDB is not installed in "
              + DIR.resolve("node_modules")
              + ": run deploy/install.sh (it installs the pinned chdb from npm in 10-20 s)");
    }
    Path stderr = Files.createTempFile("chdb-run-sql", ".err");
    Process node;
    try {
      ProcessBuilder command =
          new ProcessBuilder("node", SCRIPT.toString(), sessionDir.toString())
              .redirectError(stderr.toFile());
      // chDB's server time zone is the process's; deploy/clickhouse.sh pins 18.16's to UTC. Only
      // DateTime without a zone (and now()) depend on it, but those must render alike too.
      command.environment().put("TZ", "UTC");
      node = command.start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot start node (" + e.getMessage() + "): run deploy/install.sh", e);
    }
    try (OutputStream in = node.getOutputStream()) {
      JSON.writeValue(in, statements);
    }
    byte[] out = node.getInputStream().readAllBytes();
    if (!node.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      node.destroyForcibly();
      throw new AssertionError("run-sql.js did not finish within " + TIMEOUT_SECONDS + " s");
    }
    String errors = Files.readString(stderr, StandardCharsets.UTF_8);
    Files.deleteIfExists(stderr);
    if (node.exitValue() != 0) {
      throw new AssertionError(
          "chDB (current ClickHouse) rejected our SQL, exit " + node.exitValue() + ":\n" + errors);
    }

    List<Result> results = new ArrayList<>();
    for (JsonNode result : JSON.readTree(out)) {
      List<List<String>> columns = new ArrayList<>();
      for (JsonNode column : result.get("meta")) {
        columns.add(List.of(column.get("name").asText(), column.get("type").asText()));
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode row : result.get("data")) {
        List<String> cells = new ArrayList<>();
        // JSONCompactStrings writes NULL as the text ᴺᵁᴸᴸ; JDBC's getString gives null.
        row.forEach(
            cell ->
                cells.add(cell.isNull() || NULL_TEXT.equals(cell.asText()) ? null : cell.asText()));
        rows.add(cells);
      }
      results.add(new Result(columns, rows));
    }
    if (results.size() != statements.size()) {
      throw new AssertionError(
          "run-sql.js answered "
              + results.size()
              + " results for "
              + statements.size()
              + " statements");
    }
    return results;
  }

  /**
   * {@code sql} with each {@code ?} outside a quoted string replaced by the next parameter as a
   * quoted string literal: what the JDBC driver sends for {@code setString}.
   */
  static String inline(String sql, List<String> params) {
    StringBuilder text = new StringBuilder();
    int next = 0;
    char quote = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < sql.length()) {
          text.append(c).append(sql.charAt(++i));
          continue;
        }
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"' || c == '`') {
        quote = c;
      } else if (c == '?') {
        if (next == params.size()) {
          throw new IllegalArgumentException(
              "more ? than the " + params.size() + " parameters in: " + sql);
        }
        text.append(literal(params.get(next++)));
        continue;
      }
      text.append(c);
    }
    if (next != params.size()) {
      throw new IllegalArgumentException(
          params.size() + " parameters for " + next + " ? in: " + sql);
    }
    return text.toString();
  }

  /** A ClickHouse string literal: backslash and quote escaped. */
  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
