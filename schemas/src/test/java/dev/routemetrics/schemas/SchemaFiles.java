package dev.routemetrics.schemas;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Reads a directory of .avsc files the way a plain Avro client would: named types first, then what
 * uses them.
 */
final class SchemaFiles {

  static final Path CURRENT = Path.of("avro");
  static final Path RELEASED = Path.of("released");

  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaFiles() {}

  /** Every top-level schema of {@code dir}, by full name. */
  static Map<String, Schema> parse(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          new ArrayList<>(listing.filter(f -> f.toString().endsWith(".avsc")).sorted().toList());
    }
    // Records refer to the standalone named types (Route), never the other way: parse those first.
    List<Path> ordered = new ArrayList<>();
    for (Path file : files) {
      if (!JSON.readTree(file.toFile()).path("type").asText().equals("record")) {
        ordered.add(file);
      }
    }
    files.stream().filter(f -> !ordered.contains(f)).forEach(ordered::add);
    Schema.Parser parser = new Schema.Parser();
    Map<String, Schema> parsed = new LinkedHashMap<>();
    for (Path file : ordered) {
      Schema schema = parser.parse(file.toFile());
      parsed.put(schema.getFullName(), schema);
    }
    return parsed;
  }

  /** The released versions, oldest first: released/v1, released/v2, ... */
  static List<Path> releasedVersions() throws IOException {
    try (Stream<Path> dirs = Files.list(RELEASED)) {
      return dirs.filter(Files::isDirectory)
          .sorted((a, b) -> Integer.compare(version(a), version(b)))
          .toList();
    }
  }

  /** The number of a released version's directory: 2 for released/v2. */
  static int version(Path dir) {
    return Integer.parseInt(dir.getFileName().toString().substring(1));
  }
}
