package dev.routemetrics.simulator.expected;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A partner statement against what was metered for the same channel and period: requests from the
 * distinct usage events whose event_time falls in the period, money from the partner-billed CHARGE,
 * REFUND and CREDIT events whose period_start falls in it (same currency).
 *
 * @param requestDiscrepancyPercent (reported − metered) / metered × 100; null when nothing was
 *     metered
 * @param netDiscrepancyPercent (statement net − metered net) / metered net × 100; null when metered
 *     net is 0
 */
public record StatementReconciliation(
    String billingId,
    String channelId,
    String partnerId,
    Instant periodStart,
    Instant periodEnd,
    String currency,
    Long reportedRequests,
    long meteredRequests,
    Double requestDiscrepancyPercent,
    BigDecimal statementNet,
    BigDecimal meteredNet,
    Double netDiscrepancyPercent) {}
