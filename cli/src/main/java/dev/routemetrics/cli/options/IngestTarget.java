package dev.routemetrics.cli.options;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The ingest a client command posts to, and the lab key it posts with: one definition of {@code
 * --url} and {@code --api-key} for every command that sends events (a picocli mixin).
 */
public final class IngestTarget {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description =
          "Ingest base URL; families go to /v1/events/{usage,billing,feedback} (default:"
              + " ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--api-key",
      defaultValue = "${env:ROUTEMETRICS_API_KEY}",
      description =
          "A lab API key (default: $ROUTEMETRICS_API_KEY; `routemetrics keys add NAME` makes one).")
  String apiKey;

  public String url() {
    return url;
  }

  /**
   * The key, or a usage error naming the option: asked for only when the command sends, so
   * `simulate --to file` needs none.
   */
  public String apiKey() {
    if (apiKey == null || apiKey.isBlank()) {
      throw new ParameterException(
          command.commandLine(),
          "Missing an API key: give --api-key or set ROUTEMETRICS_API_KEY (`routemetrics keys"
              + " add NAME` makes one)");
    }
    return apiKey;
  }
}
