package dev.routemetrics.schemas.windows;

import java.time.Duration;

/**
 * The event-time, UTC, tumbling windows every metric is computed in (docs/domain.md, "Windows"):
 * the one definition the topology folds in, the sink writes and the queries read. Epoch-aligned, so
 * days start at 00:00 UTC. The name is the {@code window_size} of the metric records and tables.
 * The simulator keeps a copy of its own on purpose: its expectation is the independent reference.
 */
public enum WindowSize {
  MINUTE(Duration.ofMinutes(1), 1, 0),
  HOUR(Duration.ofHours(1), 2, 1),
  DAY(Duration.ofDays(1), 3, 2);

  private final Duration duration;
  private final long millis;
  private final int clickHouseCode;
  private final int stateCode;

  WindowSize(Duration duration, int clickHouseCode, int stateCode) {
    this.duration = duration;
    this.millis = duration.toMillis();
    this.clickHouseCode = clickHouseCode;
    this.stateCode = stateCode;
  }

  /**
   * The byte the topology's state stores and changelogs hold for this size (the tallies' encoding):
   * stored for as long as a window is kept, so never renumbered, whatever the order of the
   * constants.
   */
  public int stateCode() {
    return stateCode;
  }

  /** The size a state byte names; an unknown byte is a state this version cannot read. */
  public static WindowSize ofStateCode(int code) {
    for (WindowSize size : values()) {
      if (size.stateCode == code) {
        return size;
      }
    }
    throw new IllegalArgumentException("no window size has state code " + code);
  }

  /** Start of the window holding {@code epochMillis}. */
  public long startOf(long epochMillis) {
    return Math.floorDiv(epochMillis, millis) * millis;
  }

  public long millis() {
    return millis;
  }

  public Duration duration() {
    return duration;
  }

  /**
   * This size as the metric records carry it (schema v3 on): the Avro enum {@code
   * dev.routemetrics.metrics.WindowSize}, whose symbols are these names in this order plus an
   * {@code UNKNOWN} that is never sent ({@code WindowSizeTest} holds the two together).
   */
  public dev.routemetrics.metrics.WindowSize symbol() {
    return dev.routemetrics.metrics.WindowSize.valueOf(name());
  }

  /**
   * The size a metric record's symbol names; {@code UNKNOWN} (a size added after this version) is
   * none of ours, an {@link IllegalArgumentException}.
   */
  public static WindowSize of(dev.routemetrics.metrics.WindowSize symbol) {
    return valueOf(symbol.name());
  }

  /**
   * The value of the {@code window_size} Enum8 column of channel_metrics and channel_revenue
   * (migrations 002 and 003), which RowBinary writes as this number.
   */
  public int clickHouseCode() {
    return clickHouseCode;
  }
}
