package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.ingest.EventFamilies;
import dev.routemetrics.ingest.EventFamily;
import dev.routemetrics.ingest.InvalidEventException;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The simulator speaks the ingest's language: its lines of every family parse, and its malformed
 * ones are refused by field.
 */
class SimulatedEventsMeetIngestContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChannelRegistry registry = ChannelRegistry.builtIn();
  // A server clock well after the period, so no simulated event is "in the future".
  private final Clock clock = Clock.fixed(Instant.parse("2026-12-31T00:00:00Z"), ZoneOffset.UTC);

  private List<Delivery> deliveries() {
    List<Delivery> deliveries = new ArrayList<>();
    SimulationPlan plan =
        new SimulationPlan(
            Instant.parse("2026-11-20T10:00:00Z"),
            Instant.parse("2026-11-21T13:00:00Z"),
            11,
            20_000,
            new Faults(0.01, 0.01, 0.01, 0.01, 0.02, 0.05),
            SimulationPlan.DEFAULT_STATEMENT_SKEW);
    new TrafficSimulator(registry, plan).run(deliveries::add, e -> {}, (a, b, c) -> {});
    return deliveries;
  }

  @SuppressWarnings("unchecked")
  private EventFamily<Object> family(Delivery d) {
    return (EventFamily<Object>)
        EventFamilies.named(
            d.family().name().toLowerCase(Locale.ROOT), registry, clock, Duration.ofMinutes(5));
  }

  @Test
  void shouldParseEveryWellFormedSimulatedLineBackIntoTheSameEvent() throws Exception {
    Set<Family> seen = EnumSet.noneOf(Family.class);
    for (Delivery d : deliveries()) {
      if (!d.isMalformed()) {
        Object parsed = family(d).parse(JSON.readTree(EventJson.toJson(d.event())));
        assertThat(parsed)
            .as("%s %s", d.family(), EventJson.toJson(d.event()))
            .isEqualTo(d.event());
        seen.add(d.family());
      }
    }
    assertThat(seen).as("families exercised").isEqualTo(EnumSet.allOf(Family.class));
  }

  @Test
  void shouldHaveEveryMalformedLineRefusedWithTheFieldNamed() {
    List<Delivery> malformed = deliveries().stream().filter(Delivery::isMalformed).toList();
    assertThat(malformed).isNotEmpty();
    for (Delivery d : malformed) {
      assertThatThrownBy(() -> family(d).parse(JSON.readTree(d.malformedJson())))
          .isInstanceOf(InvalidEventException.class)
          .satisfies(
              e ->
                  assertThat(((InvalidEventException) e).errors())
                      .isNotEmpty()
                      .allSatisfy(error -> assertThat(error.field()).isNotBlank()));
    }
  }
}
