package dev.routemetrics.query.review;

import dev.routemetrics.query.Amounts;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the review writes its numbers: the same text in the sentences, the tables and the charts'
 * labels.
 */
final class Format {

  private Format() {}

  /**
   * A ratio as a percentage with one decimal ({@code 0.1824} is {@code 18.2 %}); {@code –} when
   * undefined.
   */
  static String percent(Double ratio) {
    return ratio == null ? "–" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
  }

  /** A ratio as a percentage with two decimals, for small rates such as trainable feedback. */
  static String finePercent(Double ratio) {
    return ratio == null ? "–" : String.format(Locale.ROOT, "%.2f %%", ratio * 100);
  }

  /** A control score, two decimals. */
  static String score(Double score) {
    return score == null ? "–" : String.format(Locale.ROOT, "%.2f", score);
  }

  /** A signed change of a control score, three decimals ({@code +0.012}). */
  static String change(Double change) {
    return change == null ? "–" : String.format(Locale.ROOT, "%+.3f", change);
  }

  /** A count with thousands separators. */
  static String count(long count) {
    return String.format(Locale.ROOT, "%,d", count);
  }

  /** A fractional count (lost signals, moved requests), rounded to a whole number. */
  static String count(Double count) {
    return count == null ? "–" : String.format(Locale.ROOT, "%,.0f", count);
  }

  /**
   * An amount exactly as the warehouse holds it ({@link Amounts#exact}) with its currency: {@code
   * 1234.5600 USD}.
   */
  static String money(BigDecimal amount, String currency) {
    return Amounts.exact(amount) + " " + currency;
  }

  /** Amounts per currency, {@code 10.0000 EUR, 1234.5600 USD}; {@code –} without any. */
  static String money(Map<String, BigDecimal> amounts) {
    return amounts.isEmpty()
        ? "–"
        : amounts.entrySet().stream()
            .map(e -> money(e.getValue(), e.getKey()))
            .collect(Collectors.joining(", "));
  }

  /**
   * A route name for people: {@code CLOUD_PARTNER} is {@code Cloud partner}, {@code DIRECT_API}
   * {@code Direct API}.
   */
  static String route(String route) {
    String words = route.toLowerCase(Locale.ROOT).replace('_', ' ').replace("api", "API");
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }
}
