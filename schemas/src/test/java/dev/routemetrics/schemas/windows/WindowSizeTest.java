package dev.routemetrics.schemas.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.Route;
import dev.routemetrics.schemas.registry.Routes;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The windows and the direct routes, as docs/domain.md defines them. */
class WindowSizeTest {

  private static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void shouldStartEachWindowOnItsUtcBoundary() {
    long t = at("2026-11-03T10:49:59.999Z");
    assertThat(WindowSize.MINUTE.startOf(t)).isEqualTo(at("2026-11-03T10:49:00Z"));
    assertThat(WindowSize.HOUR.startOf(t)).isEqualTo(at("2026-11-03T10:00:00Z"));
    assertThat(WindowSize.DAY.startOf(t)).isEqualTo(at("2026-11-03T00:00:00Z"));
    // Before the epoch too: floor, not truncation towards zero.
    assertThat(WindowSize.HOUR.startOf(at("1969-12-31T23:30:00Z")))
        .isEqualTo(at("1969-12-31T23:00:00Z"));
    assertThat(WindowSize.DAY.millis()).isEqualTo(86_400_000L);
  }

  @Test
  void shouldCarryTheClickHouseEnumCodesOfTheMetricTables() {
    // migrations 002 and 003: Enum8('MINUTE' = 1, 'HOUR' = 2, 'DAY' = 3)
    assertThat(WindowSize.MINUTE.clickHouseCode()).isEqualTo(1);
    assertThat(WindowSize.HOUR.clickHouseCode()).isEqualTo(2);
    assertThat(WindowSize.DAY.clickHouseCode()).isEqualTo(3);
  }

  @Test
  void shouldNameEverySizeByTheSymbolTheMetricRecordsCarry() {
    // WindowSize.avsc (schema v3): the three sizes in this order, then UNKNOWN, the default.
    assertThat(dev.routemetrics.metrics.WindowSize.getClassSchema().getEnumSymbols())
        .containsExactly("MINUTE", "HOUR", "DAY", "UNKNOWN");
    assertThat(dev.routemetrics.metrics.WindowSize.getClassSchema().getEnumDefault())
        .isEqualTo("UNKNOWN");
    assertThat(WindowSize.MINUTE.symbol()).isEqualTo(dev.routemetrics.metrics.WindowSize.MINUTE);
    assertThat(WindowSize.HOUR.symbol()).isEqualTo(dev.routemetrics.metrics.WindowSize.HOUR);
    assertThat(WindowSize.DAY.symbol()).isEqualTo(dev.routemetrics.metrics.WindowSize.DAY);
    assertThat(WindowSize.of(dev.routemetrics.metrics.WindowSize.DAY)).isEqualTo(WindowSize.DAY);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> WindowSize.of(dev.routemetrics.metrics.WindowSize.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldKeepTheStateBytesThatEarlierVersionsStored() {
    // The tallies in state stores and changelogs hold these bytes (they were the ordinals).
    assertThat(WindowSize.MINUTE.stateCode()).isEqualTo(0);
    assertThat(WindowSize.HOUR.stateCode()).isEqualTo(1);
    assertThat(WindowSize.DAY.stateCode()).isEqualTo(2);
    for (WindowSize size : WindowSize.values()) {
      assertThat(WindowSize.ofStateCode(size.stateCode())).isEqualTo(size);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WindowSize.ofStateCode(3))
        .hasMessageContaining("state code 3");
  }

  @Test
  void shouldCallExactlyTheLabsOwnThreeRoutesDirect() {
    assertThat(Routes.DIRECT)
        .containsExactlyInAnyOrder(Route.DIRECT_API, Route.CONSUMER_APP, Route.ENTERPRISE_PLATFORM);
    assertThat(Routes.isDirect("CLOUD_PARTNER")).isFalse();
    assertThat(Routes.isDirect("MARKETPLACE")).isFalse();
    assertThat(Routes.isDirect("no such route")).isFalse();
    assertThat(Routes.isDirect(Route.ENTERPRISE_PLATFORM)).isTrue();
  }
}
