package dev.routemetrics.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * What the provisioner declares: one copy on one broker, three with min.insync.replicas 2 on a
 * cluster.
 */
class TopicProvisionerTest {

  @Test
  void shouldDeclareOneCopyWithoutAnIsrSettingByDefault() {
    for (NewTopic topic : new TopicProvisioner("x:1", 6).declared(Topics.of("", ""))) {
      assertThat(topic.replicationFactor()).as(topic.name()).isEqualTo((short) 1);
      assertThat(topic.configs()).as(topic.name()).doesNotContainKey("min.insync.replicas");
    }
  }

  @Test
  void shouldDeclareThreeCopiesTwoInSyncOnACluster() {
    var declared = new TopicProvisioner("x:1", 6, 3).declared(Topics.of("", ""));
    assertThat(declared)
        .extracting(NewTopic::name)
        .containsExactly(
            "usage-events",
            "billing-events",
            "feedback-events",
            "channel-registry-changes",
            "quarantined-events",
            "dead-letters",
            "channel-metrics",
            "channel-revenue");
    for (NewTopic topic : declared) {
      assertThat(topic.replicationFactor()).as(topic.name()).isEqualTo((short) 3);
      assertThat(topic.configs()).as(topic.name()).containsEntry("min.insync.replicas", "2");
      assertThat(topic.numPartitions())
          .as(topic.name())
          .isEqualTo(topic.name().equals("channel-registry-changes") ? 1 : 6);
    }
    assertThatThrownBy(() -> new TopicProvisioner("x:1", 6, 0))
        .hasMessageContaining("replication factor");
  }
}
