package dev.routemetrics.streams;

import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Instant;
import java.util.Optional;

/**
 * A channel's route, partner and lab-owned control points as the registry had them at a window's
 * start; a channel added mid-window is taken from the latest version (as the reference calculation
 * does), and one the registry never knew gets route UNKNOWN and no control points.
 */
record ChannelRoute(String route, String partnerId, int controlPointsOwned) {

  static final String UNKNOWN = "UNKNOWN";

  static ChannelRoute of(ChannelRegistry registry, String channelId, long windowStart) {
    Optional<Channel> channel = registry.asOf(Instant.ofEpochMilli(windowStart)).find(channelId);
    if (channel.isEmpty()) {
      channel = registry.find(channelId);
    }
    return channel
        .map(c -> new ChannelRoute(c.route().name(), c.partnerId(), c.controlPointsOwned()))
        .orElse(new ChannelRoute(UNKNOWN, null, 0));
  }
}
