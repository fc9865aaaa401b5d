package dev.routemetrics.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.simulator.load.SteadyLoad.Sent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FreshnessProbeTest {

  private static Sent tick(long atMillis, long sentSoFar) {
    return new Sent(Instant.ofEpochMilli(atMillis), sentSoFar);
  }

  @Test
  @DisplayName("a tick is queryable at the first poll that holds every event sent by its end")
  void shouldTakeTheFirstPollHoldingEveryEventOfTheTick() {
    List<Sent> ticks = List.of(tick(1_000, 500), tick(1_100, 1_000), tick(1_200, 1_500));
    List<FreshnessProbe.Poll> polls =
        List.of(
            new FreshnessProbe.Poll(1_050, 0),
            new FreshnessProbe.Poll(
                1_900, 700), // the first tick's 500 are in, the second's not all
            new FreshnessProbe.Poll(2_400, 1_499), // one event of the third tick still missing
            new FreshnessProbe.Poll(2_600, 1_500));

    List<FreshnessProbe.Latency> latencies = FreshnessProbe.latencies(ticks, polls);

    assertThat(latencies)
        .extracting(FreshnessProbe.Latency::millis)
        .containsExactly(1_900L - 1_000, 2_400L - 1_100, 2_600L - 1_200);
    assertThat(FreshnessProbe.quantile(latencies, 0.50))
        .isEqualTo(1_300); // sorted 900, 1300, 1400: rank ceil(1.5) = 2
    assertThat(FreshnessProbe.quantile(latencies, 0.99)).isEqualTo(1_400);
  }

  @Test
  @DisplayName(
      "a poll taken before a tick was sent does not count for it, and a tick never seen whole is"
          + " left out")
  void shouldIgnoreEarlierPollsAndUnseenTicks() {
    List<Sent> ticks = List.of(tick(1_000, 0), tick(1_100, 100), tick(1_200, 200));
    List<FreshnessProbe.Poll> polls =
        List.of(new FreshnessProbe.Poll(900, 0), new FreshnessProbe.Poll(1_500, 150));

    assertThat(FreshnessProbe.latencies(ticks, polls))
        .extracting(FreshnessProbe.Latency::millis)
        .containsExactly(1_500L - 1_000, 1_500L - 1_100);
  }
}
