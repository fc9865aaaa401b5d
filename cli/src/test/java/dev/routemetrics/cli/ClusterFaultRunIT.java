package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The short version of deploy/cluster-fault-run.sh, on deploy/cluster.sh's loopback cluster (three
 * brokers, ClickHouse 2 shards x 2 replicas): a small simulated day over HTTP through one ingest,
 * two streams and two sink instances while streams instance 1 and the broker leading usage-events/0
 * are SIGKILLed and brought back; then every MINUTE, HOUR and DAY row must equal the simulator's
 * expectation.
 */
// On deploy/cluster.sh's cluster (seven more servers): deploy/test.sh starts it and sets
// ROUTEMETRICS_CLUSTER_TESTS=1 unless it is 0; a plain `mvn verify` leaves the cluster ITs out.
@org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(
    named = "ROUTEMETRICS_CLUSTER_TESTS",
    matches = "1")
class ClusterFaultRunIT {

  @Test
  @DisplayName(
      "every number equals the expectation after SIGKILLs of a streams instance and the leader"
          + " broker")
  void shouldEqualTheExpectationAfterKillingAStreamsInstanceAndTheLeaderBroker() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path output = Files.createTempFile("cluster-fault-run", ".log");
    Process run =
        new ProcessBuilder(
                "bash",
                "deploy/cluster-fault-run.sh",
                "--events",
                "4000",
                "--every",
                "20",
                "--faults",
                "streams,kafka",
                "--no-build")
            .directory(repo.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    // Generous: on an idle 2-core machine it takes about 3 minutes; under other builds much longer.
    boolean finished = run.waitFor(20, TimeUnit.MINUTES);
    if (!finished) {
      run.destroy();
      run.waitFor(60, TimeUnit.SECONDS);
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);
    System.out.println(log);

    assertThat(finished).as("finished within 20 minutes").isTrue();
    assertThat(run.exitValue()).as("exit code of deploy/cluster-fault-run.sh").isZero();
    assertThat(log)
        .contains("| 1 | streams instance 1 SIGKILL |")
        .containsPattern("\\| 2 \\| SIGKILL of broker \\d");
    assertThat(log).doesNotContain("no new rows within");
    for (String window : new String[] {"MINUTE", "HOUR", "DAY"}) {
      assertThat(log)
          .containsPattern(
              "verified: all \\d+ " + window + " channel-window rows in ClickHouse equal");
    }
  }
}
