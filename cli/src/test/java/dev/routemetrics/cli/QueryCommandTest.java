package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryCommandTest {

  @Test
  void shouldSayWhichRangeHadNoRowsAndHowToWidenIt() {
    assertThat(
            QueryCommand.nothingFound(
                "learning",
                WindowSize.HOUR,
                Instant.parse("2026-12-01T10:00:00Z"),
                Instant.parse("2026-12-02T10:00:00Z"),
                List.of("cloud-nimbus", "consumer-app")))
        .isEqualTo(
            "no learning rows for HOUR windows from 2026-12-01T10:00:00Z until 2026-12-02T10:00:00Z"
                + " on cloud-nimbus,consumer-app; without --from the range is the last 15 minutes,"
                + " 24 hours or 31 days before --until (MINUTE, HOUR, DAY): set --from and --until"
                + " to the data's days");
    assertThat(
            QueryCommand.nothingFound(
                "finance",
                WindowSize.DAY,
                Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z"),
                List.of()))
        .startsWith(
            "no finance rows for DAY windows from 2026-11-01T00:00:00Z until"
                + " 2026-12-01T00:00:00Z;");
  }
}
