package dev.routemetrics.warehouse.query;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What every audience query is asked for: one window size, a half-open range of window starts, and
 * optionally some channels. Bound as parameters, never spliced into SQL.
 */
public record TimeRange(WindowSize windowSize, Instant from, Instant until, List<String> channels) {

  /** The window sizes the metrics topology emits. */
  public enum WindowSize { MINUTE, HOUR, DAY }

  static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  public TimeRange {
    if (!from.isBefore(until)) {
      throw new IllegalArgumentException("from (" + from + ") must be before until (" + until + ")");
    }
    channels = channels == null ? List.of() : List.copyOf(channels);
  }

  /** {@code WHERE} for a table with window_size, window_start and channel_id; see {@link #parameters()}. */
  String where() {
    String filter = "window_size = ? AND window_start >= toDateTime(?, 'UTC') AND window_start < toDateTime(?, 'UTC')";
    if (!channels.isEmpty()) {
      filter += " AND channel_id IN (" + String.join(", ", channels.stream().map(c -> "?").toList()) + ")";
    }
    return filter;
  }

  /** The values for {@link #where()}'s placeholders, in order. */
  List<String> parameters() {
    List<String> values = new java.util.ArrayList<>(List.of(windowSize.name(), UTC.format(from), UTC.format(until)));
    values.addAll(channels);
    return values;
  }
}
