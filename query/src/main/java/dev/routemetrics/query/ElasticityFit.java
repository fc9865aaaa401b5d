package dev.routemetrics.query;

/**
 * The substitution-risk fit of docs/domain.md, in one place (ClickHouse 18.16 has no regression to
 * do it in SQL): ordinary least squares of ln(requests) on ln(p95 latency), optionally ln(net
 * revenue per request), and one indicator per hour of day present (no separate intercept: the
 * indicators are it), so the daily cycle is not read as a reaction. Slopes come out with their sign
 * flipped, so that traffic routing away from a slow or expensive lab is a positive elasticity, with
 * standard errors {@code sqrt(s² (XᵀX)⁻¹)}, {@code s² = RSS / (n − k)}. Null below {@link
 * #MIN_WINDOWS} windows, or when the regressors do not vary apart from the hour of day (nothing to
 * read a reaction from).
 */
public final class ElasticityFit {

  /** Fewer windows than this give no elasticity (docs/domain.md). */
  public static final int MIN_WINDOWS = 48;

  /**
   * The flipped slopes and their standard errors; {@code price} and {@code priceError} are null
   * when the price term was left out.
   */
  public record Result(
      int windows, double latency, double latencyError, Double price, Double priceError) {}

  private ElasticityFit() {}

  /**
   * @param requests per window, above 0
   * @param p95 latency per window, above 0
   * @param netPerRequest per window, above 0; null to leave the price term out
   * @param hourOfDay per window, 0 to 23
   * @return null below {@link #MIN_WINDOWS} windows or when the fit is not identified
   */
  public static Result fit(
      double[] requests, double[] p95, double[] netPerRequest, int[] hourOfDay) {
    int n = requests.length;
    if (n < MIN_WINDOWS) {
      return null;
    }
    int[] column = new int[24];
    java.util.Arrays.fill(column, -1);
    int slopes = netPerRequest == null ? 1 : 2;
    int k = slopes;
    for (int h : hourOfDay) {
      if (column[h] < 0) {
        column[h] = k++;
      }
    }
    if (n <= k) {
      return null;
    }
    double[][] xtx = new double[k][k];
    double[] xty = new double[k];
    double[] x = new double[k];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(x, 0);
      x[0] = Math.log(p95[i]);
      if (netPerRequest != null) {
        x[1] = Math.log(netPerRequest[i]);
      }
      x[column[hourOfDay[i]]] = 1;
      double y = Math.log(requests[i]);
      for (int a = 0; a < k; a++) {
        xty[a] += x[a] * y;
        for (int b = 0; b < k; b++) {
          xtx[a][b] += x[a] * x[b];
        }
      }
    }
    double[][] inverse = invert(xtx);
    if (inverse == null) {
      return null;
    }
    double[] beta = new double[k];
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        beta[a] += inverse[a][b] * xty[b];
      }
    }
    double rss = 0;
    for (int i = 0; i < n; i++) {
      double fitted =
          beta[0] * Math.log(p95[i])
              + (netPerRequest == null ? 0 : beta[1] * Math.log(netPerRequest[i]))
              + beta[column[hourOfDay[i]]];
      double residual = Math.log(requests[i]) - fitted;
      rss += residual * residual;
    }
    double s2 = rss / (n - k);
    return new Result(
        n,
        -beta[0],
        Math.sqrt(Math.max(0, s2 * inverse[0][0])),
        netPerRequest == null ? null : -beta[1],
        netPerRequest == null ? null : Math.sqrt(Math.max(0, s2 * inverse[1][1])));
  }

  /**
   * Gauss-Jordan with partial pivoting; null when a pivot is negligible against the matrix's scale
   * (a regressor that is a combination of the others).
   */
  static double[][] invert(double[][] m) {
    int k = m.length;
    double[][] a = new double[k][2 * k];
    double scale = 0;
    for (int i = 0; i < k; i++) {
      System.arraycopy(m[i], 0, a[i], 0, k);
      a[i][k + i] = 1;
      scale = Math.max(scale, Math.abs(m[i][i]));
    }
    for (int c = 0; c < k; c++) {
      int pivot = c;
      for (int r = c + 1; r < k; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      if (Math.abs(a[pivot][c]) <= 1e-10 * scale) {
        return null;
      }
      double[] swap = a[c];
      a[c] = a[pivot];
      a[pivot] = swap;
      double p = a[c][c];
      for (int j = 0; j < 2 * k; j++) {
        a[c][j] /= p;
      }
      for (int r = 0; r < k; r++) {
        if (r != c && a[r][c] != 0) {
          double f = a[r][c];
          for (int j = 0; j < 2 * k; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[][] inverse = new double[k][k];
    for (int i = 0; i < k; i++) {
      System.arraycopy(a[i], k, inverse[i], 0, k);
    }
    return inverse;
  }
}
