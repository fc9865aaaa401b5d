package dev.routemetrics.cli;

import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.streams.StreamsAppConfig;
import dev.routemetrics.tools.rebuild.Rebuild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    description = {
      "Derive every metric again from the event log, as a new generation.",
      "It is what a team does after fixing a metric definition or adding one. The metrics topology"
          + " runs under a fresh application id from offset 0 into topics of",
      "its own; a sink writes them and the raw events into a fresh database"
          + " <database>_<generation>. Once caught up",
      "it stops; with --swap it then moves the fresh tables into the live database in one RENAME"
          + " (the replaced ones",
      "into <database>_before_<generation>) and writes the generation to --generation-file, from"
          + " which",
      "deploy/services.sh starts streams and sink on it. Run it again with the same --generation to"
          + " resume.",
      "deploy/rebuild.sh runs the whole hand-over: rebuild while the live services run, stop them,"
          + " rebuild --swap,",
      "start them on the new generation."
    })
final class RebuildCommand implements Callable<Integer> {

  @Option(
      names = "--generation",
      paramLabel = "NAME",
      description =
          "Name of the new generation (letters, digits, _). Default: r<UTC yyyyMMddHHmmss>.")
  String generation;

  @Option(
      names = "--swap",
      description = "Once caught up, swap the rebuilt tables in and record the generation.")
  boolean swap;

  @Option(
      names = "--generation-file",
      paramLabel = "FILE",
      description = "Where --swap records the live generation (default: ${DEFAULT-VALUE}).",
      defaultValue = "${env:ROUTEMETRICS_STATE:-.state}/generation")
  Path generationFile;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Local state of the topology (default: the services' own, <ROUTEMETRICS_STATE>/streams).")
  Path stateDir;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "PT2H",
      description = "Give up (resumably) if not caught up by then (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin Settings settings;

  @Override
  public Integer call() throws Exception {
    String name =
        generation != null
            ? generation
            : "r"
                + DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                    .format(ZonedDateTime.now(ZoneOffset.UTC));
    if (!name.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException(
          "--generation: '" + name + "' must be letters, digits and _ only");
    }
    // Where the services keep the topology's state (per application id), so the live topology of
    // the new
    // generation starts from this local state instead of restoring it from the changelogs.
    Path state =
        stateDir != null
            ? stateDir
            : Path.of(
                System.getenv()
                    .getOrDefault(
                        "ROUTEMETRICS_STREAMS_STATE_DIR",
                        System.getenv().getOrDefault("ROUTEMETRICS_STATE", ".state") + "/streams"));
    Map<String, String> overrides = new HashMap<>(settings.overrides);
    overrides.keySet().stream()
        .filter(
            k ->
                !StreamsAppConfig.DEFINITION.names().contains(k)
                    && !WarehouseConfig.DEFINITION.names().contains(k))
        .findFirst()
        .ifPresent(
            k -> {
              throw new IllegalArgumentException("--set: unknown setting '" + k + "'");
            });
    Rebuild rebuild =
        Rebuild.of(
            name,
            only(overrides, "streams"),
            only(overrides, "warehouse"),
            state.toString(),
            System.out);
    rebuild.catchUp(timeout);
    if (swap) {
      rebuild.swap();
      Files.createDirectories(generationFile.toAbsolutePath().getParent());
      Files.writeString(generationFile, name + "\n");
      System.out.printf(
          "rebuild %s: recorded as the live generation in %s; start streams and sink on it"
              + " (deploy/services.sh start streams sink)%n",
          name, generationFile);
    } else {
      System.out.printf(
          "rebuild %s: not swapped in; stop the live streams and sink, then run"
              + " `routemetrics rebuild --generation %s --swap`%n",
          name, name);
    }
    return 0;
  }

  /**
   * The --set overrides one service's configuration declares (both read bootstrap, namespace ...).
   */
  private static Map<String, String> only(Map<String, String> overrides, String service) {
    var names =
        service.equals("streams")
            ? StreamsAppConfig.DEFINITION.names()
            : WarehouseConfig.DEFINITION.names();
    Map<String, String> mine = new HashMap<>();
    overrides.forEach(
        (k, v) -> {
          if (names.contains(k)) {
            mine.put(k, v);
          }
        });
    return mine;
  }
}
