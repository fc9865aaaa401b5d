package dev.routemetrics.schemas.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The released versions of the schemas ({@code schemas/released/vN}, shipped in this jar under
 * {@code released/}), for a reader that takes each record with its own writer's schema, looked up
 * by the fingerprint the record carries, instead of resolving it against the current one: the way
 * the sink reads the metric records across schema v3, which Avro cannot resolve (schemas/README.md,
 * "v3, the one exception").
 */
public final class ReleasedSchemas {

  /** Named types the records refer to, parsed first where a version has them. */
  private static final List<String> NAMED_TYPES = List.of("Route", "WindowSize");

  private ReleasedSchemas() {}

  /**
   * Record {@code name} (its simple name, {@code ChannelWindowRevenue}) as released in {@code
   * version} ({@code v2}).
   *
   * @throws IllegalArgumentException when that version has no such schema
   */
  public static Schema of(String version, String name) {
    Schema.Parser parser = new Schema.Parser();
    for (String type : NAMED_TYPES) {
      if (!type.equals(name)) {
        parse(parser, version, type, false);
      }
    }
    return parse(parser, version, name, true);
  }

  /** The CRC-64-AVRO fingerprint its records carry on the wire. */
  public static long fingerprint(String version, String name) {
    return SchemaNormalization.parsingFingerprint64(of(version, name));
  }

  private static Schema parse(Schema.Parser parser, String version, String name, boolean needed) {
    String resource = "/released/" + version + "/" + name + ".avsc";
    try (InputStream in = ReleasedSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        if (needed) {
          throw new IllegalArgumentException("no released schema " + resource);
        }
        return null;
      }
      return parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
