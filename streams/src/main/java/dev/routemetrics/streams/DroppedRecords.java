package dev.routemetrics.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every record the topology does not count, by reason: nothing is dropped silently. Identical
 * copies (a retry or a replay, counted once already) are dropped; conflicts, too-late,
 * out-of-bounds and unprocessable records are set aside on quarantined-events and counted here too.
 * Exposed as {@code routemetrics_streams_records_dropped_total{reason}} on the streams app's
 * /metrics.
 */
public final class DroppedRecords {

  public static final String DUPLICATE = "duplicate";
  public static final String DUPLICATE_REQUEST_ID = "duplicate_request_id";
  public static final String CONFLICT = "conflict";
  public static final String TOO_LATE = "too_late";
  public static final String OUT_OF_BOUNDS = "out_of_bounds";
  public static final String UNDECODABLE = "undecodable";
  public static final String UNPROCESSABLE = "unprocessable";
  public static final String OVERFLOW = "overflow";
  public static final String FORGOTTEN_WINDOW = "forgotten_window";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public DroppedRecords(MeterRegistry registry) {
    this.registry = registry;
  }

  /** For tests and tools that do not serve metrics. */
  public static DroppedRecords inMemory() {
    return new DroppedRecords(new SimpleMeterRegistry());
  }

  void count(String reason) {
    counters
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("routemetrics.streams.records.dropped")
                    .description(
                        "Records the metrics topology did not count, by reason (quarantined ones"
                            + " included)")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  /** How many were dropped for {@code reason} so far. */
  public long total(String reason) {
    Counter c = counters.get(reason);
    return c == null ? 0 : (long) c.count();
  }

  /** Every reason counted so far with its count. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new java.util.TreeMap<>();
    counters.forEach((reason, c) -> out.put(reason, (long) c.count()));
    return out;
  }
}
