package dev.routemetrics.streams;

import java.time.Duration;

/**
 * The event-time, UTC, tumbling windows of docs/domain.md; epoch-aligned, so days start at 00:00
 * UTC.
 */
enum WindowSize {
  MINUTE(Duration.ofMinutes(1)),
  HOUR(Duration.ofHours(1)),
  DAY(Duration.ofDays(1));

  private final long millis;

  WindowSize(Duration size) {
    this.millis = size.toMillis();
  }

  long startOf(long epochMillis) {
    return Math.floorDiv(epochMillis, millis) * millis;
  }

  long millis() {
    return millis;
  }
}
