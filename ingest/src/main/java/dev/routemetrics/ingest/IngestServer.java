package dev.routemetrics.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge. {@code POST /v1/events/usage} takes one JSON usage event and answers 202 only
 * after Kafka acknowledged it; a bad event gets 400 problem+json naming each bad field; a broker
 * that does not answer gets 503 with Retry-After, and nothing is accepted.
 */
public final class IngestServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RETRY_AFTER_SECONDS = 5;

  private final IngestConfig config;
  private final UsageEventParser usageParser;
  private final EventPublisher publisher;
  private final AvroSerde<UsageEvent> usageSerde = AvroSerde.of(UsageEvent.class);
  private final Topics topics;
  private final Javalin app;

  public IngestServer(IngestConfig config) {
    this.config = config;
    this.topics = new Topics(config.getString(IngestConfig.TOPIC_NAMESPACE));
    new TopicProvisioner(config.getString(IngestConfig.KAFKA_BOOTSTRAP), config.getInt(IngestConfig.PARTITIONS)).ensure(topics);
    ChannelRegistry registry = ChannelRegistry.load(config.getString(IngestConfig.REGISTRY));
    this.usageParser = new UsageEventParser(registry, Clock.systemUTC(),
        Duration.ofMillis(config.getLong(IngestConfig.MAX_FUTURE_SKEW_MS)));
    this.publisher = new EventPublisher(config.getString(IngestConfig.KAFKA_BOOTSTRAP),
        config.getInt(IngestConfig.ACK_TIMEOUT_MS));
    this.app = Javalin.create(javalin -> javalin.showJavalinBanner = false)
        .get("/health", ctx -> ctx.json(Map.of("status", "UP")))
        .post("/v1/events/usage", this::acceptUsage)
        .exception(InvalidEventException.class, (e, ctx) -> problem(ctx, Problem.invalidEvent(e.errors())));
  }

  public IngestServer start() {
    app.start(config.getString(IngestConfig.HOST), config.getInt(IngestConfig.PORT));
    log.info("ingest listening on http://{}:{}, publishing to {} at {}", config.getString(IngestConfig.HOST),
        app.port(), topics.usageEvents, config.getString(IngestConfig.KAFKA_BOOTSTRAP));
    return this;
  }

  public int port() {
    return app.port();
  }

  private void acceptUsage(Context ctx) {
    UsageEvent event = usageParser.parse(readJson(ctx));
    byte[] value = usageSerde.encode(event);
    String topic = topics.usageEvents;
    ctx.future(() -> publisher.publish(topic, event.getChannelId(), event.getEventTime().toEpochMilli(), value).handle((metadata, error) -> {
      if (error == null) {
        ctx.status(202).json(Map.of("accepted", 1, "event_ids", List.of(event.getEventId())));
      } else {
        answerPublishFailure(ctx, unwrap(error));
      }
      return null;
    }));
  }

  private void answerPublishFailure(Context ctx, Throwable error) {
    String bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    if (error instanceof RetriableException || error instanceof org.apache.kafka.common.errors.TimeoutException) {
      log.warn("Kafka at {} did not acknowledge: {}", bootstrap, error.toString());
      ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      problem(ctx, Problem.unavailable("Kafka at " + bootstrap + " did not acknowledge the event ("
          + error.getMessage() + "); nothing was accepted, retry later. If the broker is down, deploy/up.sh starts it."));
    } else {
      log.error("Kafka refused an event", error);
      problem(ctx, new Problem("urn:routemetrics:problem:publish-failed", "Event not stored", 500,
          "Kafka refused the event: " + error.getMessage() + "; nothing was accepted.", List.of()));
    }
  }

  private static JsonNode readJson(Context ctx) {
    try {
      return JSON.readTree(ctx.body());
    } catch (JacksonException e) {
      throw new InvalidEventException(List.of(new FieldError("$", "is not valid JSON: " + e.getOriginalMessage())));
    }
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

  @Override
  public void close() {
    app.stop();
    publisher.close();
  }
}
