package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The one definition of --url and --api-key that every command posting events shares. */
class IngestTargetTest {

  @Test
  @DisplayName(
      "a command that posts without a key stops with a usage error naming --api-key, before it"
          + " sends anything")
  void shouldStopWithAUsageErrorNamingTheKeyWhenPostingWithoutOne(@TempDir Path out) {
    StringWriter err = new StringWriter();
    CommandLine cli = RouteMetrics.commandLine();
    cli.setErr(new PrintWriter(err));

    int exit =
        cli.execute(
            "simulate",
            "--to",
            "http",
            "--api-key=",
            "--url",
            "http://127.0.0.1:9", // nothing listens there: reaching it would be another error
            "--events",
            "10",
            "--duration",
            "PT1M",
            "--no-progress",
            "--out",
            out.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("Missing an API key: give --api-key or set ROUTEMETRICS_API_KEY");
  }

  @Test
  void shouldShareOneDefaultUrlAcrossTheCommandsThatPost() {
    for (String command : new String[] {"simulate", "load-run", "bench-ingest"}) {
      CommandLine sub = RouteMetrics.commandLine().getSubcommands().get(command);
      assertThat(sub.getCommandSpec().findOption("--url").defaultValue())
          .as(command)
          .isEqualTo("http://127.0.0.1:8080");
    }
  }
}
