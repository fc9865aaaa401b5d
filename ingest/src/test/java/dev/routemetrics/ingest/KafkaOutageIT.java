package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.topics.Topics;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stops the real broker while clients post: they see 503 and nothing that was answered 2xx is
 * missing from Kafka afterwards. Restarts the broker with the project's own script.
 */
class KafkaOutageIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void shouldAnswer503WhileTheBrokerIsDownAndLoseNothingItAcknowledged() throws Exception {
    String namespace = "it-outage-" + System.currentTimeMillis() + ".";
    Path keys = Files.createTempDirectory("outage-it").resolve("api-keys.json");
    String key = ApiKeys.add(keys, "lab", null);
    IngestConfig config =
        new IngestConfig(
            Map.of(
                IngestConfig.PORT,
                "0",
                IngestConfig.TOPIC_NAMESPACE,
                namespace,
                IngestConfig.API_KEYS_FILE,
                keys.toString(),
                IngestConfig.ACK_TIMEOUT_MS,
                "2000"));
    Set<String> acknowledged = new HashSet<>();
    int unavailable = 0;
    List<String> retryAfter = new ArrayList<>();
    int sent = 0;
    try (IngestServer server = new IngestServer(config).start()) {
      for (int i = 0; i < 20; i++) {
        sent++;
        if (post(server, key, "before-" + i) == 202) {
          acknowledged.add("before-" + i);
        }
      }
      kafka("stop");
      try {
        for (int i = 0; i < 3; i++) {
          sent++;
          HttpResponse<Void> answer = send(server, key, "during-" + i);
          int status = answer.statusCode();
          if (status == 503) {
            unavailable++;
            retryAfter.add(answer.headers().firstValue("Retry-After").orElse("absent"));
          } else if (status == 202) {
            acknowledged.add("during-" + i);
          }
        }
      } finally {
        kafka("start");
      }
      long deadline = System.currentTimeMillis() + 60_000;
      int after = 0;
      while (after < 20 && System.currentTimeMillis() < deadline) {
        sent++;
        if (post(server, key, "after-" + after) == 202) {
          acknowledged.add("after-" + after);
          after++;
        }
      }
    }

    assertThat(unavailable).as("answers while the broker was down").isEqualTo(3);
    // openapi.yaml and the README promise it: a 503 says when to resend.
    assertThat(retryAfter).as("Retry-After of each 503").containsExactly("5", "5", "5");
    assertThat(acknowledged).as("acknowledged before and after the outage").hasSize(40);
    assertThat(
            UsageTopic.eventIds(
                new Topics(namespace).usageEvents, config.getString(IngestConfig.KAFKA_BOOTSTRAP)))
        .as("everything acknowledged is in Kafka")
        .containsAll(acknowledged);
    assertThat(sent).isGreaterThanOrEqualTo(43);
  }

  private static int post(IngestServer server, String key, String id) throws Exception {
    return send(server, key, id).statusCode();
  }

  private static HttpResponse<Void> send(IngestServer server, String key, String id)
      throws Exception {
    String body =
        "{\"event_id\":\""
            + id
            + "\",\"event_time\":\""
            + Instant.now().minusSeconds(5)
            + "\",\"channel_id\":\"direct-api\",\"account_id\":\"a\",\"model_id\":\"m\",\"request_id\":\"r-"
            + id
            + "\",\"input_tokens\":1,\"output_tokens\":1,\"latency_ms\":1,\"outcome\":\"SUCCESS\",\"telemetry\":\"FULL\"}";
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/events/usage"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** Runs deploy/kafka.sh, the same script a person would use. */
  private static void kafka(String action) throws Exception {
    File repo = new File(System.getProperty("user.dir")).getParentFile();
    Process process =
        new ProcessBuilder("bash", "deploy/kafka.sh", action).directory(repo).inheritIO().start();
    assertThat(process.waitFor(240, TimeUnit.SECONDS))
        .as("deploy/kafka.sh " + action + " finished")
        .isTrue();
    assertThat(process.exitValue()).as("deploy/kafka.sh " + action + " exit code").isZero();
  }
}
