package dev.routemetrics.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP hop in front of the ingest that loses answers: the first time it sees a request body it
 * forwards the request, so the ingest stores the event and answers, and then holds that answer back
 * longer than any client waits. Every later request with the same body goes through both ways. What
 * the ingest answered to each forwarded request is kept, so a test can tell "stored, answer lost"
 * from "never arrived".
 */
final class LossyProxy implements AutoCloseable {

  private final URI upstream;
  private final Duration holdBack;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newHttpClient();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final List<Integer> lostAnswers = new CopyOnWriteArrayList<>();

  LossyProxy(String upstreamBaseUrl, Duration holdBack) throws IOException {
    this.upstream = URI.create(upstreamBaseUrl);
    this.holdBack = holdBack;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::forward);
    server.setExecutor(threads);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * The ingest's statuses for the requests whose answers this proxy lost, in the order they came.
   */
  List<Integer> lostAnswers() {
    return List.copyOf(lostAnswers);
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().getPath()))
              .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofString(body));
      for (String header : List.of("Authorization", "Content-Type")) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
          request.header(header, value);
        }
      }
      HttpResponse<byte[]> answer =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (seen.add(body)) {
        lostAnswers.add(answer.statusCode());
        Thread.sleep(holdBack.toMillis());
        return; // closed without an answer: the client has long given up
      }
      exchange.sendResponseHeaders(
          answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
