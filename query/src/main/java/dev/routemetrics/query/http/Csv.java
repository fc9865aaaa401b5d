package dev.routemetrics.query.http;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.routemetrics.query.Amounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Rows as CSV with a header, through Jackson's CSV writer (quoting, escaping), safe to open in a
 * spreadsheet. Every CSV the query service and {@code routemetrics query --format csv} write comes
 * from here.
 *
 * <ul>
 *   <li><b>Text cells</b> (ids, names, anything a partner may have chosen, such as a statement's
 *       billing id) that start with {@code = + - @}, a tab or a carriage return get a leading
 *       single quote, as OWASP's CSV injection guidance says: {@code =HYPERLINK(...)} opens as the
 *       text {@code '=HYPERLINK(...)}, not as a link. This holds for text that looks like a number
 *       too ({@code "-12.5"} as text becomes {@code '-12.5}): a text cell is never guessed at.
 *   <li><b>Numeric cells</b> (counts, ratios, money: values that are Java numbers, not text) are
 *       written as they are, so a negative amount stays a number a spreadsheet can add up. Money
 *       has exactly four fraction digits ({@link Amounts#exact}): {@code -12.5000}. A number's text
 *       is digits, a sign, a point and an exponent only, which no spreadsheet runs as a formula.
 * </ul>
 */
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
    Map<String, Object> out = new LinkedHashMap<>();
    row.forEach((k, v) -> out.put(k, cell(v)));
    return out;
  }

  /**
   * One cell's text: numbers as numbers (money exact), text neutralised, a map as {@code
   * key=value;...}, a list's items joined by {@code " | "}.
   */
  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof BigDecimal amount) {
      return Amounts.exact(amount);
    }
    if (value instanceof Number number) {
      return number.toString();
    }
    if (value instanceof List<?> list) {
      return neutralised(list.stream().map(Csv::cell).collect(Collectors.joining(" | ")));
    }
    if (value instanceof Map<?, ?> map) {
      return neutralised(
          map.entrySet().stream()
              .map(e -> e.getKey() + "=" + cell(e.getValue()))
              .collect(Collectors.joining(";")));
    }
    return neutralised(value.toString());
  }

  /**
   * OWASP's rule for text: a leading {@code '} before a first character a spreadsheet would start a
   * formula with.
   */
  static String neutralised(String text) {
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      return "'" + text;
    }
    return text;
  }
}
