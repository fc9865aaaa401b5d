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
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The channels the lab sells through, loaded from a versioned JSON file. The default file ships in
 * this jar ({@code registry/channels.json}); a deployment points {@code routemetrics.registry} at
 * its own.
 */
public final class ChannelRegistry {

  public static final String BUILT_IN = "registry/channels.json";

  private final int version;
  private final Map<String, Channel> channels;

  private ChannelRegistry(int version, Map<String, Channel> channels) {
    this.version = version;
    this.channels = Map.copyOf(channels);
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

  static ChannelRegistry parse(JsonNode root, String source) {
    Map<String, Channel> channels = new LinkedHashMap<>();
    int index = 0;
    for (JsonNode node : root.path("channels")) {
      String where = source + ": channels[" + index++ + "]";
      String id = text(node, "id", where);
      Route route = parseEnum(Route.class, text(node, "route", where), where + ".route");
      String partner = node.path("partner").isTextual() ? node.get("partner").asText() : null;
      BigDecimal takeRate = new BigDecimal(text(node, "take_rate", where));
      if (takeRate.signum() < 0 || takeRate.compareTo(BigDecimal.ONE) > 0) {
        throw new IllegalArgumentException(where + ".take_rate: must be within [0, 1], was " + takeRate);
      }
      Map<ControlPoint, ControlOwner> control = new EnumMap<>(ControlPoint.class);
      for (ControlPoint point : ControlPoint.values()) {
        String key = point.name().toLowerCase(Locale.ROOT);
        control.put(point, parseEnum(ControlOwner.class, text(node.path("control"), key, where + ".control"), where + ".control." + key));
      }
      if (channels.put(id, new Channel(id, route, partner, takeRate, control)) != null) {
        throw new IllegalArgumentException(where + ".id: duplicate channel id '" + id + "'");
      }
    }
    if (channels.isEmpty()) {
      throw new IllegalArgumentException(source + ": no channels");
    }
    return new ChannelRegistry(root.path("version").asInt(1), channels);
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

  public int version() {
    return version;
  }

  public Optional<Channel> find(String channelId) {
    return Optional.ofNullable(channels.get(channelId));
  }

  public Collection<Channel> channels() {
    return channels.values();
  }
}
