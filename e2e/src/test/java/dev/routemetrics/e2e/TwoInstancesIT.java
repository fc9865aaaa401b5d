package dev.routemetrics.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.query.ChannelRequests;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.load.UsageBurst;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One setting isolates an instance: two pipelines on one broker and one ClickHouse, given nothing
 * but a topic namespace each (the database, the streams application id, its state and internal
 * topics and the consumer groups follow it), each see only the events sent to them.
 */
class TwoInstancesIT {

  private static final Instant HOUR = Instant.parse("2026-11-04T09:00:00Z");

  @Test
  @DisplayName("two pipelines that differ only in their namespace never see each other's events")
  void shouldKeepTwoNamespacedPipelinesApart() throws Exception {
    try (Pipeline blue = Pipeline.namespacedOnly("it-blue-");
        Pipeline green = Pipeline.namespacedOnly("it-green-")) {
      assertThat(blue.database).isNotEqualTo(green.database).startsWith("routemetrics_it_blue_");
      // Same hour, same channels, different traffic: a shared table, group or store would mix them.
      List<UsageBurst.Event> toBlue =
          new UsageBurst(ChannelRegistry.builtIn(), 1).generate(HOUR, 40, 30);
      List<UsageBurst.Event> toGreen =
          new UsageBurst(ChannelRegistry.builtIn(), 2).generate(HOUR, 70, 30);
      assertThat(blue.post(toBlue, 4)).isEqualTo(toBlue.size());
      assertThat(green.post(toGreen, 4)).isEqualTo(toGreen.size());

      drained(blue);
      drained(green);

      // Isolation is what this test is about (DrainedIT holds `drained` to its promise): each
      // pipeline's rows are waited for, then compared. A clean clone's suite once read them the
      // moment status first said drained and found none yet.
      assertThat(requestsOnceSettled(blue, UsageBurst.expectedRequests(toBlue)))
          .isEqualTo(UsageBurst.expectedRequests(toBlue));
      assertThat(requestsOnceSettled(green, UsageBurst.expectedRequests(toGreen)))
          .isEqualTo(UsageBurst.expectedRequests(toGreen));
    }
  }

  /**
   * Drained three answers in a row, a second apart: at start-up `status` can say drained for a
   * moment before the streams app holds its tasks (a known bug, written down for issue 18; a clean
   * clone's suite met it), and isolation, not that promise, is what this test is about.
   */
  private static void drained(Pipeline pipeline) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 180_000;
    int inARow = 0;
    while (inARow < 3 && System.currentTimeMillis() < deadline) {
      inARow = pipeline.status().check().drained() ? inARow + 1 : 0;
      Thread.sleep(1_000);
    }
    assertThat(inARow).as("%s drained three times in a row", pipeline.namespace).isEqualTo(3);
  }

  private static Map<String, Long> requestsOnceSettled(
      Pipeline pipeline, Map<String, Long> expected) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    Map<String, Long> rows = requests(pipeline);
    while (!rows.equals(expected) && System.currentTimeMillis() < deadline) {
      Thread.sleep(500);
      rows = requests(pipeline);
    }
    return rows;
  }

  private static Map<String, Long> requests(Pipeline pipeline) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    for (ChannelRequests.Row row :
        new ChannelRequests(pipeline.clickHouse(), pipeline.database)
            .between(HOUR, HOUR.plus(Duration.ofHours(1)))) {
      rows.put(row.channelId(), row.requests());
    }
    return rows;
  }
}
