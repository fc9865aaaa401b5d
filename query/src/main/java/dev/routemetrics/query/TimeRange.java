package dev.routemetrics.query;

import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What every audience query is asked for: one window size, a half-open range of window starts,
 * optionally some channels, and optionally one partner whose rows alone may be read. Bound as
 * parameters, never spliced into SQL.
 *
 * @param channels only these channels; empty for every channel the range may read
 * @param partnerId null for the lab's own reads (every row); else only rows that record this
 *     partner ({@code partner_id}, stamped per window from the registry as it was then), whatever
 *     the channel filter says, so a partner's read can never widen to other partners' rows
 */
public record TimeRange(
    WindowSize windowSize, Instant from, Instant until, List<String> channels, String partnerId) {

  static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** The first instant the warehouse's DateTime columns hold. */
  public static final Instant EARLIEST = Instant.EPOCH;

  /**
   * The last instant they hold on every supported server: ClickHouse 18.16's date tables end with
   * 2105 (a later text such as '2106-01-01 00:00:00' converts to 0, and a range ending there
   * selects nothing); current servers reach 2106-02-07. Every window start (whole minutes) up to
   * the last minute of 2105 stays selectable with an exclusive until of this instant.
   */
  public static final Instant LATEST = Instant.parse("2105-12-31T23:59:59Z");

  /**
   * Why {@code at} cannot be a bound of a range, or null if it can: the message names the parameter
   * and the storable bounds, so a caller can answer 400 with it.
   */
  public static String unstorable(String parameter, Instant at) {
    if (at.isBefore(EARLIEST)) {
      return parameter
          + ": must be at or after "
          + EARLIEST
          + ", the first instant the warehouse stores, was "
          + at;
    }
    if (at.isAfter(LATEST)) {
      return parameter
          + ": must be at or before "
          + LATEST
          + ", the last instant the warehouse stores, was "
          + at;
    }
    return null;
  }

  public TimeRange {
    for (String problem : new String[] {unstorable("from", from), unstorable("until", until)}) {
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    if (!from.isBefore(until)) {
      throw new IllegalArgumentException(
          "from (" + from + ") must be before until (" + until + ")");
    }
    channels = channels == null ? List.of() : List.copyOf(channels);
  }

  /** The lab's read: every partner's rows. */
  public TimeRange(WindowSize windowSize, Instant from, Instant until, List<String> channels) {
    this(windowSize, from, until, channels, null);
  }

  /** The same range and partner with another channel filter. */
  public TimeRange withChannels(List<String> channels) {
    return new TimeRange(windowSize, from, until, channels, partnerId);
  }

  /**
   * {@code WHERE} for a table with window_size, window_start, channel_id and partner_id; see {@link
   * #parameters()}.
   */
  String where() {
    String filter =
        "window_size = ? AND window_start >= toDateTime(?, 'UTC') AND window_start < toDateTime(?,"
            + " 'UTC')";
    if (!channels.isEmpty()) {
      filter +=
          " AND channel_id IN ("
              + String.join(", ", channels.stream().map(c -> "?").toList())
              + ")";
    }
    if (partnerId != null) {
      filter += " AND partner_id = ?";
    }
    return filter;
  }

  /** The values for {@link #where()}'s placeholders, in order. */
  List<String> parameters() {
    List<String> values =
        new ArrayList<>(List.of(windowSize.name(), UTC.format(from), UTC.format(until)));
    values.addAll(channels);
    if (partnerId != null) {
      values.add(partnerId);
    }
    return values;
  }
}
