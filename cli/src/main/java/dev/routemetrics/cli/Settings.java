package dev.routemetrics.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --set key=value} for any setting of the service a command runs; see each service's config
 * for the keys.
 */
final class Settings {

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a setting (also settable as -Dkey=value or the env var ROUTEMETRICS_..., e.g."
              + " ROUTEMETRICS_KAFKA_BOOTSTRAP).")
  Map<String, String> overrides = new LinkedHashMap<>();
}
