package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.access.ApiKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The finding: 260 connections with a valid key, each sending its body one byte every two seconds,
 * held every one of the edge's 250 threads, and /health and every other client's post waited until
 * they closed. Now one key holds at most its concurrent-request limit (the rest get 429 at once),
 * and a body slower than the minimum data rate gets 408: /health and another key's post answer. The
 * test asserts that they complete and what every slow connection was answered, not how fast.
 */
class SlowClientIT {

  private static final int SLOW_CONNECTIONS = 260;

  @Test
  // The trickle runs until the test shuts its executor down.
  @SuppressWarnings("FutureReturnValueIgnored")
  void shouldAnswerHealthAndAnotherKeyWhileOneKeyTricklesBodiesOnEveryThread() throws Exception {
    Path keys = Files.createTempDirectory("slow-it").resolve("api-keys.json");
    String slowKey = ApiKeys.add(keys, "slow", null);
    String otherKey = ApiKeys.add(keys, "other", null);
    String namespace = "it-slow-" + System.currentTimeMillis() + ".";
    IngestConfig config =
        new IngestConfig(
            Map.of(
                IngestConfig.PORT,
                "0",
                IngestConfig.TOPIC_NAMESPACE,
                namespace,
                IngestConfig.API_KEYS_FILE,
                keys.toString()));
    List<Socket> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try (IngestServer server = new IngestServer(config).start()) {
      for (int i = 0; i < SLOW_CONNECTIONS; i++) {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket
            .getOutputStream()
            .write(
                ("POST /v1/events/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                        + slowKey
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      trickle.scheduleAtFixedRate(
          () -> slow.forEach(SlowClientIT::oneMoreByte), 2, 2, TimeUnit.SECONDS);

      HttpClient http = HttpClient.newHttpClient();
      // A generous bound, only so that a starved edge fails the test instead of hanging it.
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> otherPost =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/v1/events/usage"))
                  .timeout(Duration.ofSeconds(30))
                  .header("Authorization", "Bearer " + otherKey)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          IngestIT.event("slow-other-1", "direct-api").toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(otherPost.statusCode()).as(otherPost.body()).isEqualTo(202);

      // Every slow connection was answered: 429 beyond the key's 32 concurrent requests, 408 for
      // the trickling ones.
      int tooMany = 0;
      int tooSlow = 0;
      for (Socket socket : slow) {
        socket.setSoTimeout(60_000);
        String status = statusLine(socket.getInputStream());
        if (status.startsWith("HTTP/1.1 429")) {
          tooMany++;
        } else if (status.startsWith("HTTP/1.1 408")) {
          tooSlow++;
        } else {
          throw new AssertionError("a slow connection was answered '" + status + "'");
        }
      }
      // At least the first 32 were admitted; a later one may be too, once an earlier one was cut.
      assertThat(tooSlow).as("admitted, then cut for their data rate").isGreaterThanOrEqualTo(32);
      assertThat(tooMany).as("refused at once").isPositive();
      assertThat(tooSlow + tooMany).isEqualTo(SLOW_CONNECTIONS);
    } finally {
      trickle.shutdownNow();
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  private static void oneMoreByte(Socket socket) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(' ');
      out.flush();
    } catch (IOException answeredAndClosed) {
      // the edge has answered this one and closed it
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }
}
