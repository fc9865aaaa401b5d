package dev.routemetrics.simulator.output;

import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most five times a second so drawing never costs
 * time.
 */
public final class ProgressBar implements TrafficSimulator.Progress {

  private static final int WIDTH = 30;

  private final PrintStream err;
  private final long startedNanos = System.nanoTime();
  private long lastDrawNanos;

  public ProgressBar(PrintStream err) {
    this.err = err;
  }

  @Override
  public void update(long simulatedMillis, long totalMillis, long delivered) {
    long now = System.nanoTime();
    boolean done = simulatedMillis >= totalMillis;
    if (!done && now - lastDrawNanos < 200_000_000L) {
      return;
    }
    lastDrawNanos = now;
    double fraction = Math.min(1, simulatedMillis / (double) totalMillis);
    int filled = (int) Math.round(fraction * WIDTH);
    double seconds = (now - startedNanos) / 1e9;
    err.print(
        String.format(
            Locale.ROOT,
            "\r[%s%s] %3d%%  %,d records  %.1f s  %,.0f records/s",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            Math.round(fraction * 100),
            delivered,
            seconds,
            seconds > 0 ? delivered / seconds : 0));
    if (done) {
      err.println();
    }
    err.flush();
  }
}
