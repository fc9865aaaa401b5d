package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.ChannelRegistryChange;
import dev.routemetrics.events.ControlOwner;
import dev.routemetrics.events.Route;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ChannelRegistryPublisherTest {

  @Test
  void shouldPublishEveryChangeKeyedByChannelAndStampedWithItsEffectiveTime() throws Exception {
    Topics topics = new Topics("test-");
    MockProducer<String, ChannelRegistryChange> producer =
        new MockProducer<>(
            true, null, new StringSerializer(), AvroSerde.of(ChannelRegistryChange.class));

    int sent =
        new ChannelRegistryPublisher(producer, topics.channelRegistryChanges)
            .publish(ChannelRegistry.builtIn());

    List<ProducerRecord<String, ChannelRegistryChange>> records = producer.history();
    assertThat(sent).isEqualTo(11);
    assertThat(records)
        .hasSize(11)
        .allSatisfy(r -> assertThat(r.topic()).isEqualTo("test-channel-registry-changes"));
    ProducerRecord<String, ChannelRegistryChange> stratus =
        records.stream()
            .filter(r -> r.value().getChangeId().equals("v2/cloud-stratus"))
            .findFirst()
            .orElseThrow();
    assertThat(stratus.key()).isEqualTo("cloud-stratus");
    assertThat(stratus.timestamp()).isEqualTo(Instant.parse("2026-11-20T12:00:00Z").toEpochMilli());
    assertThat(stratus.value().getRoute()).isEqualTo(Route.CLOUD_PARTNER);
    assertThat(stratus.value().getPartnerId()).isEqualTo("stratus-cloud");
    assertThat(stratus.value().getTakeRate()).isEqualByComparingTo("0.18");
    assertThat(stratus.value().getBillingOwner()).isEqualTo(ControlOwner.PARTNER);
    assertThat(stratus.value().getWorkflowOwner()).isEqualTo(ControlOwner.CUSTOMER);
    assertThat(stratus.value().getRetired()).isFalse();
  }
}
