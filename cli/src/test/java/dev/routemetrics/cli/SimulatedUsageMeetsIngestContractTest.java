package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.ingest.InvalidEventException;
import dev.routemetrics.ingest.UsageEventParser;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.Family;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator speaks the ingest's language: its usage lines parse, and its malformed ones are refused by field. */
class SimulatedUsageMeetsIngestContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChannelRegistry registry = ChannelRegistry.builtIn();
  // A server clock well after the period, so no simulated event is "in the future".
  private final UsageEventParser parser = new UsageEventParser(registry,
      Clock.fixed(Instant.parse("2026-12-31T00:00:00Z"), ZoneOffset.UTC), Duration.ofMinutes(5));

  private List<Delivery> usageDeliveries() {
    List<Delivery> deliveries = new ArrayList<>();
    SimulationPlan plan = new SimulationPlan(Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T13:00:00Z"),
        11, 10_000, new Faults(0.01, 0.01, 0.01, 0.01, 0.02, 0.05), SimulationPlan.DEFAULT_STATEMENT_SKEW);
    new TrafficSimulator(registry, plan).run(deliveries::add, e -> { }, (a, b, c) -> { });
    return deliveries.stream().filter(d -> d.family() == Family.USAGE).toList();
  }

  @Test
  void shouldParseEveryWellFormedSimulatedUsageLineBackIntoTheSameEvent() throws Exception {
    for (Delivery d : usageDeliveries()) {
      if (!d.isMalformed()) {
        UsageEvent parsed = parser.parse(JSON.readTree(EventJson.toJson(d.event())));
        assertThat(parsed).isEqualTo(d.event());
      }
    }
  }

  @Test
  void shouldHaveEveryMalformedUsageLineRefusedWithTheFieldNamed() {
    List<Delivery> malformed = usageDeliveries().stream().filter(Delivery::isMalformed).toList();
    assertThat(malformed).isNotEmpty();
    for (Delivery d : malformed) {
      assertThatThrownBy(() -> parser.parse(JSON.readTree(d.malformedJson())))
          .isInstanceOf(InvalidEventException.class)
          .satisfies(e -> assertThat(((InvalidEventException) e).errors()).isNotEmpty()
              .allSatisfy(error -> assertThat(error.field()).isNotBlank()));
    }
  }
}
