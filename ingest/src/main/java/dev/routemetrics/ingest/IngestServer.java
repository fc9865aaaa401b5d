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
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge. {@code POST /v1/events/{family}} takes one JSON event or an array of them and
 * answers only after Kafka acknowledged what it accepted:
 *
 * <ul>
 *   <li>202: every event stored;
 *   <li>207: the valid events stored, the invalid ones listed by index with their bad fields;
 *   <li>400: no event valid, or the body is not one strict JSON value, nothing stored; 401: no
 *       valid key; 403: an event names a channel the key may not write, nothing stored; 408: the
 *       body arrived too slowly; 413: too large; 415: not application/json; 429: the key's limits
 *       or too many events waiting for Kafka (Retry-After); 500: an unexpected failure (counted in
 *       /metrics); 503: Kafka did not acknowledge (Retry-After).
 * </ul>
 *
 * When Kafka acknowledged part of a batch only, the 503/500 answer lists exactly which events were
 * stored ({@code accepted_indexes}, {@code event_ids}) and which were not ({@code errors}).
 *
 * <p>What one request may hold is bounded and always given back: a key's concurrent-request lease
 * and rate (so one key cannot starve others), the body (read in a bounded way, 413 beyond the
 * limit, chunked included), the body's arrival (Jetty's idle timeout and minimum data rate), and
 * the in-flight event permits, released on every path, an unexpected exception included.
 *
 * <p>Errors are RFC 9457 problem+json, Jetty's own included. Nothing logs a key or an event's
 * personal fields, and no answer names the broker's address.
 */
public final class IngestServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Retry-After of a 503: how long a client waits before resending while Kafka does not
   * acknowledge.
   */
  static final int RETRY_AFTER_SECONDS = 5;

  /** Family label of a request whose path names no known family. */
  private static final String NO_FAMILY = "none";

  private final IngestConfig config;
  private final Topics topics;
  private final ChannelRegistry registry;
  private final ApiKeys apiKeys;
  private final EventPublisher publisher;
  private final Semaphore inFlight;
  private final KeyLimits keyLimits;
  private final IngestTelemetry telemetry = new IngestTelemetry();
  private final Map<String, EventFamily<?>> families = new LinkedHashMap<>();
  private final Javalin app;

  public IngestServer(IngestConfig config) {
    this(config, null, null);
  }

  /**
   * For tests: these families and this publisher (a MockProducer's), and then no topics are
   * created.
   */
  IngestServer(IngestConfig config, List<EventFamily<?>> families, EventPublisher publisher) {
    if (publisher == null) {
      new TopicProvisioner(
              config.getString(IngestConfig.KAFKA_BOOTSTRAP),
              config.getInt(IngestConfig.PARTITIONS))
          .ensure(new Topics(config.getString(IngestConfig.TOPIC_NAMESPACE)));
    }
    this.config = config;
    this.topics = new Topics(config.getString(IngestConfig.TOPIC_NAMESPACE));
    this.registry = ChannelRegistry.load(config.getString(IngestConfig.REGISTRY));
    this.apiKeys = new ApiKeys(Path.of(config.getString(IngestConfig.API_KEYS_FILE)));
    int maxInFlight = config.getInt(IngestConfig.MAX_IN_FLIGHT_EVENTS);
    this.inFlight = new Semaphore(maxInFlight);
    this.keyLimits =
        new KeyLimits(
            config.getInt(IngestConfig.KEY_MAX_CONCURRENT_REQUESTS),
            config.getInt(IngestConfig.KEY_MAX_REQUESTS_PER_SECOND),
            config.getInt(IngestConfig.KEY_REQUEST_BURST),
            System::nanoTime);
    telemetry.holding(() -> maxInFlight - inFlight.availablePermits(), keyLimits::open);
    (families != null
            ? families
            : EventFamilies.of(
                registry,
                Clock.systemUTC(),
                Duration.ofMillis(config.getLong(IngestConfig.MAX_FUTURE_SKEW_MS))))
        .forEach(family -> this.families.put(family.name(), family));
    this.publisher =
        publisher != null
            ? publisher
            : new EventPublisher(
                config.getString(IngestConfig.KAFKA_BOOTSTRAP),
                config.getInt(IngestConfig.ACK_TIMEOUT_MS));
    this.app =
        Javalin.create(
                javalin -> {
                  javalin.showJavalinBanner = false;
                  javalin.http.maxRequestSize = config.getInt(IngestConfig.MAX_REQUEST_BYTES);
                  javalin.jetty.threadPool =
                      new QueuedThreadPool(config.getInt(IngestConfig.MAX_THREADS), 8, 60_000);
                  javalin.jetty.modifyHttpConfiguration(
                      http -> {
                        http.setSendServerVersion(false);
                        http.setMinRequestDataRate(
                            config.getInt(IngestConfig.MIN_BODY_BYTES_PER_SECOND));
                      });
                  javalin.jetty.modifyServer(
                      server ->
                          server.setErrorHandler(
                              new ProblemErrorHandler(
                                  status -> telemetry.refused(NO_FAMILY, "http-" + status))));
                  javalin.jetty.addConnector(
                      (server, http) -> {
                        ServerConnector connector =
                            new ServerConnector(server, new HttpConnectionFactory(http));
                        connector.setHost(config.getString(IngestConfig.HOST));
                        connector.setPort(config.getInt(IngestConfig.PORT));
                        connector.setIdleTimeout(config.getInt(IngestConfig.IDLE_TIMEOUT_MS));
                        return connector;
                      });
                })
            .get("/health", ctx -> ctx.json(health(maxInFlight)))
            .get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4").result(telemetry.scrape()))
            .get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi()))
            .post("/v1/events/{family}", this::accept)
            .exception(Exception.class, this::unexpected)
            .error(
                404,
                ctx ->
                    unlessProblem(
                        ctx,
                        Problem.of(
                            "not-found",
                            "Not found",
                            404,
                            "no such resource; events are posted to"
                                + " /v1/events/{usage|billing|feedback}")))
            .error(
                405,
                ctx ->
                    unlessProblem(
                        ctx,
                        Problem.of(
                            "method-not-allowed",
                            "Method not allowed",
                            405,
                            "events are sent with POST /v1/events/{usage|billing|feedback}")));
  }

  /**
   * {@code /health}: the service answers as itself (so a script or {@code routemetrics status} can
   * tell it from another process on the port) and says how many accepted events still wait for
   * Kafka's acknowledgement ({@code inFlightEvents}; 0 when nothing is pending).
   */
  private Map<String, Object> health(int maxInFlight) {
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("service", "ingest");
    health.put("namespace", config.getString(IngestConfig.TOPIC_NAMESPACE));
    health.put("pid", ProcessHandle.current().pid());
    health.put("status", "UP");
    health.put("inFlightEvents", maxInFlight - inFlight.availablePermits());
    return health;
  }

  public IngestServer start() {
    app.start();
    log.info(
        "ingest listening on http://{}:{} for {} events, publishing to Kafka at {} (topic namespace"
            + " '{}')",
        config.getString(IngestConfig.HOST),
        app.port(),
        families.keySet(),
        config.getString(IngestConfig.KAFKA_BOOTSTRAP),
        config.getString(IngestConfig.TOPIC_NAMESPACE));
    return this;
  }

  public int port() {
    return app.port();
  }

  private void accept(Context ctx) {
    long started = System.nanoTime();
    EventFamily<?> family = families.get(ctx.pathParam("family"));
    if (family == null) {
      finish(
          ctx,
          NO_FAMILY,
          started,
          Problem.of(
              "unknown-family",
              "Unknown event family",
              404,
              "events are posted to /v1/events/{" + String.join("|", families.keySet()) + "}"));
      return;
    }
    acceptFamily(ctx, family, started);
  }

  private <T> void acceptFamily(Context ctx, EventFamily<T> family, long started) {
    String name = family.name();
    Optional<Principal> principal = apiKeys.authenticate(presentedKey(ctx));
    if (principal.isEmpty()) {
      telemetry.rejected(name, Reason.UNAUTHENTICATED, 1);
      // Says nothing about channels or events: a caller without a key learns nothing.
      ctx.header("WWW-Authenticate", "Bearer");
      finish(
          ctx,
          name,
          started,
          Problem.of(
              "unauthenticated",
              "Unauthenticated",
              401,
              "a valid API key is required: Authorization: Bearer <key> (or X-Api-Key: <key>)"));
      return;
    }
    KeyLimits.Admission admission = keyLimits.admit(principal.get().keyId());
    if (admission instanceof KeyLimits.Refused refused) {
      telemetry.refused(name, refused.reason());
      ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
      finish(
          ctx,
          name,
          started,
          Problem.of(refused.reason(), "Too many requests for this key", 429, refused.detail()));
      return;
    }
    KeyLimits.Admitted lease = (KeyLimits.Admitted) admission;
    boolean handedOver = false;
    try {
      handedOver = acceptAdmitted(ctx, family, principal.get(), started, lease);
    } catch (RequestBody.Refusal refusal) {
      telemetry.refused(name, refusal.slug);
      if (refusal.status == 413) {
        // The rest of the body is never read: the connection cannot carry another request.
        ctx.header("Connection", "close");
      }
      String subject = refusal.field.equals("$") ? "the body" : refusal.field;
      finish(
          ctx,
          name,
          started,
          new Problem(
              "urn:routemetrics:problem:" + refusal.slug,
              title(refusal.status),
              refusal.status,
              subject + " " + refusal.getMessage(),
              List.of(new Problem.EventError(null, null, refusal.field, refusal.getMessage()))));
    } finally {
      if (!handedOver) {
        lease.close();
      }
    }
  }

  /**
   * Reads, checks and publishes the batch; true when the answer was handed to Kafka's
   * acknowledgement (which closes the lease).
   */
  private <T> boolean acceptAdmitted(
      Context ctx,
      EventFamily<T> family,
      Principal principal,
      long started,
      KeyLimits.Admitted lease) {
    String name = family.name();
    RequestBody.checkContentType(ctx.header("Content-Type"));
    List<JsonNode> items = RequestBody.parseBatch(readBody(ctx));
    int maxBatch = config.getInt(IngestConfig.MAX_BATCH_EVENTS);
    if (items.size() > maxBatch) {
      telemetry.rejected(name, Reason.TOO_LARGE, items.size());
      finish(
          ctx,
          name,
          started,
          Problem.of(
              "too-large",
              "Batch too large",
              413,
              "a request may carry at most " + maxBatch + " events, this one has " + items.size()));
      return false;
    }
    List<Problem.EventError> forbidden = forbiddenChannels(principal, items);
    if (!forbidden.isEmpty()) {
      telemetry.rejected(name, Reason.FORBIDDEN, items.size());
      finish(
          ctx,
          name,
          started,
          new Problem(
              "urn:routemetrics:problem:forbidden-channel",
              "Forbidden channel",
              403,
              "key '"
                  + principal.keyId()
                  + "' may write only its partner's channels; nothing was accepted.",
              forbidden));
      return false;
    }

    List<T> valid = new ArrayList<>();
    List<Integer> validIndexes = new ArrayList<>();
    List<Problem.EventError> errors = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        valid.add(family.parse(items.get(i)));
        validIndexes.add(i);
      } catch (InvalidEventException e) {
        String eventId =
            items.get(i).path("event_id").isTextual()
                ? items.get(i).get("event_id").asText()
                : null;
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
      return false;
    }
    if (!inFlight.tryAcquire(valid.size())) {
      telemetry.rejected(name, Reason.OVERLOADED, valid.size());
      ctx.header("Retry-After", "1");
      finish(
          ctx,
          name,
          started,
          Problem.of(
              "overloaded",
              "Too many events waiting for Kafka",
              429,
              "the edge holds "
                  + config.getInt(IngestConfig.MAX_IN_FLIGHT_EVENTS)
                  + " events waiting for Kafka's acknowledgement; nothing was accepted, retry"
                  + " shortly"));
      return false;
    }
    CompletableFuture<Void> answered;
    try {
      // Every record is encoded before the first is sent: a failure here sends nothing.
      String topic = family.topic(topics);
      List<String> eventIds = new ArrayList<>(valid.size());
      List<Long> times = new ArrayList<>(valid.size());
      List<byte[]> values = new ArrayList<>(valid.size());
      for (T event : valid) {
        eventIds.add(family.eventId(event));
        times.add(family.eventTime(event).toEpochMilli());
        values.add(family.encode(event));
      }
      List<CompletableFuture<?>> acks = new ArrayList<>(valid.size());
      for (int i = 0; i < valid.size(); i++) {
        acks.add(publisher.publish(topic, eventIds.get(i), times.get(i), values.get(i)));
      }
      answered =
          CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
              .handle(
                  (ignored, error) -> {
                    inFlight.release(valid.size());
                    answer(ctx, name, started, acks, eventIds, validIndexes, errors, invalid);
                    return null;
                  });
    } catch (RuntimeException e) {
      inFlight.release(valid.size());
      throw e;
    }
    // The lease is given back once the answer is written, whatever happened to it.
    ctx.future(() -> answered.whenComplete((ignored, error) -> lease.close()));
    return true;
  }

  /**
   * The answer once Kafka has answered for every event: 202/207, or 503/500 saying exactly which
   * were stored.
   */
  private void answer(
      Context ctx,
      String name,
      long started,
      List<CompletableFuture<?>> acks,
      List<String> eventIds,
      List<Integer> validIndexes,
      List<Problem.EventError> errors,
      int invalid) {
    List<Integer> storedIndexes = new ArrayList<>();
    List<String> storedIds = new ArrayList<>();
    List<Problem.EventError> notStored = new ArrayList<>(errors);
    Throwable failure = null;
    for (int i = 0; i < acks.size(); i++) {
      if (acks.get(i).isCompletedExceptionally()) {
        Throwable error = unwrap(acks.get(i).handle((ok, e) -> e).join());
        failure = failure == null ? error : failure;
        notStored.add(
            new Problem.EventError(
                validIndexes.get(i),
                eventIds.get(i),
                "$",
                "not stored: Kafka did not acknowledge it ("
                    + error.getClass().getSimpleName()
                    + ")"));
      } else {
        storedIndexes.add(validIndexes.get(i));
        storedIds.add(eventIds.get(i));
      }
    }
    telemetry.accepted(name, storedIds.size());
    if (failure != null) {
      telemetry.rejected(name, Reason.UNAVAILABLE, acks.size() - storedIds.size());
      notStored.sort((a, b) -> Integer.compare(a.index(), b.index()));
      finish(
          ctx,
          name,
          started,
          publishFailure(ctx, failure, storedIndexes, storedIds, notStored, acks.size() + invalid));
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("accepted", storedIds.size());
    body.put("rejected", invalid);
    body.put("event_ids", storedIds);
    if (invalid > 0) {
      body.put("accepted_indexes", storedIndexes);
      body.put("errors", errors);
    }
    ctx.status(invalid > 0 ? 207 : 202).json(body);
    telemetry.request(name, ctx.statusCode(), Duration.ofNanos(System.nanoTime() - started));
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
      Optional<Channel> channel =
          channelId.isTextual() ? registry.find(channelId.asText()) : Optional.empty();
      if (channelId.isTextual() && channel.map(c -> !principal.mayWrite(c)).orElse(true)) {
        forbidden.add(
            new Problem.EventError(
                i,
                null,
                "channel_id",
                "this key may not write channel '" + channelId.asText() + "'"));
      }
    }
    return forbidden;
  }

  private Problem publishFailure(
      Context ctx,
      Throwable error,
      List<Integer> storedIndexes,
      List<String> storedIds,
      List<Problem.EventError> notStored,
      int total) {
    String stored =
        storedIds.size()
            + " of "
            + total
            + " events were stored"
            + (storedIds.isEmpty() ? "" : " (accepted_indexes, event_ids)")
            + "; the others are listed in errors";
    boolean retriable =
        error instanceof RetriableException
            || error instanceof org.apache.kafka.common.errors.TimeoutException;
    if (retriable) {
      log.warn(
          "Kafka at {} did not acknowledge: {}",
          config.getString(IngestConfig.KAFKA_BOOTSTRAP),
          error.toString());
      ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      return new Problem(
          "urn:routemetrics:problem:kafka-unavailable",
          "Event log unavailable",
          503,
          stored
              + ". Kafka did not acknowledge them: resend those after Retry-After seconds"
              + " (resending a stored event is harmless, event ids count once).",
          notStored,
          storedIds.size(),
          storedIndexes,
          storedIds);
    }
    log.error("Kafka refused events", error);
    return new Problem(
        "urn:routemetrics:problem:publish-failed",
        "Events not stored",
        500,
        stored + ". Kafka refused them (" + error.getClass().getSimpleName() + ").",
        notStored,
        storedIds.size(),
        storedIndexes,
        storedIds);
  }

  /**
   * Anything no other path expected: 500 problem+json, logged and counted; whatever it held is
   * released by its owner.
   */
  private void unexpected(Exception e, Context ctx) {
    String family = ctx.pathParamMap().getOrDefault("family", NO_FAMILY);
    family = families.containsKey(family) ? family : NO_FAMILY;
    if (e instanceof HttpResponseException http && http.getStatus() < 500) {
      telemetry.refused(family, "http-" + http.getStatus());
      problem(
          ctx,
          Problem.of(
              "http-" + http.getStatus(),
              title(http.getStatus()),
              http.getStatus(),
              http.getMessage()));
      telemetry.request(family, http.getStatus(), Duration.ZERO);
      return;
    }
    log.error("unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
    telemetry.refused(family, "unexpected");
    problem(
        ctx,
        Problem.of(
            "internal-error",
            "Internal server error",
            500,
            "the edge failed unexpectedly ("
                + e.getClass().getSimpleName()
                + "); it is logged. Events already answered 2xx "
                + "are stored; resend this request (event ids count once)."));
    telemetry.request(family, 500, Duration.ZERO);
  }

  private static String presentedKey(Context ctx) {
    return ApiKeys.presented(ctx.header("Authorization"), ctx.header("X-Api-Key"));
  }

  private byte[] readBody(Context ctx) {
    try {
      return RequestBody.readBounded(
          ctx.req().getInputStream(),
          ctx.req().getContentLengthLong(),
          config.getInt(IngestConfig.MAX_REQUEST_BYTES));
    } catch (BadMessageException e) {
      // Jetty refused the body as it arrived: slower than the minimum data rate (408), or a chunk
      // that does not parse.
      throw new RequestBody.Refusal(
          e.getCode(),
          e.getCode() == 408 ? "timeout" : "http-" + e.getCode(),
          "$",
          "could not be read: " + e.getReason());
    } catch (IOException e) {
      // Jetty's idle timeout while waiting for the next byte, or the client went away.
      throw new RequestBody.Refusal(
          408, "timeout", "$", "did not arrive in time (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String title(int status) {
    return org.eclipse.jetty.http.HttpStatus.getMessage(status);
  }

  private void finish(Context ctx, String family, long started, Problem problem) {
    problem(ctx, problem);
    telemetry.request(family, problem.status(), Duration.ofNanos(System.nanoTime() - started));
  }

  private static void unlessProblem(Context ctx, Problem problem) {
    String type = ctx.res().getContentType();
    if (type == null || !type.startsWith(Problem.MEDIA_TYPE)) {
      problem(ctx, problem);
    }
  }

  private static void problem(Context ctx, Problem problem) {
    try {
      ctx.status(problem.status())
          .contentType(Problem.MEDIA_TYPE)
          .result(JSON.writeValueAsString(problem));
    } catch (JacksonException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
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
