package dev.routemetrics.warehouse.http;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Rows as CSV with a header, through Jackson's CSV writer (quoting, escaping). */
public final class Csv {

  private static final CsvMapper CSV = new CsvMapper();

  private Csv() {}

  public static String write(List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return "";
    }
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    rows.get(0).keySet().forEach(schema::addColumn);
    try {
      List<Map<String, Object>> printable = rows.stream().map(Csv::printable).toList();
      return CSV.writer(schema.build()).writeValueAsString(printable);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> printable(Map<String, Object> row) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    row.forEach((k, v) -> out.put(k, v == null ? "" : v.toString()));
    return out;
  }
}
