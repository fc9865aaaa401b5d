package dev.routemetrics.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.ingest.IngestTelemetry.Reason;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.access.Principal;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge. {@code POST /v1/events/{family}} takes one JSON event or an array of them and
 * answers only after Kafka acknowledged what it accepted:
 *
 * <ul>
 *   <li>202: every event stored;
 *   <li>207: the valid events stored, the invalid ones listed by index with their bad fields;
 *   <li>400: no event valid, nothing stored; 401: no valid key; 403: an event names a channel the
 *       key may not write, nothing stored; 413: too large; 429: too many events waiting for Kafka;
 *       503: Kafka did not acknowledge, resend (event ids make a resend count once).
 * </ul>
 *
 * Errors are RFC 9457 problem+json. Nothing logs a key or an event's personal fields.
 */
public final class IngestServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RETRY_AFTER_SECONDS = 5;

  private final IngestConfig config;
  private final Topics topics;
  private final ChannelRegistry registry;
  private final ApiKeys apiKeys;
  private final EventPublisher publisher;
  private final Semaphore inFlight;
  private final IngestTelemetry telemetry = new IngestTelemetry();
  private final Map<String, EventFamily<?>> families = new LinkedHashMap<>();
  private final Javalin app;

  public IngestServer(IngestConfig config) {
    this.config = config;
    this.topics = new Topics(config.getString(IngestConfig.TOPIC_NAMESPACE));
    this.registry = ChannelRegistry.load(config.getString(IngestConfig.REGISTRY));
    this.apiKeys = new ApiKeys(Path.of(config.getString(IngestConfig.API_KEYS_FILE)));
    this.inFlight = new Semaphore(config.getInt(IngestConfig.MAX_IN_FLIGHT_EVENTS));
    new TopicProvisioner(config.getString(IngestConfig.KAFKA_BOOTSTRAP), config.getInt(IngestConfig.PARTITIONS)).ensure(topics);
    EventFamilies.of(registry, Clock.systemUTC(), Duration.ofMillis(config.getLong(IngestConfig.MAX_FUTURE_SKEW_MS)))
        .forEach(family -> families.put(family.name(), family));
    this.publisher = new EventPublisher(config.getString(IngestConfig.KAFKA_BOOTSTRAP),
        config.getInt(IngestConfig.ACK_TIMEOUT_MS));
    this.app = Javalin.create(javalin -> {
          javalin.showJavalinBanner = false;
          javalin.http.maxRequestSize = config.getInt(IngestConfig.MAX_REQUEST_BYTES);
        })
        .get("/health", ctx -> ctx.json(Map.of("status", "UP")))
        .get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(telemetry.scrape()))
        .get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi()))
        .post("/v1/events/{family}", this::accept)
        .exception(BadRequest.class, (e, ctx) -> problem(ctx, new Problem("urn:routemetrics:problem:invalid-request",
            "Invalid request", 400, "the body is not a batch of events; nothing was accepted.",
            List.of(new Problem.EventError(null, null, e.field, e.getMessage())))))
        .exception(HttpResponseException.class, (e, ctx) -> problem(ctx, e.getStatus() == 413
            ? Problem.of("too-large", "Request too large", 413, "the body is larger than "
                + config.getInt(IngestConfig.MAX_REQUEST_BYTES) + " bytes; send smaller batches")
            : Problem.of("http", e.getMessage(), e.getStatus(), e.getMessage())));
  }

  public IngestServer start() {
    app.start(config.getString(IngestConfig.HOST), config.getInt(IngestConfig.PORT));
    log.info("ingest listening on http://{}:{} for {} events, publishing to Kafka at {} (topic namespace '{}')",
        config.getString(IngestConfig.HOST), app.port(), families.keySet(),
        config.getString(IngestConfig.KAFKA_BOOTSTRAP), config.getString(IngestConfig.TOPIC_NAMESPACE));
    return this;
  }

  public int port() {
    return app.port();
  }

  private void accept(Context ctx) {
    EventFamily<?> family = families.get(ctx.pathParam("family"));
    if (family == null) {
      problem(ctx, Problem.of("unknown-family", "Unknown event family", 404,
          "events are posted to /v1/events/{" + String.join("|", families.keySet()) + "}"));
      return;
    }
    acceptFamily(ctx, family, System.nanoTime());
  }

  private <T> void acceptFamily(Context ctx, EventFamily<T> family, long started) {
    String name = family.name();
    Optional<Principal> principal = apiKeys.authenticate(presentedKey(ctx));
    if (principal.isEmpty()) {
      telemetry.rejected(name, Reason.UNAUTHENTICATED, 1);
      // Says nothing about channels or events: a caller without a key learns nothing.
      ctx.header("WWW-Authenticate", "Bearer");
      finish(ctx, name, started, Problem.of("unauthenticated", "Unauthenticated", 401,
          "a valid API key is required: Authorization: Bearer <key> (or X-Api-Key: <key>)"));
      return;
    }
    List<JsonNode> items = readBatch(ctx);
    int maxBatch = config.getInt(IngestConfig.MAX_BATCH_EVENTS);
    if (items.size() > maxBatch) {
      telemetry.rejected(name, Reason.TOO_LARGE, items.size());
      finish(ctx, name, started, Problem.of("too-large", "Batch too large", 413,
          "a request may carry at most " + maxBatch + " events, this one has " + items.size()));
      return;
    }
    List<Problem.EventError> forbidden = forbiddenChannels(principal.get(), items);
    if (!forbidden.isEmpty()) {
      telemetry.rejected(name, Reason.FORBIDDEN, items.size());
      finish(ctx, name, started, new Problem("urn:routemetrics:problem:forbidden-channel", "Forbidden channel", 403,
          "key '" + principal.get().keyId() + "' may write only its partner's channels; nothing was accepted.", forbidden));
      return;
    }

    List<T> valid = new ArrayList<>();
    List<Integer> validIndexes = new ArrayList<>();
    List<Problem.EventError> errors = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        valid.add(family.parse(items.get(i)));
        validIndexes.add(i);
      } catch (InvalidEventException e) {
        String eventId = items.get(i).path("event_id").isTextual() ? items.get(i).get("event_id").asText() : null;
        for (FieldError error : e.errors()) {
          errors.add(new Problem.EventError(i, eventId, error.field(), error.problem()));
        }
      }
    }
    int invalid = items.size() - valid.size();
    if (invalid > 0) {
      telemetry.rejected(name, Reason.INVALID, invalid);
    }
    if (valid.isEmpty()) {
      finish(ctx, name, started, Problem.invalidEvents(errors, items.size()));
      return;
    }
    if (!inFlight.tryAcquire(valid.size())) {
      telemetry.rejected(name, Reason.OVERLOADED, valid.size());
      ctx.header("Retry-After", "1");
      finish(ctx, name, started, Problem.of("overloaded", "Too many events waiting for Kafka", 429,
          "the edge holds " + config.getInt(IngestConfig.MAX_IN_FLIGHT_EVENTS)
              + " events waiting for Kafka's acknowledgement; nothing was accepted, retry shortly"));
      return;
    }
    String topic = family.topic(topics);
    List<CompletableFuture<?>> acks = new ArrayList<>(valid.size());
    for (T event : valid) {
      acks.add(publisher.publish(topic, family.eventId(event), family.eventTime(event).toEpochMilli(), family.encode(event)));
    }
    ctx.future(() -> CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
      inFlight.release(valid.size());
      long stored = acks.stream().filter(a -> !a.isCompletedExceptionally()).count();
      if (error != null) {
        telemetry.accepted(name, (int) stored);
        telemetry.rejected(name, Reason.UNAVAILABLE, valid.size() - (int) stored);
        finish(ctx, name, started, publishFailure(unwrap(error), stored, valid.size()));
        return null;
      }
      telemetry.accepted(name, valid.size());
      List<String> eventIds = valid.stream().map(family::eventId).toList();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("accepted", valid.size());
      body.put("rejected", invalid);
      body.put("event_ids", eventIds);
      if (invalid > 0) {
        body.put("accepted_indexes", validIndexes);
        body.put("errors", errors);
      }
      ctx.status(invalid > 0 ? 207 : 202).json(body);
      telemetry.request(name, ctx.statusCode(), Duration.ofNanos(System.nanoTime() - started));
      return null;
    }));
  }

  /**
   * For a partner's key, every event must name one of that partner's channels. An unknown channel
   * and another partner's channel get the same answer, so a key cannot probe which channels exist.
   */
  private List<Problem.EventError> forbiddenChannels(Principal principal, List<JsonNode> items) {
    List<Problem.EventError> forbidden = new ArrayList<>();
    if (principal.isLab()) {
      return forbidden;
    }
    for (int i = 0; i < items.size(); i++) {
      JsonNode channelId = items.get(i).path("channel_id");
      Optional<Channel> channel = channelId.isTextual() ? registry.find(channelId.asText()) : Optional.empty();
      if (channelId.isTextual() && channel.map(c -> !principal.mayWrite(c)).orElse(true)) {
        forbidden.add(new Problem.EventError(i, null, "channel_id", "this key may not write channel '" + channelId.asText() + "'"));
      }
    }
    return forbidden;
  }

  private Problem publishFailure(Throwable error, long stored, int total) {
    String bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    String detail = stored + " of " + total + " events were stored before Kafka at " + bootstrap
        + " stopped acknowledging (" + error.getMessage() + "). Resend the whole request: event ids make a resend count once.";
    if (error instanceof RetriableException || error instanceof org.apache.kafka.common.errors.TimeoutException) {
      log.warn("Kafka at {} did not acknowledge: {}", bootstrap, error.toString());
      return Problem.of("kafka-unavailable", "Event log unavailable", 503, detail + " If the broker is down, deploy/up.sh starts it.");
    }
    log.error("Kafka refused events", error);
    return Problem.of("publish-failed", "Events not stored", 500, detail);
  }

  private static String presentedKey(Context ctx) {
    return ApiKeys.presented(ctx.header("Authorization"), ctx.header("X-Api-Key"));
  }

  private static List<JsonNode> readBatch(Context ctx) {
    JsonNode root;
    try {
      root = JSON.readTree(ctx.bodyAsBytes());
    } catch (JacksonException e) {
      throw new BadRequest("$", "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest("$", "could not be read: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new BadRequest("$", "is empty: send one JSON event object or an array of them");
    }
    if (root.isObject()) {
      return List.of(root);
    }
    if (!root.isArray() || root.isEmpty()) {
      throw new BadRequest("$", "must be a JSON event object or a non-empty array of them");
    }
    List<JsonNode> items = new ArrayList<>(root.size());
    root.forEach(items::add);
    return items;
  }

  /** A request that is not a batch of events at all. */
  private static final class BadRequest extends RuntimeException {
    final String field;

    BadRequest(String field, String problem) {
      super(problem);
      this.field = field;
    }
  }

  private void finish(Context ctx, String family, long started, Problem problem) {
    problem(ctx, problem);
    telemetry.request(family, problem.status(), Duration.ofNanos(System.nanoTime() - started));
  }

  private static void problem(Context ctx, Problem problem) {
    try {
      ctx.status(problem.status()).contentType(Problem.MEDIA_TYPE).result(JSON.writeValueAsString(problem));
    } catch (JacksonException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static String openApi() throws IOException {
    try (InputStream in = IngestServer.class.getResourceAsStream("/openapi.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    app.stop();
    publisher.close();
  }
}
