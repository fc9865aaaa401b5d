package dev.routemetrics.query;

import java.math.BigDecimal;

/**
 * How an amount of money leaves the warehouse, in every JSON, CSV and table the query service and
 * the CLI write: the exact decimal as text, with the warehouse's four fraction digits ({@code
 * Decimal(18, 4)}), so {@code 39763.58} is {@code "39763.5800"} and nothing passes through a binary
 * floating point on the way. 18.16 renders a Decimal with its full scale and current servers trim
 * trailing zeros; both come out the same here.
 */
public final class Amounts {

  /** The fraction digits of every amount column (Decimal(18, 4)). */
  public static final int SCALE = 4;

  private Amounts() {}

  /**
   * {@code amount} with exactly {@link #SCALE} fraction digits, plain (never exponent) notation. An
   * amount with more digits than that (none is stored) keeps all of them rather than being rounded.
   */
  public static String exact(BigDecimal amount) {
    BigDecimal scaled = amount.scale() <= SCALE ? amount.setScale(SCALE) : amount;
    return scaled.toPlainString();
  }
}
