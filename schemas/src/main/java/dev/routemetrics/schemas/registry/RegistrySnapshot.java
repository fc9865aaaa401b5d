package dev.routemetrics.schemas.registry;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The channels as they were from {@code effectiveFrom} until the next registry version. Iteration
 * follows the registry file's order, so anything seeded that walks the channels stays
 * deterministic.
 */
public final class RegistrySnapshot {

  private final int version;
  private final Instant effectiveFrom;
  private final Map<String, Channel> channels;

  RegistrySnapshot(int version, Instant effectiveFrom, Map<String, Channel> channels) {
    this.version = version;
    this.effectiveFrom = effectiveFrom;
    this.channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
  }

  /** The registry before its first version: no channels at all. */
  static RegistrySnapshot empty() {
    return new RegistrySnapshot(0, Instant.MIN, Map.of());
  }

  public int version() {
    return version;
  }

  public Instant effectiveFrom() {
    return effectiveFrom;
  }

  public Optional<Channel> find(String channelId) {
    return Optional.ofNullable(channels.get(channelId));
  }

  public Collection<Channel> channels() {
    return channels.values();
  }
}
