package dev.routemetrics.cli;

import dev.routemetrics.query.Amounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rows as an aligned text table; ratios to four places, money exact at four places, instants as
 * they are.
 */
final class Table {

  private Table() {}

  static void print(List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      System.out.println(
          "(no rows: is the range right, and has the pipeline written to ClickHouse yet?)");
      return;
    }
    List<String> columns = new ArrayList<>(rows.get(0).keySet());
    List<List<String>> cells = new ArrayList<>();
    int[] width = columns.stream().mapToInt(String::length).toArray();
    for (Map<String, Object> row : rows) {
      List<String> line = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        String text = cell(row.get(columns.get(c)));
        width[c] = Math.max(width[c], text.length());
        line.add(text);
      }
      cells.add(line);
    }
    StringBuilder out = new StringBuilder();
    appendLine(out, columns, width);
    cells.forEach(line -> appendLine(out, line, width));
    System.out.print(out);
  }

  private static String cell(Object value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof Double d) {
      return String.format(java.util.Locale.ROOT, "%.4f", d);
    }
    if (value instanceof java.math.BigDecimal amount) {
      return Amounts.exact(amount);
    }
    if (value instanceof List<?> list) {
      StringBuilder text = new StringBuilder();
      list.forEach(item -> text.append(text.length() == 0 ? "" : " | ").append(cell(item)));
      return text.toString();
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder text = new StringBuilder();
      map.forEach(
          (k, v) ->
              text.append(text.length() == 0 ? "" : " ").append(k).append(' ').append(cell(v)));
      return text.toString();
    }
    if (value instanceof Instant i) {
      return i.toString();
    }
    return value.toString();
  }

  private static void appendLine(StringBuilder out, List<String> cells, int[] width) {
    for (int c = 0; c < cells.size(); c++) {
      out.append(String.format("%-" + width[c] + "s", cells.get(c)))
          .append(c + 1 < cells.size() ? "  " : "\n");
    }
  }
}
