package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.Route;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelChange;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.RegistrySnapshot;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelRegistryTest {

  @Test
  void shouldShipAtLeastOneChannelForEachOfTheSevenRoutes() {
    Set<Route> routes =
        ChannelRegistry.builtIn().channels().stream()
            .map(Channel::route)
            .collect(Collectors.toSet());
    assertThat(routes).isEqualTo(EnumSet.allOf(Route.class));
  }

  @Test
  void shouldCountLabOwnedControlPoints() {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    // consumer-app: the lab owns all six; enterprise-workspace: all but procurement.
    assertThat(registry.find("consumer-app").orElseThrow().controlPointsOwned()).isEqualTo(6);
    assertThat(registry.find("enterprise-workspace").orElseThrow().controlPointsOwned())
        .isEqualTo(5);
    assertThat(registry.find("cloud-nimbus").orElseThrow().controlPointsOwned()).isZero();
    assertThat(registry.find("cloud-nimbus").orElseThrow().isDirect()).isFalse();
  }

  @Test
  void shouldNameTheFieldOfABadEntry(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("channels.json");
    Files.writeString(
        file,
        new ObjectMapper()
            .writeValueAsString(
                new ObjectMapper()
                    .readTree(
                        "{\"channels\":[{\"id\":\"x\",\"route\":\"TELEPATHY\",\"take_rate\":\"0\",\"control\":{}}]}")));
    assertThatThrownBy(() -> ChannelRegistry.load(file.toString()))
        .hasMessageContaining("channels[0].route: unknown value 'TELEPATHY'");
  }

  /**
   * The built-in history: version 2 changes cloud-stratus and vertical-lexdraft at noon on
   * 2026-11-20.
   */
  private static final Instant CHANGE = Instant.parse("2026-11-20T12:00:00Z");

  @Test
  void shouldAnswerWithTheRegistryAsItWasBeforeAndAfterAChangeMidDay() {
    ChannelRegistry registry = ChannelRegistry.builtIn();

    RegistrySnapshot morning = registry.asOf(CHANGE.minusMillis(1));
    RegistrySnapshot afternoon = registry.asOf(CHANGE);

    assertThat(morning.version()).isEqualTo(1);
    assertThat(afternoon.version()).isEqualTo(2);
    assertThat(morning.find("cloud-stratus").orElseThrow().takeRate()).isEqualByComparingTo("0.25");
    assertThat(afternoon.find("cloud-stratus").orElseThrow().takeRate())
        .isEqualByComparingTo("0.18");
    assertThat(morning.find("vertical-lexdraft").orElseThrow().controlPointsOwned()).isZero();
    assertThat(afternoon.find("vertical-lexdraft").orElseThrow().controlPointsOwned()).isEqualTo(1);
    // Channels version 2 does not mention carry over unchanged.
    assertThat(afternoon.find("consumer-app")).isEqualTo(morning.find("consumer-app"));
    assertThat(afternoon.channels()).hasSize(9);
  }

  @Test
  void shouldAnswerFromTheLatestVersionThroughTheUnversionedApi() {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    assertThat(registry.version()).isEqualTo(2);
    assertThat(registry.find("cloud-stratus").orElseThrow().takeRate())
        .isEqualByComparingTo(new BigDecimal("0.18"));
    assertThat(registry.channels()).isEqualTo(registry.latest().channels());
  }

  @Test
  void shouldKnowNoChannelsBeforeTheFirstVersion() {
    assertThat(ChannelRegistry.builtIn().asOf(Instant.parse("2025-12-31T23:59:59Z")).channels())
        .isEmpty();
  }

  @Test
  void shouldKeepTheFileOrderOfChannelsSoSeededWalksAreRepeatable() {
    assertThat(ChannelRegistry.builtIn().channels())
        .extracting(Channel::id)
        .startsWith("direct-api", "consumer-app", "enterprise-workspace");
  }

  @Test
  void shouldDescribeItsHistoryAsChangesThatRebuildTheSameRegistry() {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    // Version 1 introduces nine channels, version 2 changes two.
    assertThat(registry.changes()).hasSize(9 + 2);
    assertThat(registry.changes())
        .extracting(ChannelChange::changeId)
        .contains("v1/direct-api", "v2/cloud-stratus");

    List<ChannelChange> shuffled = new ArrayList<>(registry.changes());
    Collections.reverse(shuffled);
    ChannelRegistry rebuilt = ChannelRegistry.of(shuffled);

    for (Instant t : new Instant[] {CHANGE.minusSeconds(1), CHANGE, CHANGE.plusSeconds(86_400)}) {
      assertThat(rebuilt.asOf(t).channels())
          .containsExactlyInAnyOrderElementsOf(registry.asOf(t).channels());
    }
  }

  @Test
  void shouldRetireAChannelFromItsEffectiveTimeOn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("channels.json");
    Files.writeString(
        file,
        """
        {"versions": [
          {"version": 1, "effective_from": "2026-01-01T00:00:00Z", "channels": [
            {"id": "a", "route": "DIRECT_API", "take_rate": "0", "control": {"identity": "LAB", "workflow": "LAB",
             "procurement": "LAB", "governance": "LAB", "billing": "LAB", "interface": "LAB"}},
            {"id": "b", "route": "MARKETPLACE", "partner": "p", "take_rate": "0.1", "control": {"identity": "PARTNER",
             "workflow": "PARTNER", "procurement": "PARTNER", "governance": "PARTNER", "billing": "PARTNER", "interface": "PARTNER"}}]},
          {"version": 2, "effective_from": "2026-02-01T00:00:00Z", "retired": ["b"]}
        ]}\
        """);
    ChannelRegistry registry = ChannelRegistry.load(file.toString());
    assertThat(registry.asOf(Instant.parse("2026-01-31T23:59:59Z")).find("b")).isPresent();
    assertThat(registry.asOf(Instant.parse("2026-02-01T00:00:00Z")).find("b")).isEmpty();
    assertThat(registry.find("b")).isEmpty();
  }

  @Test
  void shouldRejectAVersionThatIsNotLaterThanTheOneBefore(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("channels.json");
    Files.writeString(
        file,
        """
        {"versions": [
          {"version": 1, "effective_from": "2026-02-01T00:00:00Z", "channels": [{"id": "a", "route": "DIRECT_API",
            "take_rate": "0", "control": {"identity": "LAB", "workflow": "LAB", "procurement": "LAB", "governance": "LAB",
            "billing": "LAB", "interface": "LAB"}}]},
          {"version": 2, "effective_from": "2026-01-01T00:00:00Z", "retired": ["a"]}
        ]}\
        """);
    assertThatThrownBy(() -> ChannelRegistry.load(file.toString()))
        .hasMessageContaining(
            "versions[1].effective_from: must be after the previous version's"
                + " 2026-02-01T00:00:00Z");
  }
}
