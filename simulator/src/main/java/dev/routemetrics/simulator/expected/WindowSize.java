package dev.routemetrics.simulator.expected;

import java.time.Duration;

/** The event-time, UTC, tumbling windows of docs/domain.md. */
public enum WindowSize {
  MINUTE(Duration.ofMinutes(1)),
  HOUR(Duration.ofHours(1)),
  DAY(Duration.ofDays(1));

  private final long millis;

  WindowSize(Duration size) {
    this.millis = size.toMillis();
  }

  /** Start of the window holding {@code epochMillis}; epoch-aligned, so days start at 00:00 UTC. */
  public long startOf(long epochMillis) {
    return Math.floorDiv(epochMillis, millis) * millis;
  }

  public long millis() {
    return millis;
  }
}
