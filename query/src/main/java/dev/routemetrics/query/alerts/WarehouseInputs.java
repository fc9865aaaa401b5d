package dev.routemetrics.query.alerts;

import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.TimeRange;
import java.time.Instant;
import java.util.List;

/**
 * The rules' inputs from ClickHouse. Partner statements are not stored in ClickHouse yet (billing
 * events of kind PARTNER_STATEMENT are not sunk into a table), so {@link #statements} answers none
 * until a source is passed in; the statement-mismatch rule then never fires.
 */
public final class WarehouseInputs implements AlertInputs {

  /** Where statements come from. */
  public interface StatementSource {
    List<PartnerStatement> since(Instant since) throws Exception;
  }

  private final MetricsReader reader;
  private final StatementSource statements;

  public WarehouseInputs(MetricsReader reader, StatementSource statements) {
    this.reader = reader;
    this.statements = statements;
  }

  public WarehouseInputs(MetricsReader reader) {
    this(reader, since -> List.of());
  }

  @Override
  public List<ChannelWindow.Usage> usage(TimeRange range) throws Exception {
    return reader.metrics(range);
  }

  @Override
  public List<ChannelWindow.Money> revenue(TimeRange range) throws Exception {
    return reader.revenue(range);
  }

  @Override
  public List<PartnerStatement> statements(Instant since) throws Exception {
    return statements.since(since);
  }
}
