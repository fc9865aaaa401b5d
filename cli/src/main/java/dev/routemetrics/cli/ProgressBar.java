package dev.routemetrics.cli;

/** A one-line progress bar on stderr, redrawn in place; stdout stays clean for results. */
final class ProgressBar {

  private static final int WIDTH = 30;

  private ProgressBar() {}

  static void show(String label, long done, long total) {
    int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
    System.err.printf(
        "\r%s [%s%s] %3d%%",
        label,
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        total == 0 ? 100 : done * 100 / total);
    System.err.flush();
  }
}
