package dev.routemetrics.simulator.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * One NDJSON file per family ({@code usage.ndjson}, {@code billing.ndjson}, {@code
 * feedback.ndjson}) in arrival order; each line is exactly the body the ingest endpoint of that
 * family takes, so a file can be replayed with {@code curl} line by line. Malformed records are
 * written as sent.
 */
public final class NdjsonFiles implements EventSink {

  private final Path dir;
  private final Map<Family, JsonGenerator> files = new EnumMap<>(Family.class);
  private final Map<Family, Long> lines = new EnumMap<>(Family.class);

  public NdjsonFiles(Path dir) {
    this.dir = dir;
    JsonFactory factory = new JsonFactory();
    try {
      Files.createDirectories(dir);
      for (Family family : Family.values()) {
        JsonGenerator out =
            factory.createGenerator(
                new BufferedOutputStream(
                    Files.newOutputStream(dir.resolve(family.fileName())), 1 << 20));
        out.setRootValueSeparator(null);
        files.put(family, out);
        lines.put(family, 0L);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create event files in " + dir, e);
    }
  }

  @Override
  public void accept(Delivery delivery) {
    JsonGenerator out = files.get(delivery.family());
    try {
      if (delivery.isMalformed()) {
        out.writeRaw(delivery.malformedJson());
      } else {
        EventJson.write(out, delivery.event());
      }
      out.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write " + dir.resolve(delivery.family().fileName()), e);
    }
    lines.merge(delivery.family(), 1L, Long::sum);
  }

  @Override
  public String describe() {
    return "wrote "
        + lines.get(Family.USAGE)
        + " usage, "
        + lines.get(Family.BILLING)
        + " billing and "
        + lines.get(Family.FEEDBACK)
        + " feedback lines to "
        + dir;
  }

  @Override
  public void close() {
    for (JsonGenerator out : files.values()) {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot finish event files in " + dir, e);
      }
    }
  }
}
