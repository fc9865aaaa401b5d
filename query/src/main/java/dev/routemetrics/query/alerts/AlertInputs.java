package dev.routemetrics.query.alerts;

import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.TimeRange;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What the rules read: the stored metric windows, and partners' statements. Behind an interface so
 * every rule can be tested with hand-made windows; {@link WarehouseInputs} reads ClickHouse.
 */
public interface AlertInputs {

  List<ChannelWindow.Usage> usage(TimeRange range) throws Exception;

  List<ChannelWindow.Money> revenue(TimeRange range) throws Exception;

  /** Partners' statements received since the given instant (by the statement's period end). */
  List<PartnerStatement> statements(Instant since) throws Exception;

  /**
   * What a partner reported for one period: requests and the net owed to the lab, in one currency.
   * Half-open period [{@code from}, {@code until}), whole UTC days.
   */
  record PartnerStatement(
      String statementId,
      String partnerId,
      Instant from,
      Instant until,
      long requests,
      String currency,
      BigDecimal net) {}
}
