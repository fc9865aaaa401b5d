package dev.routemetrics.schemas.registry;

import java.time.Instant;

/**
 * One entry of the registry's history: from {@code effectiveFrom} on, {@code channel} is in this
 * state (or, when {@code retired}, gone) until a later change of the same channel.
 */
public record ChannelChange(
    int registryVersion, Instant effectiveFrom, Channel channel, boolean retired) {

  /** The idempotency key of the change: the same registry version never changes a channel twice. */
  public String changeId() {
    return "v" + registryVersion + "/" + channel.id();
  }
}
