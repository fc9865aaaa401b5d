package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Join entries travel to the coverage join in one batch per partition and emit interval. */
class JoinBatchTest {

  @Test
  void shouldGiveARequestIdOnePartitionAndSpreadIdsOverAll() {
    int[] held = new int[6];
    for (int i = 0; i < 6_000; i++) {
      int partition = JoinBatch.partitionOf("req-" + i, 6);
      assertThat(JoinBatch.partitionOf("req-" + i, 6)).isEqualTo(partition);
      held[partition]++;
    }
    // 1,000 expected each; a binomial's standard deviation here is about 29.
    for (int n : held) {
      assertThat(n).isBetween(850, 1_150);
    }
  }

  @Test
  void shouldReadBackItsEntriesInOrder() {
    JoinBatch batch = new JoinBatch(3);
    batch.add("req-1", new JoinEntry.Request("api", 1_000L, 5));
    batch.add("req-2", new JoinEntry.Feedback(3_000L, true));
    batch.add("req-3", new JoinEntry.Request("marketplace-é", 1_500L, 1));
    batch.add("req-1", new JoinEntry.Feedback(2_000L, false));
    batch.add("req-4", new JoinEntry.Request("api", 2_500L, 2));

    JoinBatch read =
        JoinBatch.SERDE
            .deserializer()
            .deserialize("t", JoinBatch.SERDE.serializer().serialize("t", batch));

    List<String> entries = new ArrayList<>();
    read.forEach((id, entry) -> entries.add(id + " " + entry));
    assertThat(entries)
        .containsExactly(
            "req-1 Request[channelId=api, time=1000, requestCount=5]",
            "req-2 Feedback[time=3000, trainable=true]",
            "req-3 Request[channelId=marketplace-é, time=1500, requestCount=1]",
            "req-1 Feedback[time=2000, trainable=false]",
            "req-4 Request[channelId=api, time=2500, requestCount=2]");
    assertThat(read.partition).isEqualTo(3);
    assertThat(read.maxTime()).isEqualTo(3_000L);
  }

  @Test
  void shouldRefuseABatchOfAnotherFormat() {
    byte[] bytes = JoinBatch.SERDE.serializer().serialize("t", new JoinBatch(0));
    bytes[0] = 9;
    assertThatThrownBy(() -> JoinBatch.SERDE.deserializer().deserialize("t", bytes))
        .hasMessageContaining("join batch of format 9");
  }

  @Test
  void shouldGoToItsOwnPartitionAndRefuseOneTheTopicLacks() {
    assertThat(IntStream.range(0, 6).mapToObj(p -> route(new JoinBatch(p), 6)))
        .containsExactly(
            Optional.of(Set.of(0)),
            Optional.of(Set.of(1)),
            Optional.of(Set.of(2)),
            Optional.of(Set.of(3)),
            Optional.of(Set.of(4)),
            Optional.of(Set.of(5)));
    assertThatThrownBy(() -> route(new JoinBatch(6), 4))
        .hasMessageContaining("join batch for partition 6 but t has 4 partitions")
        .hasMessageContaining("deploy/rebuild.sh");
  }

  @SuppressWarnings("removal")
  private static Optional<Set<Integer>> route(JoinBatch batch, int partitions) {
    return JoinBatch.PARTITIONER.partitions("t", "k", batch, partitions);
  }
}
