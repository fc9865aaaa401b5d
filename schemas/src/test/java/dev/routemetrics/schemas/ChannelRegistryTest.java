package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.Route;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelRegistryTest {

  @Test
  void shouldShipAtLeastOneChannelForEachOfTheSevenRoutes() {
    Set<Route> routes = ChannelRegistry.builtIn().channels().stream().map(Channel::route).collect(Collectors.toSet());
    assertThat(routes).isEqualTo(EnumSet.allOf(Route.class));
  }

  @Test
  void shouldCountLabOwnedControlPoints() {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    // consumer-app: the lab owns all six; enterprise-workspace: all but procurement.
    assertThat(registry.find("consumer-app").orElseThrow().controlPointsOwned()).isEqualTo(6);
    assertThat(registry.find("enterprise-workspace").orElseThrow().controlPointsOwned()).isEqualTo(5);
    assertThat(registry.find("cloud-nimbus").orElseThrow().controlPointsOwned()).isZero();
    assertThat(registry.find("cloud-nimbus").orElseThrow().isDirect()).isFalse();
  }

  @Test
  void shouldNameTheFieldOfABadEntry(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("channels.json");
    Files.writeString(file, new ObjectMapper().writeValueAsString(new ObjectMapper().readTree(
        "{\"channels\":[{\"id\":\"x\",\"route\":\"TELEPATHY\",\"take_rate\":\"0\",\"control\":{}}]}")));
    assertThatThrownBy(() -> ChannelRegistry.load(file.toString()))
        .hasMessageContaining("channels[0].route: unknown value 'TELEPATHY'");
  }
}
