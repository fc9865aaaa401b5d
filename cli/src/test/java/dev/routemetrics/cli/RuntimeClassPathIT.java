package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * bin/routemetrics puts every jar of cli's target/lib on the class path, so the packaged build must
 * hold one version of each library: two (a stale copy beside the one the build depends on) let the
 * JVM pick classes from both, which after a logback bump broke every command.
 */
class RuntimeClassPathIT {

  private static final Pattern VERSIONED =
      Pattern.compile("(.+?)-(\\d[^-]*(?:-[A-Za-z0-9.]+)?)\\.jar");

  @Test
  void shouldPackageOneVersionOfEachLibrary() throws IOException {
    Path lib = Path.of("target", "lib"); // failsafe runs in the module's directory
    assertThat(lib).isDirectory();
    Map<String, List<String>> versions;
    try (Stream<Path> jars = Files.list(lib)) {
      versions =
          jars.map(p -> VERSIONED.matcher(p.getFileName().toString()))
              .filter(Matcher::matches)
              .collect(
                  Collectors.groupingBy(
                      m -> m.group(1), Collectors.mapping(m -> m.group(2), Collectors.toList())));
    }
    assertThat(versions).isNotEmpty();
    assertThat(versions).allSatisfy((artifact, found) -> assertThat(found).as(artifact).hasSize(1));
  }
}
