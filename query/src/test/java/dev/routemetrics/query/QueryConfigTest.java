package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The query process's settings live in QueryConfig and nowhere else: each keeps the name and
 * default it had in the sink's WarehouseConfig (deploy/env.sh, deploy/k8s and users' deployments
 * name them), a --set/system property overrides it, and the sink's config no longer knows it.
 * Expected values are written out by hand, not read from the definitions under test.
 */
class QueryConfigTest {

  /** Setting, its default as documented, and an override with the value it reads back as. */
  static Stream<Arguments> querySettings() {
    return Stream.of(
        Arguments.of("routemetrics.query.host", "127.0.0.1", "0.0.0.0", "0.0.0.0"),
        Arguments.of("routemetrics.query.port", 8090, "18090", 18090),
        Arguments.of(
            "routemetrics.query.api.keys.file",
            ".state/api-keys.json",
            "/etc/routemetrics/keys/api-keys.json",
            "/etc/routemetrics/keys/api-keys.json"),
        Arguments.of("routemetrics.alerts.enabled", true, "false", false),
        Arguments.of("routemetrics.alerts.rules.file", "", "/tmp/rules.json", "/tmp/rules.json"),
        Arguments.of("routemetrics.registry", "", "/tmp/registry.json", "/tmp/registry.json"));
  }

  /** The connection both processes share, declared once in sink.clickhouse. */
  static Stream<Arguments> sharedSettings() {
    return Stream.of(
        Arguments.of(
            "routemetrics.clickhouse.url",
            "jdbc:clickhouse://127.0.0.1:8123/default?compress=0",
            "jdbc:clickhouse://ch:8123/default?compress=0",
            "jdbc:clickhouse://ch:8123/default?compress=0"),
        Arguments.of("routemetrics.clickhouse.user", "default", "reader", "reader"),
        Arguments.of(
            "routemetrics.clickhouse.password", new Password(""), "s3cret", new Password("s3cret")),
        Arguments.of("routemetrics.clickhouse.database", "routemetrics", "mine", "mine"),
        Arguments.of("routemetrics.clickhouse.cluster", "", "routemetrics", "routemetrics"),
        Arguments.of("routemetrics.kafka.bootstrap", "127.0.0.1:9092", "kafka:9092", "kafka:9092"),
        Arguments.of("routemetrics.topic.namespace", "", "blue-", "blue-"),
        Arguments.of("routemetrics.topic.partitions", 6, "3", 3));
  }

  static Stream<Arguments> everySetting() {
    return Stream.concat(querySettings(), sharedSettings());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everySetting")
  @DisplayName("each setting of the query process has its documented default and reads an override")
  void shouldDeclareEachSettingWithItsDefaultAndReadItsOverride(
      String key, Object byDefault, String override, Object overridden) {
    assertThat(QueryConfig.DEFINITION.defaultValues()).containsEntry(key, byDefault);
    assertThat(new QueryConfig(Map.of(key, override)).values().get(key)).isEqualTo(overridden);
    // A JVM property (above the environment, which deploy/env.sh may have set) reads the same.
    String before = System.getProperty(key);
    System.setProperty(key, override);
    try {
      assertThat(new QueryConfig(Map.of()).values().get(key)).isEqualTo(overridden);
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedSettings")
  @DisplayName("the sink reads the shared connection settings with the same defaults")
  void shouldShareTheConnectionWithTheSink(String key, Object byDefault) {
    assertThat(WarehouseConfig.DEFINITION.defaultValues()).containsEntry(key, byDefault);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("querySettings")
  @DisplayName("the sink's config no longer declares the query process's settings")
  void shouldKeepTheQuerySettingsOutOfTheSinksConfig(String key, Object byDefault, String value) {
    assertThat(WarehouseConfig.DEFINITION.names()).doesNotContain(key);
    assertThatThrownBy(() -> new WarehouseConfig(Map.of(key, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting '" + key + "'");
  }

  @Test
  @DisplayName("the query process declares the shared settings and its own, and none of the sink's")
  void shouldDeclareExactlyTheQueryProcesssSettings() {
    assertThat(QueryConfig.DEFINITION.names())
        .containsExactlyInAnyOrderElementsOf(
            everySetting().map(setting -> (String) setting.get()[0]).toList());
    assertThatThrownBy(() -> new QueryConfig(Map.of("routemetrics.sink.batch.rows", "10")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting 'routemetrics.sink.batch.rows'");
  }

  @Test
  @DisplayName("the query reads the database the sink writes: it follows the namespace unless set")
  void shouldNameTheSameDatabaseAsTheSink() {
    Map<String, String> namespaced = new HashMap<>(Map.of("routemetrics.topic.namespace", "blue-"));
    assertThat(new QueryConfig(namespaced).database()).isEqualTo("routemetrics_blue");
    assertThat(new WarehouseConfig(namespaced).database()).isEqualTo("routemetrics_blue");
    namespaced.put("routemetrics.clickhouse.database", "mine");
    assertThat(new QueryConfig(namespaced).database()).isEqualTo("mine");
  }
}
