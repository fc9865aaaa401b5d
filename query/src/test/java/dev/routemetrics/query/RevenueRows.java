package dev.routemetrics.query;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.metrics.WindowSize;
import java.math.BigDecimal;
import java.time.Instant;

/** Hand-made channel_revenue rows for the query tests: USD, version 1, amounts as written. */
public final class RevenueRows {

  private RevenueRows() {}

  /** One row; the amounts are decimal strings, stored at the tables' scale of 4. */
  public static ChannelWindowRevenue revenue(
      String windowSize,
      Instant start,
      String channel,
      String route,
      String partner,
      int billingEvents,
      String gross,
      String fee,
      String net,
      String billedByLab) {
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.valueOf(windowSize))
        .setWindowStart(start)
        .setCurrency("USD")
        .setVersion(1)
        .setRoute(Route.valueOf(route))
        .setPartnerId(partner)
        .setBillingEvents(billingEvents)
        .setGross(money(gross))
        .setNetWhereGrossKnown(money(net))
        .setPartnerFee(money(fee))
        .setNet(money(net))
        .setNetBilledByLab(money(billedByLab))
        .build();
  }

  /** An amount at the tables' scale of 4. */
  public static BigDecimal money(String amount) {
    return new BigDecimal(amount).setScale(4);
  }
}
