package dev.routemetrics.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The channels the lab sells through, with their history: a list of versions, each effective from a
 * point in time, so metrics for a past window can use the registry as it was then ({@link
 * #asOf(Instant)}). {@link #find(String)} and {@link #channels()} answer from the latest version.
 * The default file ships in this jar ({@code registry/channels.json}); a deployment points {@code
 * routemetrics.registry} at its own.
 *
 * <pre>{@code
 * ChannelRegistry registry = ChannelRegistry.builtIn();
 * BigDecimal takeRateThen = registry.asOf(eventTime).find("cloud-stratus").orElseThrow().takeRate();
 * }</pre>
 */
public final class ChannelRegistry {

  public static final String BUILT_IN = "registry/channels.json";

  private final List<ChannelChange> changes;

  /** Oldest first; effective_from strictly increasing. */
  private final List<RegistrySnapshot> snapshots;

  private ChannelRegistry(List<ChannelChange> changes, List<RegistrySnapshot> snapshots) {
    this.changes = List.copyOf(changes);
    this.snapshots = List.copyOf(snapshots);
  }

  /** The registry shipped with the project. */
  public static ChannelRegistry builtIn() {
    try (InputStream in = ChannelRegistry.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + BUILT_IN + " is missing");
      }
      return parse(new ObjectMapper().readTree(in), BUILT_IN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The built-in registry when {@code path} is null or empty, else the file at {@code path}. */
  public static ChannelRegistry load(String path) {
    if (path == null || path.isBlank()) {
      return builtIn();
    }
    try {
      return parse(new ObjectMapper().readTree(Files.readString(Path.of(path))), path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read channel registry " + path, e);
    }
  }

  /**
   * The registry a history of changes describes, e.g. as read back from the registry-changes topic.
   * Changes may come in any order; those of one registry version share its effective time.
   */
  public static ChannelRegistry of(List<ChannelChange> changes) {
    List<ChannelChange> ordered = new ArrayList<>(changes);
    ordered.sort(
        Comparator.comparing(ChannelChange::effectiveFrom)
            .thenComparingInt(ChannelChange::registryVersion));
    List<RegistrySnapshot> snapshots = new ArrayList<>();
    Map<String, Channel> state = new LinkedHashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      ChannelChange change = ordered.get(i);
      if (change.retired()) {
        state.remove(change.channel().id());
      } else {
        state.put(change.channel().id(), change.channel());
      }
      boolean lastOfVersion =
          i == ordered.size() - 1
              || !ordered.get(i + 1).effectiveFrom().equals(change.effectiveFrom());
      if (lastOfVersion) {
        snapshots.add(
            new RegistrySnapshot(change.registryVersion(), change.effectiveFrom(), state));
      }
    }
    if (snapshots.isEmpty() || snapshots.get(snapshots.size() - 1).channels().isEmpty()) {
      throw new IllegalArgumentException("the registry has no channels");
    }
    return new ChannelRegistry(ordered, snapshots);
  }

  /**
   * Reads {@code {"versions": [{"version", "effective_from", "channels": [...], "retired":
   * [...]}]}}; the older flat form {@code {"effective_from", "channels": [...]}} is one version.
   */
  static ChannelRegistry parse(JsonNode root, String source) {
    if (!root.has("versions")) {
      return of(parseVersion(root, source, root.path("version").asInt(1), null));
    }
    List<ChannelChange> changes = new ArrayList<>();
    Set<Integer> versions = new HashSet<>();
    Instant previous = null;
    int index = 0;
    for (JsonNode version : root.path("versions")) {
      String where = source + ": versions[" + index++ + "]";
      int number = version.path("version").asInt(index);
      if (!versions.add(number)) {
        throw new IllegalArgumentException(where + ".version: duplicate version " + number);
      }
      List<ChannelChange> parsed = parseVersion(version, where, number, previous);
      previous = parsed.isEmpty() ? previous : parsed.get(0).effectiveFrom();
      changes.addAll(parsed);
    }
    return of(changes);
  }

  private static List<ChannelChange> parseVersion(
      JsonNode version, String where, int number, Instant previous) {
    Instant effectiveFrom = instant(version, "effective_from", where);
    if (previous != null && !effectiveFrom.isAfter(previous)) {
      throw new IllegalArgumentException(
          where + ".effective_from: must be after the previous version's " + previous);
    }
    String prefix = where.contains(": ") ? where + "." : where + ": ";
    List<ChannelChange> changes = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int index = 0;
    for (JsonNode node : version.path("channels")) {
      Channel channel = channel(node, prefix + "channels[" + index + "]");
      if (!ids.add(channel.id())) {
        throw new IllegalArgumentException(
            prefix + "channels[" + index + "].id: duplicate channel id '" + channel.id() + "'");
      }
      changes.add(new ChannelChange(number, effectiveFrom, channel, false));
      index++;
    }
    for (JsonNode retired : version.path("retired")) {
      // A retirement repeats nothing but the id; the consumer keeps the channel's last state for
      // old windows.
      changes.add(
          new ChannelChange(
              number,
              effectiveFrom,
              new Channel(retired.asText(), Route.DIRECT_API, null, BigDecimal.ZERO, Map.of()),
              true));
    }
    if (changes.isEmpty()) {
      throw new IllegalArgumentException(prefix + "channels: no channels");
    }
    return changes;
  }

  private static Channel channel(JsonNode node, String where) {
    String id = text(node, "id", where);
    Route route = parseEnum(Route.class, text(node, "route", where), where + ".route");
    String partner = node.path("partner").isTextual() ? node.get("partner").asText() : null;
    BigDecimal takeRate = new BigDecimal(text(node, "take_rate", where));
    if (takeRate.signum() < 0 || takeRate.compareTo(BigDecimal.ONE) > 0) {
      throw new IllegalArgumentException(
          where + ".take_rate: must be within [0, 1], was " + takeRate);
    }
    Map<ControlPoint, ControlOwner> control = new EnumMap<>(ControlPoint.class);
    for (ControlPoint point : ControlPoint.values()) {
      String key = point.name().toLowerCase(Locale.ROOT);
      control.put(
          point,
          parseEnum(
              ControlOwner.class,
              text(node.path("control"), key, where + ".control"),
              where + ".control." + key));
    }
    return new Channel(id, route, partner, takeRate, control);
  }

  private static Instant instant(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where + "." + field + ": must be an ISO-8601 UTC time, was '" + value.asText() + "'", e);
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asText().isBlank()) {
      throw new IllegalArgumentException(where + "." + field + ": is required");
    }
    return value.asText();
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String where) {
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": unknown value '" + value + "'", e);
    }
  }

  /** The channels as they were at {@code time}; before the first version, none. */
  public RegistrySnapshot asOf(Instant time) {
    RegistrySnapshot found = RegistrySnapshot.empty();
    for (RegistrySnapshot snapshot : snapshots) {
      if (snapshot.effectiveFrom().isAfter(time)) {
        break;
      }
      found = snapshot;
    }
    return found;
  }

  /** The latest version, whatever its effective time. */
  public RegistrySnapshot latest() {
    return snapshots.get(snapshots.size() - 1);
  }

  /** Every version, oldest first. */
  public List<RegistrySnapshot> versions() {
    return snapshots;
  }

  /**
   * The history as change events, in effective order: what {@link ChannelRegistryPublisher}
   * publishes.
   */
  public List<ChannelChange> changes() {
    return changes;
  }

  /** Version number of the latest version. */
  public int version() {
    return latest().version();
  }

  /** The channel in the latest version. */
  public Optional<Channel> find(String channelId) {
    return latest().find(channelId);
  }

  /** The channels of the latest version. */
  public Collection<Channel> channels() {
    return latest().channels();
  }
}
