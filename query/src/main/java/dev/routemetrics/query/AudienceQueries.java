package dev.routemetrics.query;

import dev.routemetrics.schemas.windows.WindowSize;
import java.lang.reflect.RecordComponent;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saved queries of each audience, as flat rows (column name to value, in a stable order) that
 * the HTTP service and the CLI print as JSON, CSV or a table. Column names are docs/domain.md's
 * words.
 */
public final class AudienceQueries {

  /**
   * The views, by the name used in URLs and on the command line. A partner's read ({@link
   * TimeRange#partnerId()} set) runs every view as if the warehouse held only that partner's rows:
   * health, finance (its "partner" side only) and reconciliation (its own statements) are whole; in
   * learning the columns measured against the lab's direct routes (direct trainable rate, learning
   * loss, lost signals) come out null, because those routes are not the partner's to read, and so
   * does the trend's request share. Reach versus control is not {@link #partnerReadable()}: request
   * share, the top quartile, volume without control and partner concentration compare partners with
   * each other and with the lab's own routes; over one partner's rows they would be trivial
   * (concentration 1) or mean something else under the same names.
   */
  public enum View {
    HEALTH(true),
    REACH_CONTROL(false),
    LEARNING(true),
    FINANCE(true),
    RECONCILIATION(true),
    TREND(true),
    /**
     * Compares a partner's channel with the lab's own direct routes: the lab's question, not a
     * partner's.
     */
    WHAT_IF(false),
    /**
     * Each channel's control-point owners as of a moment; a partner's key reads the channels it
     * held then.
     */
    CONTROL_MAP(true),
    /**
     * What was kept aside instead of counted; a partner's key reads its channels' quarantined
     * events only.
     */
    QUARANTINE(true),
    /**
     * Share volatility, top quartile and rented volume compare channels with each other: the lab's
     * only.
     */
    SUBSTITUTION(false);

    private final boolean partnerReadable;

    View(boolean partnerReadable) {
      this.partnerReadable = partnerReadable;
    }

    /** Whether a partner's key may read this view (over its own rows). */
    public boolean partnerReadable() {
      return partnerReadable;
    }
  }

  private final MetricsReader reader;
  private final Reconciliation reconciliation;
  private final Clock clock;

  public AudienceQueries(MetricsReader reader, Reconciliation reconciliation, Clock clock) {
    this.reader = reader;
    this.reconciliation = reconciliation;
    this.clock = clock;
  }

  /**
   * The view's rows over the range; for a partner's range only that partner's rows go in.
   *
   * @throws IllegalArgumentException for a partner's range on a view that is not {@link
   *     View#partnerReadable()}
   */
  public List<Map<String, Object>> run(View view, TimeRange range, Finance.Period period)
      throws SQLException {
    return run(view, range, period, Options.NONE);
  }

  /**
   * What some views need beyond a range: the what-if's shift, the moment the control-point map is
   * read at. Either may be null for views that do not use it.
   */
  public record Options(WhatIf.Shift shift, java.time.Instant at) {
    public static final Options NONE = new Options(null, null);
  }

  /**
   * The view's rows with its options.
   *
   * @throws IllegalArgumentException for a partner's range on a view that is not {@link
   *     View#partnerReadable()}, or a what-if without its shift or with a target that is not direct
   *     (the message names the parameter)
   */
  public List<Map<String, Object>> run(
      View view, TimeRange range, Finance.Period period, Options options) throws SQLException {
    if (range.partnerId() != null && !view.partnerReadable()) {
      throw new IllegalArgumentException(view + " is not readable by a partner");
    }
    return switch (view) {
      case HEALTH ->
          rows(Health.compute(reader.metrics(range), clock.instant(), Health.Bounds.DEFAULT));
      case REACH_CONTROL -> only(range.channels(), reachControl(allChannels(range)));
      case LEARNING ->
          only(range.channels(), rows(Learning.compute(reader.metrics(allChannels(range)))));
      case FINANCE -> rows(Finance.compute(reader.revenue(range), period));
      case RECONCILIATION -> rows(reconciliation.compute(range));
      case TREND ->
          only(
              range.channels(),
              rows(Trend.compute(reader.metrics(allChannels(range)), range.partnerId() == null)));
      case CONTROL_MAP ->
          only(
              range.channels(),
              rows(
                  new ControlPointMap(reader)
                      .asOf(
                          options.at() != null ? options.at() : clock.instant(),
                          range.partnerId())));
      case QUARANTINE ->
          rows(new Quarantine(reader).compute(range, range.channels(), range.partnerId() != null));
      case SUBSTITUTION -> { // over HOUR windows whatever the window asked for (docs/domain.md)
        TimeRange all =
            new TimeRange(
                WindowSize.HOUR, range.from(), range.until(), List.of(), range.partnerId());
        yield only(
            range.channels(), rows(Substitution.compute(reader.metrics(all), reader.revenue(all))));
      }
      case WHAT_IF -> {
        if (options.shift() == null) {
          throw new IllegalArgumentException(
              "channel, to, shift: the what-if needs the channel, the direct channel and the"
                  + " fraction");
        }
        TimeRange all = allChannels(range);
        yield rows(WhatIf.compute(reader.metrics(all), reader.revenue(all), options.shift()));
      }
    };
  }

  private List<Map<String, Object>> reachControl(TimeRange range) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ReachControl.Window window :
        ReachControl.compute(reader.metrics(range), reader.revenue(range))) {
      for (Map<String, Object> row : rows(window.channels())) {
        row.put("partner_concentration", window.partnerConcentration());
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * Request share, the top quartile, partner concentration and the direct routes' pooled trainable
   * rate are defined over all channels of a window, so a channel filter picks rows out of the whole
   * computation rather than narrowing its input (which would make a lone channel's share 1). A
   * partner's range keeps its partner: "all" is then all of that partner's rows.
   */
  private static TimeRange allChannels(TimeRange range) {
    return range.withChannels(List.of());
  }

  private static List<Map<String, Object>> only(
      List<String> channels, List<Map<String, Object>> rows) {
    return channels.isEmpty()
        ? rows
        : rows.stream().filter(r -> channels.contains(r.get("channel_id"))).toList();
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
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
