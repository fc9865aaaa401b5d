package dev.routemetrics.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The query benchmark at a small size, on the real ClickHouse: the rows it fills are those of
 * steady traffic in every window, counted here by hand, and every view it times answers.
 */
class QueriesBenchIT {

  @Test
  void shouldFillEveryWindowOfEveryChannelAndTimeEachView() throws Exception {
    int channels = ChannelRegistry.builtIn().channels().size();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    QueriesBench.Result result =
        QueriesBench.run(
            100_000, 2, 3, false, new PrintStream(progress, true, StandardCharsets.UTF_8));

    // Two days: 2,880 MINUTE, 48 HOUR and 2 DAY windows per channel, one version each.
    assertThat(result.metricRows()).isEqualTo((2_880L + 48 + 2) * channels);
    // 100,000 events over 2,880 minutes and the channels, rounded up to whole requests per minute.
    long perMinute = (100_000 + 2_880L * channels - 1) / (2_880L * channels);
    assertThat(result.events()).isEqualTo(perMinute * 2_880 * channels);
    assertThat(result.timings())
        .extracting(QueriesBench.Timing::view)
        .containsExactly("health", "reach-control", "learning", "finance", "reach-control");
    // Every view answers: 15 minutes, 24 hours or 2 days of every channel (finance per side).
    assertThat(result.timings()).allSatisfy(t -> assertThat(t.rows()).isPositive());
    assertThat(result.timings().get(1).rows()).isEqualTo(24 * channels);
    assertThat(result.timings().get(4).rows()).isEqualTo(2 * channels);
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("filled " + result.database());
  }
}
