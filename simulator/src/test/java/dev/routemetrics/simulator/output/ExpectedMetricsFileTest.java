package dev.routemetrics.simulator.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.expected.WindowSize;
import dev.routemetrics.simulator.traffic.Family;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectedMetricsFileTest {

  @Test
  void shouldWriteRowsKeyedByWindowStartAndChannelWithMoneyAsDecimalStrings(@TempDir Path dir)
      throws Exception {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    SimulationPlan plan =
        new SimulationPlan(
            Instant.parse("2026-11-20T10:00:00Z"),
            Instant.parse("2026-11-20T12:00:00Z"),
            1,
            3_000,
            Faults.defaults(),
            SimulationPlan.DEFAULT_STATEMENT_SKEW);
    ExpectedMetrics expected = new ExpectedMetrics(registry);
    List<Object> sink = new ArrayList<>();
    TrafficSimulator.Summary summary =
        new TrafficSimulator(registry, plan).run(sink::add, expected::accept, (a, b, c) -> {});
    Path file = dir.resolve(ExpectedMetricsFile.NAME);

    ExpectedMetricsFile.write(file, plan, summary, expected.result(), EnumSet.of(WindowSize.HOUR));

    JsonNode root = new ObjectMapper().readTree(file.toFile());
    assertThat(root.path("simulation").path("seed").asLong()).isEqualTo(1);
    assertThat(root.path("rows"))
        .isNotEmpty()
        .allSatisfy(
            row -> {
              assertThat(row.path("window").asText()).isEqualTo("HOUR");
              assertThat(
                      row.has("window_start") && row.has("channel_id") && row.has("control_score"))
                  .isTrue();
              row.path("revenue")
                  .forEach(
                      money ->
                          assertThat(money.path("net").isTextual())
                              .as("money is a decimal string")
                              .isTrue());
            });
    JsonNode consumerApp = null;
    for (JsonNode row : root.path("rows")) {
      if (row.path("channel_id").asText().equals("consumer-app")
          && row.path("window_start").asText().equals("2026-11-20T11:00:00Z")) {
        consumerApp = row;
      }
    }
    assertThat(consumerApp).isNotNull();
    assertThat(consumerApp.path("requests").asLong()).isPositive();
    assertThat(consumerApp.path("control_points_owned").asInt()).isEqualTo(6);
    // Every accepted feedback event is received exactly once per window size; only some are about a
    // known request.
    long received = 0;
    long about = 0;
    for (JsonNode row : root.path("rows")) {
      received += row.path("feedback_received").asLong();
      about += row.path("feedback_events").asLong();
      assertThat(row.path("trainable_received").asLong())
          .isLessThanOrEqualTo(row.path("feedback_received").asLong());
    }
    assertThat(received).isEqualTo(summary.acceptedEvents().get(Family.FEEDBACK));
    assertThat(about).isPositive().isLessThan(received);
    assertThat(root.path("reconciliation")).isNotEmpty();
    assertThat(root.path("set_aside").path("conflicts").size())
        .isEqualTo(summary.conflictIds().size());
  }
}
