package dev.routemetrics.tools.bench;

import dev.routemetrics.simulator.load.SteadyLoad;
import java.util.ArrayList;
import java.util.List;

/**
 * Event time to queryable, for paced live traffic ({@link SteadyLoad}, a request every 100 ms).
 * ClickHouse is polled for how many of the live usage events its MINUTE windows hold; a request's
 * events count as queryable at the first poll that shows at least as many events as had been sent
 * by the time that request left. Events do not become visible strictly in order (channels fold on
 * different partitions), so this is the lag of the k-th event in aggregate, not of each event; at a
 * 100 ms poll it is exact to about 100 ms.
 */
public final class FreshnessProbe {

  /** One poll: when, and how many live events ClickHouse held then. */
  public record Poll(long atMillis, long visible) {}

  /** One tick's events: when they happened, and when ClickHouse first held them all. */
  public record Latency(long sentAtMillis, long visibleAtMillis) {
    public long millis() {
      return visibleAtMillis - sentAtMillis;
    }
  }

  private FreshnessProbe() {}

  public static List<Latency> latencies(List<SteadyLoad.Sent> ticks, List<Poll> polls) {
    List<Latency> latencies = new ArrayList<>();
    int p = 0;
    for (SteadyLoad.Sent tick : ticks) {
      long sentAt = tick.at().toEpochMilli();
      while (p < polls.size()
          && (polls.get(p).visible() < tick.eventsSoFar() || polls.get(p).atMillis() < sentAt)) {
        p++;
      }
      if (p == polls.size()) {
        break; // never seen whole within the probe's patience
      }
      latencies.add(new Latency(sentAt, polls.get(p).atMillis()));
    }
    return latencies;
  }

  /** The q-quantile (nearest rank) of the latencies, in milliseconds. */
  public static long quantile(List<Latency> latencies, double q) {
    long[] sorted = latencies.stream().mapToLong(Latency::millis).sorted().toArray();
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
