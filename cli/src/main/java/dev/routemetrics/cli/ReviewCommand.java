package dev.routemetrics.cli;

import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.alerts.AlertRules;
import dev.routemetrics.query.review.PdfPrinter;
import dev.routemetrics.query.review.Progress;
import dev.routemetrics.query.review.ReviewData;
import dev.routemetrics.query.review.RouteReview;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "review",
    mixinStandardHelpOptions = true,
    description = {
      "The monthly route review for the lab's leadership, as HTML and PDF (headless Chromium):",
      "per route reach, control, learning and finance with daily charts, the flagged channels,",
      "the top what-if, and who owns the path from capability to use. Progress on stderr."
    })
final class ReviewCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin Settings settings;

  @Option(names = "--month", required = true, description = "The month, YYYY-MM (UTC).")
  YearMonth month;

  @Option(
      names = "--out",
      required = true,
      description = "Directory for route-review-YYYY-MM.html and .pdf (created).")
  Path out;

  @Option(
      names = "--shift",
      defaultValue = "0.2",
      description =
          "The what-if's fraction of a channel's requests, between 0 and 1 (default:"
              + " ${DEFAULT-VALUE}).")
  BigDecimal shift;

  @Override
  public Integer call() throws Exception {
    if (shift.signum() <= 0 || shift.compareTo(BigDecimal.ONE) > 0) {
      throw new ParameterException(
          spec.commandLine(), "--shift: must be above 0 and at most 1, was " + shift);
    }
    PdfPrinter printer = PdfPrinter.fromEnvironment();
    printer.requireChromium();
    QueryConfig config = new QueryConfig(settings.overrides);
    ClickHouse clickHouse = new ClickHouse(config);
    Progress progress = Progress.to(System.err);
    ReviewData data =
        new ReviewData(
            new MetricsReader(clickHouse, config.database()),
            new Reconciliation(clickHouse, config.database()),
            AlertRules.load(config.getString(QueryConfig.ALERTS_RULES_FILE)),
            progress);
    RouteReview.Written written = new RouteReview(data, printer, progress).write(month, shift, out);
    System.out.println(written.html());
    System.out.println(written.pdf());
    return 0;
  }
}
