package dev.routemetrics.warehouse.query;

import java.lang.reflect.RecordComponent;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saved queries of each audience, as flat rows (column name to value, in a stable order) that
 * the HTTP service and the CLI print as JSON, CSV or a table. Column names are DOMAIN.md's words.
 */
public final class AudienceQueries {

  /** The views, by the name used in URLs and on the command line. */
  public enum View { HEALTH, REACH_CONTROL, LEARNING, FINANCE, RECONCILIATION }

  private final MetricsReader reader;
  private final Reconciliation reconciliation;
  private final Clock clock;

  public AudienceQueries(MetricsReader reader, Reconciliation reconciliation, Clock clock) {
    this.reader = reader;
    this.reconciliation = reconciliation;
    this.clock = clock;
  }

  public List<Map<String, Object>> run(View view, TimeRange range, Finance.Period period) throws SQLException {
    return switch (view) {
      case HEALTH -> rows(Health.compute(reader.metrics(range), clock.instant(), Health.Bounds.DEFAULT));
      case REACH_CONTROL -> only(range.channels(), reachControl(allChannels(range)));
      case LEARNING -> only(range.channels(), rows(Learning.compute(reader.metrics(allChannels(range)))));
      case FINANCE -> rows(Finance.compute(reader.revenue(range), period));
      case RECONCILIATION -> rows(reconciliation.compute(range));
    };
  }

  private List<Map<String, Object>> reachControl(TimeRange range) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ReachControl.Window window : ReachControl.compute(reader.metrics(range), reader.revenue(range))) {
      for (Map<String, Object> row : rows(window.channels())) {
        row.put("partner_concentration", window.partnerConcentration());
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * Request share, the top quartile, partner concentration and the direct routes' pooled trainable
   * rate are defined over all channels of a window, so a channel filter picks rows out of the
   * whole computation rather than narrowing its input (which would make a lone channel's share 1).
   */
  private static TimeRange allChannels(TimeRange range) {
    return new TimeRange(range.windowSize(), range.from(), range.until(), List.of());
  }

  private static List<Map<String, Object>> only(List<String> channels, List<Map<String, Object>> rows) {
    return channels.isEmpty() ? rows : rows.stream().filter(r -> channels.contains(r.get("channel_id"))).toList();
  }

  /** Records as ordered maps with snake_case keys. */
  static List<Map<String, Object>> rows(List<? extends Record> records) {
    List<Map<String, Object>> rows = new ArrayList<>(records.size());
    for (Record record : records) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (RecordComponent component : record.getClass().getRecordComponents()) {
        try {
          row.put(snake(component.getName()), component.getAccessor().invoke(record));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      rows.add(row);
    }
    return rows;
  }

  static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
  }
}
