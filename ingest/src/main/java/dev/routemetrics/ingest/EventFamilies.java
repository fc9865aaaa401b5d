package dev.routemetrics.ingest;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

/** The event families the edge and the loader accept, each validated against the same registry and clock. */
public final class EventFamilies {

  private EventFamilies() {}

  public static List<EventFamily<?>> of(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    return List.of(new UsageFamily(new UsageEventParser(registry, clock, maxFutureSkew)));
  }

  public static EventFamily<?> named(String name, ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    return of(registry, clock, maxFutureSkew).stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("unknown event family '" + name + "'"));
  }
}
