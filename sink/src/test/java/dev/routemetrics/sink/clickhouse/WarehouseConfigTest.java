package dev.routemetrics.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WarehouseConfigTest {

  /** The sink's own settings: name, default as documented, an override and what it reads back. */
  static Stream<Arguments> sinkSettings() {
    return Stream.of(
        Arguments.of("routemetrics.sink.group.id", "routemetrics-sink", "blue-sink", "blue-sink"),
        Arguments.of("routemetrics.generation", "", "r2", "r2"),
        Arguments.of("routemetrics.sink.batch.rows", 100_000, "5000", 5000),
        Arguments.of("routemetrics.sink.flush.interval.ms", 500, "1000", 1000),
        Arguments.of("routemetrics.sink.max.backoff.ms", 30_000, "1000", 1000),
        Arguments.of("routemetrics.sink.stall.after.ms", 60_000, "5000", 5000));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sinkSettings")
  @DisplayName("each of the sink's settings has its documented default and reads an override")
  void shouldDeclareEachSinkSettingWithItsDefault(
      String key, Object byDefault, String override, Object overridden) {
    assertThat(WarehouseConfig.DEFINITION.defaultValues()).containsEntry(key, byDefault);
    assertThat(new WarehouseConfig(Map.of(key, override)).values().get(key)).isEqualTo(overridden);
  }

  @Test
  @DisplayName("the sink's config holds the shared connection and the sink's settings, no more")
  void shouldDeclareOnlyTheConnectionAndTheSinksSettings() {
    List<String> connection =
        List.of(
            "routemetrics.clickhouse.url",
            "routemetrics.clickhouse.user",
            "routemetrics.clickhouse.password",
            "routemetrics.clickhouse.database",
            "routemetrics.clickhouse.cluster",
            "routemetrics.kafka.bootstrap",
            "routemetrics.topic.namespace",
            "routemetrics.topic.partitions");
    assertThat(ConnectionConfig.definition().names())
        .containsExactlyInAnyOrderElementsOf(connection);
    List<String> sinks = new ArrayList<>(connection);
    sinkSettings().forEach(setting -> sinks.add((String) setting.get()[0]));
    assertThat(WarehouseConfig.DEFINITION.names()).containsExactlyInAnyOrderElementsOf(sinks);
  }

  @Test
  @DisplayName("the ClickHouse database follows the topic namespace unless it is set")
  void shouldNameTheDatabaseAfterTheNamespaceUnlessSet() {
    assertThat(new WarehouseConfig(Map.of()).database()).isEqualTo("routemetrics");
    assertThat(new WarehouseConfig(Map.of(WarehouseConfig.TOPIC_NAMESPACE, "blue-")).database())
        .isEqualTo("routemetrics_blue");
    assertThat(new WarehouseConfig(Map.of(WarehouseConfig.TOPIC_NAMESPACE, "it-run.7.")).database())
        .isEqualTo("routemetrics_it_run_7");
    assertThat(
            new WarehouseConfig(
                    Map.of(
                        WarehouseConfig.TOPIC_NAMESPACE, "blue-", WarehouseConfig.DATABASE, "mine"))
                .database())
        .as("set explicitly")
        .isEqualTo("mine");
    assertThat(
            new WarehouseConfig(
                    Map.of(
                        WarehouseConfig.TOPIC_NAMESPACE,
                        "blue-",
                        WarehouseConfig.DATABASE,
                        "routemetrics"))
                .database())
        .as("set explicitly to the default")
        .isEqualTo("routemetrics");
  }
}
