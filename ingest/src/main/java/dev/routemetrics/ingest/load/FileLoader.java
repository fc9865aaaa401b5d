package dev.routemetrics.ingest.load;

import dev.routemetrics.events.DeadLetter;
import dev.routemetrics.ingest.EventFamily;
import dev.routemetrics.ingest.EventPublisher;
import dev.routemetrics.ingest.InvalidEventException;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

/**
 * Backfills a file of events straight into Kafka, with the edge's validation. A record that does
 * not parse or validate goes to the dead-letter topic with its line and reason; nothing is dropped.
 * Waits for Kafka's acknowledgement of every batch before reading on, so a crash loses no more than
 * the batch in flight, and a rerun of the same file counts nothing twice (event ids).
 */
public final class FileLoader {

  /** What a load did. */
  public record Result(long loaded, long deadLettered) {}

  private static final int MAX_RAW = 64 * 1024;

  private final EventPublisher publisher;
  private final Topics topics;
  private final int batchSize;
  private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class);

  public FileLoader(EventPublisher publisher, Topics topics, int batchSize) {
    this.publisher = publisher;
    this.topics = topics;
    this.batchSize = batchSize;
  }

  /** Loads the file; {@code progress} hears the bytes read so far. */
  public <T> Result load(
      Path file, RecordReader.Format format, EventFamily<T> family, LongConsumer progress)
      throws IOException, InterruptedException {
    long loaded = 0;
    long dead = 0;
    long bytes = 0;
    List<CompletableFuture<?>> pending = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      RecordReader reader = new RecordReader(in, format, family.schema());
      for (RecordReader.Item item = reader.next(); item != null; item = reader.next()) {
        bytes += item.raw().length() + 1;
        String reason = item.unreadable();
        if (reason == null) {
          try {
            T event = family.parse(item.json());
            pending.add(
                publisher.publish(
                    family.topic(topics),
                    family.eventId(event),
                    family.eventTime(event).toEpochMilli(),
                    family.encode(event)));
            loaded++;
          } catch (InvalidEventException e) {
            reason = e.getMessage();
          }
        }
        if (reason != null) {
          pending.add(
              publisher.publish(
                  topics.deadLetters,
                  file.getFileName().toString(),
                  System.currentTimeMillis(),
                  deadLetters.encode(deadLetter(file, item, family.name(), reason))));
          dead++;
        }
        if (pending.size() >= batchSize) {
          awaitAcks(pending);
          progress.accept(bytes);
        }
      }
    }
    awaitAcks(pending);
    progress.accept(bytes);
    return new Result(loaded, dead);
  }

  private static DeadLetter deadLetter(
      Path file, RecordReader.Item item, String family, String reason) {
    String raw = item.raw().length() > MAX_RAW ? item.raw().substring(0, MAX_RAW) : item.raw();
    return DeadLetter.newBuilder()
        .setSource(file.toString())
        .setLine(item.line())
        .setFamily(family)
        .setRaw(raw)
        .setReason(reason)
        .setLoadedAt(Instant.now())
        .build();
  }

  private static void awaitAcks(List<CompletableFuture<?>> pending) throws InterruptedException {
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Kafka did not acknowledge part of the load ("
              + e.getCause().getMessage()
              + "); nothing after the last progress report is certain to be stored. Rerun the file:"
              + " event ids make it count once.",
          e);
    }
    pending.clear();
  }
}
