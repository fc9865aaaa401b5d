package dev.routemetrics.query.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs each alert transition as JSON to a URL; anything but 2xx is a failure (logged by the
 * evaluator).
 */
public final class WebhookPublisher implements AlertEvaluator.Publisher {

  private final URI url;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public WebhookPublisher(URI url) {
    this.url = url;
  }

  @Override
  public void publish(Alert alert) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AlertJson.write(alert)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("webhook " + url + " answered " + response.statusCode());
    }
  }
}
