package dev.routemetrics.query.alerts;

import dev.routemetrics.query.Amounts;
import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * (c) Statement mismatch: a partner's statement for a period reports requests or net revenue that
 * differ from what the pipeline metered for that partner's channels over the same days by more than
 * {@code maxDiscrepancyPercent} of the metered figure. The value is the larger discrepancy in
 * percent; where the metered figure is zero and the stated one is not, there is no percent: the
 * value is null and the alert fires.
 */
public final class StatementMismatchRule implements Rule {

  private final double maxPercent;
  private final int lookBackDays;

  public StatementMismatchRule(double maxPercent, int lookBackDays) {
    this.maxPercent = maxPercent;
    this.lookBackDays = lookBackDays;
  }

  @Override
  public String name() {
    return "statement-mismatch";
  }

  @Override
  public double threshold() {
    return maxPercent;
  }

  @Override
  public String unit() {
    return "percent";
  }

  @Override
  public List<Finding> evaluate(AlertInputs inputs, Instant now) throws Exception {
    List<Finding> findings = new ArrayList<>();
    for (AlertInputs.PartnerStatement s :
        inputs.statements(now.minus(Duration.ofDays(lookBackDays)))) {
      TimeRange range = new TimeRange(WindowSize.DAY, s.from(), s.until(), List.of());
      long requests =
          inputs.usage(range).stream()
              .filter(u -> Objects.equals(u.partnerId(), s.partnerId()))
              .mapToLong(ChannelWindow.Usage::requests)
              .sum();
      BigDecimal net =
          inputs.revenue(range).stream()
              .filter(
                  m ->
                      Objects.equals(m.partnerId(), s.partnerId())
                          && m.currency().equals(s.currency()))
              .map(ChannelWindow.Money::net)
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      Double requestGap = percent(BigDecimal.valueOf(s.requests()), BigDecimal.valueOf(requests));
      Double netGap = percent(s.net(), net);
      boolean unbounded = requestGap == null || netGap == null;
      double worst = Math.max(requestGap == null ? 0 : requestGap, netGap == null ? 0 : netGap);
      if (unbounded || worst > maxPercent) {
        findings.add(
            new Finding(
                s.partnerId() + "/" + s.statementId(),
                unbounded ? null : worst,
                String.format(
                    Locale.ROOT,
                    "%s statement %s for %s..%s: requests stated %d vs metered %d (%s), net stated"
                        + " %s vs metered %s %s (%s); bound %.1f%%",
                    s.partnerId(),
                    s.statementId(),
                    s.from(),
                    s.until(),
                    s.requests(),
                    requests,
                    show(requestGap),
                    Amounts.exact(s.net()),
                    Amounts.exact(net),
                    s.currency(),
                    show(netGap),
                    maxPercent)));
      }
    }
    return findings;
  }

  /** |stated − metered| / metered × 100; 0 when both are 0; null when only metered is 0. */
  static Double percent(BigDecimal stated, BigDecimal metered) {
    if (metered.signum() == 0) {
      return stated.signum() == 0 ? 0.0 : null;
    }
    return stated.subtract(metered).abs().doubleValue() / metered.abs().doubleValue() * 100;
  }

  private static String show(Double percent) {
    return percent == null ? "nothing metered" : String.format(Locale.ROOT, "%.2f%%", percent);
  }
}
