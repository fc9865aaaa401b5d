package dev.routemetrics.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.ingest.EventFamilies;
import dev.routemetrics.ingest.EventPublisher;
import dev.routemetrics.ingest.load.FileLoader;
import dev.routemetrics.ingest.load.RecordReader;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.Quarantine;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quarantine view through the real pipeline (ingest, streams, sink, ClickHouse): a too-late
 * copy of an event counted earlier says so, a too-late event never counted says it is not in the
 * metrics, and the ingest's dead letters are in the view. docs/domain.md, "Lateness".
 *
 * <p>All usage events go to one partition (the default partitioner: murmur2 of the event_id), since
 * the lateness gate's stream time and the seen-id store are per partition. With the default
 * lateness of 7 days the seen-id store keeps an id for 8 days and drops it a segment (4 days) at a
 * time, so an event 13 days behind the newest one is forgotten and too late.
 */
class QuarantineViewIT {

  private static final String CHANNEL = "direct-api";
  private static Pipeline pipeline;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    pipeline = new Pipeline("it-quarantine-");
  }

  @AfterAll
  static void stop() throws Exception {
    pipeline.close();
  }

  private static String usage(String id, Instant time) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_time\":\""
        + time
        + "\",\"channel_id\":\""
        + CHANNEL
        + "\",\"account_id\":\"acct-1\",\"end_user_ref\":null,\"model_id\":\"frontier-fast\",\"request_id\":\"req-"
        + id
        + "\",\"request_count\":1,\"input_tokens\":10,\"output_tokens\":5,\"latency_ms\":100,\"outcome\":\"SUCCESS\","
        + "\"telemetry\":\"FULL\"}";
  }

  private static void post(String json) throws Exception {
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(pipeline.ingestUrl() + "/v1/events/usage"))
                    .header("Authorization", "Bearer " + pipeline.labKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
  }

  private static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The first of prefix-0, prefix-1, ... that lands on {@code partition}. */
  private static String idOn(String prefix, int partition, int partitions) {
    for (int i = 0; ; i++) {
      if (partitionOf(prefix + i, partitions) == partition) {
        return prefix + i;
      }
    }
  }

  @Test
  @DisplayName(
      "of two too-late events, only the re-delivered copy of a counted one says counted earlier;"
          + " dead letters show")
  void shouldTellACopyOfACountedEventFromALateOne() throws Exception {
    int partitions;
    String topic = new Topics(pipeline.namespace).usageEvents;
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                pipeline.warehouse.getString(WarehouseConfig.KAFKA_BOOTSTRAP)))) {
      partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }
    Instant newest = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);
    Instant old = newest.minus(Duration.ofDays(13));
    String counted = "q-counted";
    int partition = partitionOf(counted, partitions);
    String advance = idOn("q-newest-", partition, partitions);
    String neverCounted = idOn("q-late-", partition, partitions);

    post(usage(counted, old)); // offset 0: in time, counted
    post(usage(advance, newest)); // offset 1: 13 days on; counted, and q-counted's id is forgotten
    post(usage(counted, old)); // offset 2: the same event again, now too late
    post(usage(neverCounted, old)); // offset 3: too late, never seen before
    post(
        usage(
            neverCounted,
            old)); // offset 4: its retry, too late (or dropped as its duplicate) again

    Path file = dir.resolve("backfill.ndjson");
    Files.writeString(
        file,
        String.join(
                "\n",
                "{broken",
                usage("q-bad", old).replace("\"input_tokens\":10", "\"input_tokens\":-7"))
            + "\n");
    try (EventPublisher publisher =
        new EventPublisher(pipeline.warehouse.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 10_000)) {
      FileLoader.Result loaded =
          new FileLoader(publisher, new Topics(pipeline.namespace), 10)
              .load(
                  file,
                  RecordReader.Format.NDJSON,
                  EventFamilies.named(
                      "usage", ChannelRegistry.builtIn(), Clock.systemUTC(), Duration.ofMinutes(5)),
                  bytes -> {});
      assertThat(loaded).isEqualTo(new FileLoader.Result(0, 2));
    }

    Quarantine view = new Quarantine(new MetricsReader(pipeline.clickHouse(), pipeline.database));
    TimeRange range =
        new TimeRange(
            WindowSize.HOUR,
            old.truncatedTo(ChronoUnit.DAYS),
            Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.DAYS),
            List.of());
    List<Quarantine.Row> rows = awaitRows(view, range);

    Quarantine.Row late =
        rows.stream().filter(r -> r.reason().equals("TOO_LATE")).findFirst().orElseThrow();
    assertThat(late.source()).isEqualTo("STREAMS");
    assertThat(late.channelId()).isEqualTo(CHANNEL);
    assertThat(late.count()).isEqualTo(2); // two events: q-counted and the never-counted one
    assertThat(late.countedEarlier()).isEqualTo(1); // q-counted only
    Map<Object, Map<String, Object>> examples =
        late.examples().stream().collect(Collectors.toMap(e -> e.get("event_id"), e -> e));
    assertThat(examples.get(counted).get("counted_earlier")).isEqualTo(true);
    assertThat((String) examples.get(counted).get("detail"))
        .startsWith(
            "a copy of this event was counted earlier (partition "
                + partition
                + ", offset 0, arrived ")
        .contains("this copy, at offset 2, was not counted again");
    assertThat(examples.get(neverCounted).get("counted_earlier")).isEqualTo(false);
    assertThat((String) examples.get(neverCounted).get("detail"))
        .startsWith("no earlier copy of this event was counted: a late event, not in the metrics");

    // The dead letters: the broken line and the one with negative tokens, by kind of problem.
    List<Quarantine.Row> dead = rows.stream().filter(r -> r.source().equals("INGEST")).toList();
    assertThat(dead)
        .extracting(Quarantine.Row::reason)
        .containsExactlyInAnyOrder("NOT_JSON", "INVALID: input_tokens");
    assertThat(dead).extracting(Quarantine.Row::family).containsOnly("USAGE");
    assertThat(dead)
        .filteredOn(r -> r.reason().equals("INVALID: input_tokens"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.channelId()).isEqualTo(CHANNEL);
              assertThat(r.count()).isEqualTo(1);
              assertThat(r.examples().get(0).get("event_id")).isEqualTo(file + ":2");
            });
    assertThat(dead)
        .filteredOn(r -> r.reason().equals("NOT_JSON"))
        .singleElement()
        .satisfies(r -> assertThat(r.channelId()).isNull());

    // A partner's key reads its channels' quarantined events only, never the dead letters (their
    // channel is the
    // record's unvalidated claim): as a partner of direct-api, the too-late group alone.
    assertThat(view.compute(range, List.of(CHANNEL), true))
        .extracting(Quarantine.Row::source, Quarantine.Row::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("STREAMS", "TOO_LATE"));
    assertThat(view.compute(range, List.of("cloud-nimbus"), true)).isEmpty();
  }

  /** Polls until the sink has written both too-late events' copies and the two dead letters. */
  private static List<Quarantine.Row> awaitRows(Quarantine view, TimeRange range) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    List<Quarantine.Row> rows = List.of();
    while (System.currentTimeMillis() < deadline) {
      rows = view.compute(range, List.of(), false);
      boolean late =
          rows.stream()
              .anyMatch(
                  r ->
                      r.reason().equals("TOO_LATE")
                          && r.count() == 2
                          && r.examples().stream().allMatch(e -> e.get("counted_earlier") != null));
      long dead =
          rows.stream()
              .filter(r -> r.source().equals("INGEST"))
              .mapToLong(Quarantine.Row::count)
              .sum();
      if (late && dead == 2) {
        return rows;
      }
      Thread.sleep(500);
    }
    return rows;
  }
}
