package dev.routemetrics.query.review;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A day-by-day chart of one month as inline SVG, drawn here so the review needs no script and no
 * network: bars for counts and money, a line for ratios. Every bar and point carries its day and
 * its value as text ({@code data-day}, {@code data-value}), the same text its tooltip shows.
 */
final class DailyChart {

  static final int WIDTH = 320;
  static final int HEIGHT = 120;
  static final int LEFT = 44;
  static final int RIGHT = 6;
  static final int TOP = 16;
  static final int BOTTOM = 18;

  static final double PLOT_WIDTH = WIDTH - LEFT - RIGHT;
  static final double PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;

  private DailyChart() {}

  /**
   * One day's value: its magnitude for the geometry, its text for people (an exact amount stays
   * exact).
   */
  record Point(LocalDate day, Double value, String text) {}

  /** Bars from 0 to the largest value; a day without a value has no bar. */
  static String bars(String key, String title, List<Point> points) {
    double max =
        points.stream().filter(p -> p.value() != null).mapToDouble(Point::value).max().orElse(0);
    StringBuilder svg = open(key, title);
    axis(svg, max > 0 ? topLabel(points, max) : "0", points);
    double slot = PLOT_WIDTH / points.size();
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      if (p.value() == null) {
        continue;
      }
      double height = max > 0 ? Math.max(0, p.value()) / max * PLOT_HEIGHT : 0;
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\""
                  + " data-day=\"%s\" data-value=\"%s\"><title>%s: %s</title></rect>",
              LEFT + i * slot + slot * 0.15,
              TOP + PLOT_HEIGHT - height,
              slot * 0.7,
              height,
              p.day(),
              esc(p.text()),
              p.day(),
              esc(p.text())));
    }
    return svg.append("</svg>").toString();
  }

  /** A line over [0, max]; days without a value break it. */
  static String line(
      String key, String title, List<Point> points, double max, Function<Double, String> label) {
    StringBuilder svg = open(key, title);
    axis(svg, label.apply(max), points);
    double slot = PLOT_WIDTH / points.size();
    List<String> segment = new ArrayList<>();
    StringBuilder dots = new StringBuilder();
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      if (p.value() == null) {
        flush(svg, segment);
        continue;
      }
      double x = LEFT + i * slot + slot / 2;
      double y = TOP + PLOT_HEIGHT * (1 - Math.min(1, Math.max(0, p.value() / max)));
      segment.add(String.format(Locale.ROOT, "%.2f,%.2f", x, y));
      dots.append(
          String.format(
              Locale.ROOT,
              "<circle class=\"dot\" cx=\"%.2f\" cy=\"%.2f\" r=\"2.2\" data-day=\"%s\""
                  + " data-value=\"%s\"><title>%s: %s</title></circle>",
              x,
              y,
              p.day(),
              esc(p.text()),
              p.day(),
              esc(p.text())));
    }
    flush(svg, segment);
    return svg.append(dots).append("</svg>").toString();
  }

  private static void flush(StringBuilder svg, List<String> segment) {
    if (segment.size() > 1) {
      svg.append("<polyline class=\"line\" points=\"")
          .append(String.join(" ", segment))
          .append("\"/>");
    }
    segment.clear();
  }

  private static String topLabel(List<Point> points, double max) {
    return points.stream()
        .filter(p -> p.value() != null && p.value() == max)
        .findFirst()
        .map(Point::text)
        .orElse("");
  }

  private static StringBuilder open(String key, String title) {
    return new StringBuilder(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" data-k=\"%s\" role=\"img\" aria-label=\"%s\"><text"
                + " class=\"title\" x=\"%d\" y=\"11\">%s</text>",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            esc(key),
            esc(title),
            LEFT,
            esc(title)));
  }

  /**
   * The frame, the top value at the top left, 0 at the bottom, and the first, middle and last day
   * under the axis.
   */
  private static void axis(StringBuilder svg, String top, List<Point> points) {
    double bottom = TOP + PLOT_HEIGHT;
    svg.append(
            String.format(
                Locale.ROOT,
                "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.2f\"/>",
                LEFT,
                TOP,
                LEFT,
                bottom))
        .append(
            String.format(
                Locale.ROOT,
                "<line class=\"axis\" x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>",
                LEFT,
                bottom,
                WIDTH - RIGHT,
                bottom))
        .append(
            String.format(
                Locale.ROOT,
                "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                LEFT - 3,
                TOP + 4,
                esc(shortLabel(top))))
        .append(
            String.format(
                Locale.ROOT,
                "<text class=\"tick\" x=\"%d\" y=\"%.2f\" text-anchor=\"end\">0</text>",
                LEFT - 3,
                bottom));
    double slot = PLOT_WIDTH / points.size();
    for (int i : new int[] {0, points.size() / 2, points.size() - 1}) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%d</text>",
              LEFT + i * slot + slot / 2,
              HEIGHT - 4,
              points.get(i).day().getDayOfMonth()));
    }
  }

  /**
   * An axis label fits in the margin: an amount ({@code 1234.5600 USD}) loses its fraction digits
   * and currency there (the bars keep them).
   */
  private static String shortLabel(String text) {
    return text.matches("-?[0-9]+\\.[0-9]+ [A-Z]{3}") ? text.substring(0, text.indexOf('.')) : text;
  }

  static String esc(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
