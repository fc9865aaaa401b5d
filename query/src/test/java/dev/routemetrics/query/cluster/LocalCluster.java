package dev.routemetrics.query.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The loopback cluster of deploy/cluster.sh (three brokers, 2 ClickHouse shards x 2 replicas),
 * started if it is not running (the script is idempotent), and the settings that point a service at
 * it.
 */
final class LocalCluster {

  private static Map<String, String> settings;

  private LocalCluster() {}

  /**
   * ROUTEMETRICS_* variable -> value, as `deploy/cluster.sh env` prints them, once the cluster
   * answers.
   */
  static synchronized Map<String, String> up() throws IOException, InterruptedException {
    if (settings == null) {
      Path repo = Path.of("").toAbsolutePath().getParent();
      Path output = Files.createTempFile("cluster-up", ".log");
      Process up =
          new ProcessBuilder("bash", "deploy/cluster.sh", "up")
              .directory(repo.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!up.waitFor(5, TimeUnit.MINUTES)) {
        up.destroy();
        throw new IllegalStateException(
            "deploy/cluster.sh up did not finish within 5 minutes: " + Files.readString(output));
      }
      String log = Files.readString(output, StandardCharsets.UTF_8);
      if (up.exitValue() != 0) {
        throw new IllegalStateException("deploy/cluster.sh up failed:\n" + log);
      }
      Map<String, String> found = new HashMap<>();
      Matcher m = Pattern.compile("(?m)^export (ROUTEMETRICS_\\w+)='?([^'\\n]*)'?$").matcher(log);
      while (m.find()) {
        found.put(m.group(1), m.group(2));
      }
      settings = Map.copyOf(found);
    }
    return settings;
  }

  /**
   * The JDBC URL of one ClickHouse node (shard 1..2, replica 1..2) at the script's default ports.
   */
  static String node(int shard, int replica) {
    int base = Integer.parseInt(System.getenv().getOrDefault("CLUSTER_CH_BASE", "54000"));
    return "jdbc:clickhouse://127.0.0.1:"
        + (base + 123 + 1000 * (shard - 1) + replica - 1)
        + "/default?compress=0";
  }
}
