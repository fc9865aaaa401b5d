package dev.routemetrics.schemas.registry;

import dev.routemetrics.events.Route;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which routes are direct (docs/domain.md, "Routes"): the lab owns the relationship, so the queries
 * pool them as the learning baseline and the what-if only shifts volume onto them. The one
 * definition; the registry's channels, the queries and the simulator's expectation ask it.
 */
public final class Routes {

  /** The direct routes. */
  public static final Set<Route> DIRECT =
      Collections.unmodifiableSet(
          EnumSet.of(Route.DIRECT_API, Route.CONSUMER_APP, Route.ENTERPRISE_PLATFORM));

  /** Their names, as the metric records and tables carry the route, in alphabetical order. */
  public static final Set<String> DIRECT_NAMES =
      Collections.unmodifiableSortedSet(
          DIRECT.stream().map(Route::name).collect(Collectors.toCollection(TreeSet<String>::new)));

  private Routes() {}

  public static boolean isDirect(Route route) {
    return DIRECT.contains(route);
  }

  /** For a route by name, as a metric row holds it; an unknown name is not direct. */
  public static boolean isDirect(String routeName) {
    return DIRECT_NAMES.contains(routeName);
  }
}
