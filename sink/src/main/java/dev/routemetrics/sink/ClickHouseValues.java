package dev.routemetrics.sink;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How the writers hand values to the 0.2.x driver so that 18.16 and current servers read them
 * alike.
 */
final class ClickHouseValues {

  /**
   * DateTime('UTC') columns take text in their own time zone: write UTC wall time, never the JVM's
   * zone.
   */
  static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private ClickHouseValues() {}

  static void dateTime(PreparedStatement insert, int index, Instant value) throws SQLException {
    if (value == null) {
      insert.setNull(index, Types.VARCHAR);
    } else {
      insert.setString(index, DATE_TIME.format(value));
    }
  }

  /**
   * {@code value} clamped into what 18.16's DateTime holds (1970-01-01 to 2105-12-31), for times
   * the project did not choose and must still store, such as a Kafka record's timestamp (-1 when
   * none).
   */
  static Instant storable(Instant value) {
    Instant latest = Instant.parse("2105-12-31T23:59:59Z");
    return value.isBefore(Instant.EPOCH) ? Instant.EPOCH : value.isAfter(latest) ? latest : value;
  }

  /** Decimals as plain text: exact, and no scientific notation for the server to misread. */
  static void decimal(PreparedStatement insert, int index, BigDecimal value) throws SQLException {
    insert.setString(index, value.toPlainString());
  }

  static void nullableDouble(PreparedStatement insert, int index, Double value)
      throws SQLException {
    if (value == null) {
      insert.setNull(index, Types.DOUBLE);
    } else {
      insert.setDouble(index, value);
    }
  }

  static void nullableString(PreparedStatement insert, int index, String value)
      throws SQLException {
    if (value == null) {
      insert.setNull(index, Types.VARCHAR);
    } else {
      insert.setString(index, value);
    }
  }
}
