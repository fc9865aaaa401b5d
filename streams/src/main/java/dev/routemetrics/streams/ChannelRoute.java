package dev.routemetrics.streams;

import dev.routemetrics.events.Route;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Instant;
import java.util.Optional;

/**
 * A channel's route, partner and lab-owned control points as the registry had them at a window's
 * start; a channel added mid-window is taken from the latest version (as the reference calculation
 * does), and one the registry never knew gets no route (null: the metric records' {@code route} is
 * nullable for it, and the tables say UNKNOWN) and no control points.
 */
record ChannelRoute(Route route, String partnerId, int controlPointsOwned) {

  static ChannelRoute of(ChannelRegistry registry, String channelId, long windowStart) {
    Optional<Channel> channel = registry.asOf(Instant.ofEpochMilli(windowStart)).find(channelId);
    if (channel.isEmpty()) {
      channel = registry.find(channelId);
    }
    return channel
        .map(c -> new ChannelRoute(c.route(), c.partnerId(), c.controlPointsOwned()))
        .orElse(new ChannelRoute(null, null, 0));
  }
}
