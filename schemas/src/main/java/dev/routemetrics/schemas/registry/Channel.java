package dev.routemetrics.schemas.registry;

import dev.routemetrics.events.Route;
import java.math.BigDecimal;
import java.util.Map;

/**
 * One concrete path within a route, as the registry records it.
 *
 * @param partnerId null on direct routes
 * @param takeRate the partner's default share of gross revenue, in [0, 1]
 */
public record Channel(
    String id,
    Route route,
    String partnerId,
    BigDecimal takeRate,
    Map<ControlPoint, ControlOwner> controlPoints) {

  public boolean isDirect() {
    return Routes.isDirect(route);
  }

  /** Control points the lab owns, out of six. */
  public int controlPointsOwned() {
    return (int) controlPoints.values().stream().filter(owner -> owner == ControlOwner.LAB).count();
  }
}
