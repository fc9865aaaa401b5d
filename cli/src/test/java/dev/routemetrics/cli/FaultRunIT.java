package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The short version of deploy/fault-run.sh, on the real servers: a simulated day of every fault
 * type over HTTP through the services as deploy/services.sh runs them, while the streams app and
 * the sink are SIGKILLed and the broker and ClickHouse restarted, once each; then every MINUTE,
 * HOUR and DAY row in ClickHouse must equal the simulator's expectation. The long run (1M events)
 * is the same script with its defaults; its figures are in docs/reliability.md.
 */
class FaultRunIT {

  @Test
  @DisplayName(
      "every number equals the expectation after SIGKILLs of streams and sink and restarts of both"
          + " servers")
  void shouldEqualTheExpectationAfterKillsAndRestarts() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path output = Files.createTempFile("fault-run", ".log");
    Process run =
        new ProcessBuilder(
                "bash",
                "deploy/fault-run.sh",
                "--events",
                "10000",
                "--every",
                "3",
                "--faults",
                "streams,sink,kafka,clickhouse",
                "--no-build")
            .directory(repo.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean finished = run.waitFor(8, TimeUnit.MINUTES);
    if (!finished) {
      run.destroy();
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);
    System.out.println(log);

    assertThat(finished).as("finished within 8 minutes").isTrue();
    assertThat(run.exitValue()).as("exit code of deploy/fault-run.sh").isZero();
    assertThat(log)
        .contains(
            "| 1 | streams SIGKILL |",
            "| 2 | sink SIGKILL |",
            "| 3 | Kafka broker restart |",
            "| 4 | ClickHouse restart |");
    assertThat(log).doesNotContain("no new rows within");
    for (String window : new String[] {"MINUTE", "HOUR", "DAY"}) {
      assertThat(log)
          .containsPattern(
              "verified: all \\d+ " + window + " channel-window rows in ClickHouse equal");
    }
    assertThat(new File(repo.toFile(), "cli/target/routemetrics.jar")).exists();
  }
}
