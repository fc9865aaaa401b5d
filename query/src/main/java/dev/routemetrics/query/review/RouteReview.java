package dev.routemetrics.query.review;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;

/**
 * The monthly route review, end to end: {@link ReviewData} reads the month, {@link ReviewHtml}
 * renders {@code route-review-YYYY-MM.html} into the output directory, {@link PdfPrinter} prints it
 * beside it as {@code .pdf}. Each step says on {@link Progress} what it is doing.
 */
public final class RouteReview {

  /** Where the review went. */
  public record Written(Path html, Path pdf, Review review) {}

  private final ReviewData data;
  private final PdfPrinter printer;
  private final Progress progress;

  public RouteReview(ReviewData data, PdfPrinter printer, Progress progress) {
    this.data = data;
    this.printer = printer;
    this.progress = progress;
  }

  /** {@code route-review-2026-11.html} */
  public static String fileName(YearMonth month, String extension) {
    return "route-review-" + month + "." + extension;
  }

  public Written write(YearMonth month, BigDecimal fraction, Path dir) throws Exception {
    Review review = data.read(month, fraction);
    progress.section("rendering HTML");
    Files.createDirectories(dir);
    Path html = dir.resolve(fileName(month, "html"));
    Files.writeString(html, ReviewHtml.render(review), StandardCharsets.UTF_8);
    progress.section("printing PDF with headless Chromium");
    Path pdf = dir.resolve(fileName(month, "pdf"));
    printer.print(html, pdf);
    progress.section(
        "done: " + Files.size(html) / 1024 + " KiB HTML, " + Files.size(pdf) / 1024 + " KiB PDF");
    return new Written(html, pdf, review);
  }
}
