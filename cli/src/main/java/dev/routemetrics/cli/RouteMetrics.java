package dev.routemetrics.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The routemetrics command. Each subcommand is a thin main over one stage or tool. */
@Command(
    name = "routemetrics",
    mixinStandardHelpOptions = true,
    version = "routemetrics 0.1.0",
    description =
        "What each distribution route of a model lab is really worth: reach, control and learning"
            + " per channel.",
    subcommands = {
      IngestCommand.class,
      StreamsCommand.class,
      SinkCommand.class,
      MigrateCommand.class,
      QueryCommand.class,
      QueryServerCommand.class,
      SimulateCommand.class,
      VerifyCommand.class,
      KeysCommand.class,
      LoadCommand.class,
      BenchIngestCommand.class,
      LoadRunCommand.class,
      BenchSinkCommand.class,
      BenchQueriesCommand.class,
      BenchStreamsCommand.class,
      dev.routemetrics.cli.e2e.BenchE2eCommand.class,
      RebuildCommand.class,
      StatusCommand.class,
      WhatIfCommand.class,
      ReviewCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RouteMetrics {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line as main runs it (tests parse README examples with it). */
  static CommandLine commandLine() {
    return new CommandLine(new RouteMetrics())
        .setCaseInsensitiveEnumValuesAllowed(
            true) // --format csv, --window hour, as README.md writes them
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              // A server that is down is an expected condition: say which and how to start it, no
              // stack trace.
              cmd.getErr()
                  .println(cmd.getColorScheme().errorText("routemetrics: " + e.getMessage()));
              org.slf4j.LoggerFactory.getLogger(RouteMetrics.class).debug("failure", e);
              return 1;
            });
  }
}
