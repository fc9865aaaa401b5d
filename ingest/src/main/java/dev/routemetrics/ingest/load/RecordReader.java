package dev.routemetrics.ingest.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Reads a file of events one record at a time: NDJSON (one JSON object a line) or CSV (a header row
 * of field names). CSV cells are typed by the family's Avro schema, so the same validation applies
 * to both: a number column gets a number, an empty cell is null.
 */
public final class RecordReader {

  /**
   * One record: where it was, its text, and the JSON it reads as (null when unreadable, with why).
   */
  record Item(long line, String raw, JsonNode json, String unreadable) {}

  public enum Format {
    NDJSON,
    CSV
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectReader CSV_LINE =
      new CsvMapper().readerFor(String[].class).with(CsvParser.Feature.WRAP_AS_ARRAY);

  private final BufferedReader in;
  private final Format format;
  private final Schema schema;
  private List<String> header;
  private long line;

  RecordReader(BufferedReader in, Format format, Schema schema) {
    this.in = in;
    this.format = format;
    this.schema = schema;
  }

  /** The next record, or null at the end of the file. Blank lines are skipped. */
  Item next() throws IOException {
    String text;
    do {
      text = in.readLine();
      line++;
      if (text == null) {
        return null;
      }
    } while (text.isBlank());
    return format == Format.NDJSON ? json(text) : csv(text);
  }

  private Item json(String text) {
    try {
      return new Item(line, text, JSON.readTree(text), null);
    } catch (JacksonException e) {
      return new Item(line, text, null, "not valid JSON: " + e.getOriginalMessage());
    }
  }

  private Item csv(String text) throws IOException {
    if (header == null) {
      header = split(text);
      return next();
    }
    List<String> cells = split(text);
    if (cells.size() != header.size()) {
      return new Item(
          line, text, null, "has " + cells.size() + " cells, the header has " + header.size());
    }
    ObjectNode json = JSON.createObjectNode();
    for (int i = 0; i < cells.size(); i++) {
      String name = header.get(i);
      String cell = cells.get(i);
      Schema.Field field = schema.getField(name);
      if (cell.isEmpty()) {
        json.putNull(name);
      } else if (field != null && isInteger(field.schema()) && cell.matches("-?\\d{1,19}")) {
        json.put(name, Long.parseLong(cell));
      } else if (field != null && isBoolean(field.schema()) && cell.matches("true|false")) {
        json.put(name, Boolean.parseBoolean(cell));
      } else {
        json.put(name, cell);
      }
    }
    return new Item(line, text, json, null);
  }

  private static boolean isInteger(Schema schema) {
    return matches(schema, Schema.Type.INT) || matches(schema, Schema.Type.LONG);
  }

  private static boolean isBoolean(Schema schema) {
    return matches(schema, Schema.Type.BOOLEAN);
  }

  private static boolean matches(Schema schema, Schema.Type type) {
    if (schema.getType() == Schema.Type.UNION) {
      return schema.getTypes().stream().anyMatch(s -> s.getType() == type);
    }
    return schema.getType() == type && schema.getLogicalType() == null;
  }

  /** The cells of one CSV line (RFC 4180 quoting). */
  static List<String> split(String text) throws IOException {
    try (MappingIterator<String[]> rows = CSV_LINE.readValues(text)) {
      return rows.hasNext() ? List.of(rows.next()) : List.of("");
    }
  }
}
