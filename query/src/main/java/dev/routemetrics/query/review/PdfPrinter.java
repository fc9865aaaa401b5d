package dev.routemetrics.query.review;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prints an HTML file to PDF with headless Chromium (Debian's {@code chromium}; {@code
 * deploy/install.sh} installs it), offline: no background networking, component updates or sync, a
 * throw-away profile, no header or footer. Chromium is found at {@code CHROMIUM_BINARY} or {@code
 * /usr/bin/chromium}; without it printing fails with a message saying how to install it.
 */
public final class PdfPrinter {

  /** How long one print may take on a loaded two-core machine. */
  static final long TIMEOUT_SECONDS = 180;

  private final Path chromium;

  public PdfPrinter(Path chromium) {
    this.chromium = chromium;
  }

  /** Chromium where the environment says, else Debian's. */
  public static PdfPrinter fromEnvironment() {
    return new PdfPrinter(chromiumBinary());
  }

  /** {@code CHROMIUM_BINARY}, else {@code /usr/bin/chromium}. */
  public static Path chromiumBinary() {
    return Path.of(System.getenv().getOrDefault("CHROMIUM_BINARY", "/usr/bin/chromium"));
  }

  /** Why Chromium cannot run here, or null: the message names the binary and how to install it. */
  public static String missing(Path chromium) {
    return Files.isExecutable(chromium)
        ? null
        : "Chromium is needed to print the review to PDF and is not at "
            + chromium
            + ": install it with deploy/install.sh"
            + " (apt-get install chromium) or set CHROMIUM_BINARY to its path";
  }

  /** Fails early, before anything is read, when this printer's Chromium is not there. */
  public void requireChromium() {
    String problem = missing(chromium);
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
  }

  /** The flags of every run: headless, offline, no state kept. */
  List<String> command(Path html, Path pdf, Path profile) {
    return List.of(
        chromium.toString(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile,
        "--no-pdf-header-footer",
        "--print-to-pdf=" + pdf.toAbsolutePath(),
        html.toAbsolutePath().toUri().toString());
  }

  /**
   * Prints {@code html} to {@code pdf}.
   *
   * @throws IllegalStateException when Chromium is missing, fails, times out, or writes no PDF
   *     (with its output)
   */
  public void print(Path html, Path pdf) throws IOException, InterruptedException {
    requireChromium();
    Path profile = Files.createTempDirectory("routemetrics-review-chromium");
    try {
      Files.deleteIfExists(pdf);
      List<String> command = command(html, pdf, profile);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> drain(process.getInputStream(), output), "chromium-output");
      reader.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "Chromium did not print " + html + " within " + TIMEOUT_SECONDS + " s");
      }
      reader.join(5000);
      if (process.exitValue() != 0 || !Files.isRegularFile(pdf) || !isPdf(pdf)) {
        throw new IllegalStateException(
            "Chromium exited "
                + process.exitValue()
                + " without a PDF at "
                + pdf
                + ": "
                + tail(output.toString()));
      }
    } finally {
      deleteTree(profile);
    }
  }

  /** Whether the file starts as a PDF does ({@code %PDF-}). */
  public static boolean isPdf(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(5);
      return new String(head, StandardCharsets.ISO_8859_1).equals("%PDF-");
    }
  }

  private static void drain(InputStream in, StringBuilder out) {
    try {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      synchronized (out) {
        out.append(text);
      }
    } catch (IOException e) {
      synchronized (out) {
        out.append("(output unreadable: ").append(e.getMessage()).append(')');
      }
    }
  }

  private static String tail(String text) {
    List<String> lines = new ArrayList<>(text.lines().toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
