package dev.routemetrics.query.review;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where the review says which section it is building and how long it has been at it (stderr, for a
 * person).
 */
public interface Progress {

  /** Says nothing (tests). */
  Progress NONE = section -> {};

  void section(String section);

  /**
   * {@code [review] 1.2 s reading DAY windows of 2026-11}, one line per section, elapsed since this
   * was made.
   */
  static Progress to(PrintStream out) {
    long start = System.nanoTime();
    return section ->
        out.printf(
            Locale.ROOT, "[review] %6.1f s  %s%n", (System.nanoTime() - start) / 1e9, section);
  }
}
