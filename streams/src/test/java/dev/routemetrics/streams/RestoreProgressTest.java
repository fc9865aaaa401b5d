package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What a restart reads back from the changelogs is counted, batch by batch, over its restores. */
class RestoreProgressTest {

  @Test
  void shouldCountEveryRestoredRecordAcrossStoresAndRestarts() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RestoreProgress progress = new RestoreProgress(meters);
    TopicPartition tallies = new TopicPartition("app-tallies-changelog", 0);
    TopicPartition seen = new TopicPartition("app-seen-changelog", 3);

    progress.onRestoreStart(tallies, "tallies", 100, 400);
    progress.onRestoreStart(seen, "seen", 0, 50);
    progress.onBatchRestored(tallies, "tallies", 299, 200);
    progress.onBatchRestored(seen, "seen", 49, 50);
    progress.onRestoreEnd(seen, "seen", 50);
    progress.onBatchRestored(tallies, "tallies", 399, 100);
    progress.onRestoreEnd(tallies, "tallies", 300);
    // a later rebalance moves a task away mid-restore: what it read still counts
    progress.onRestoreStart(seen, "seen", 50, 90);
    progress.onBatchRestored(seen, "seen", 69, 20);
    progress.onRestoreSuspended(seen, "seen", 20);

    assertThat(meters.get("routemetrics.streams.restored.records").counter().count())
        .isEqualTo(200 + 50 + 100 + 20);
  }
}
