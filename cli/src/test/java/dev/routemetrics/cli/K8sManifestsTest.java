package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.streams.StreamsAppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in deploy/k8s parses, and says what the code says: each ROUTEMETRICS_* variable is
 * a setting of the config class of the service it is given to (ConfigSources' naming); the
 * KafkaTopics are the topics TopicProvisioner declares (names, partitions, configs) with 3
 * replicas; ports, probes and the cluster name agree with the settings and with each other.
 */
class K8sManifestsTest {

  private static final Path K8S = Path.of("").toAbsolutePath().getParent().resolve("deploy/k8s");
  private static final List<JsonNode> DOCS = new ArrayList<>();

  @BeforeAll
  static void readManifests() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
          ObjectReader reader = yaml.readerFor(JsonNode.class);
          com.fasterxml.jackson.databind.MappingIterator<JsonNode> docs = reader.readValues(parser);
          docs.forEachRemaining(
              doc -> {
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                  DOCS.add(doc);
                }
              });
        }
      }
    }
    assertThat(DOCS).as("documents in " + K8S).hasSizeGreaterThan(10);
  }

  private static List<JsonNode> kind(String kind) {
    return DOCS.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode named(String kind, String name) {
    return kind(kind).stream()
        .filter(d -> d.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/k8s"));
  }

  private static Set<String> variables(ConfigDef definition) {
    Set<String> names = new HashSet<>();
    for (String key : definition.names()) {
      names.add(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return names;
  }

  private static final Map<String, ConfigDef> CONFIG_OF =
      Map.of(
          "ingest",
          IngestConfig.DEFINITION,
          "streams",
          StreamsAppConfig.DEFINITION,
          "sink",
          WarehouseConfig.DEFINITION,
          "query-server",
          QueryConfig.DEFINITION,
          "migrate",
          WarehouseConfig.DEFINITION);

  private static JsonNode container(JsonNode workload) {
    JsonNode containers = workload.path("spec").path("template").path("spec").path("containers");
    assertThat(containers.size()).as(workload.path("metadata").path("name").asText()).isEqualTo(1);
    return containers.get(0);
  }

  private static List<JsonNode> workloads() {
    List<JsonNode> all = new ArrayList<>(kind("Deployment"));
    all.addAll(kind("StatefulSet"));
    all.addAll(kind("Job"));
    return all;
  }

  @Test
  void shouldNameOnlySettingsTheServiceDeclares() {
    JsonNode configMap = named("ConfigMap", "routemetrics");
    Set<String> anyService = new HashSet<>();
    CONFIG_OF.values().forEach(d -> anyService.addAll(variables(d)));
    configMap
        .path("data")
        .fieldNames()
        .forEachRemaining(
            name ->
                assertThat(anyService)
                    .as("ConfigMap variable " + name + " is a setting of some service")
                    .contains(name));

    assertThat(workloads())
        .extracting(w -> w.path("metadata").path("name").asText())
        .containsExactlyInAnyOrder("ingest", "sink", "query-server", "streams", "migrate");
    for (JsonNode workload : workloads()) {
      String name = workload.path("metadata").path("name").asText();
      JsonNode container = container(workload);
      assertThat(container.path("args").get(0).asText()).as(name + "'s command").isEqualTo(name);
      Set<String> declared = variables(CONFIG_OF.get(name));
      for (JsonNode env : container.path("env")) {
        String variable = env.path("name").asText();
        if (variable.startsWith("ROUTEMETRICS_")) {
          assertThat(declared)
              .as(variable + " given to " + name + " is one of its settings")
              .contains(variable);
        }
      }
      assertThat(container.path("envFrom").toString()).as(name).contains("routemetrics");
    }
  }

  @Test
  void shouldDeclareTheTopicsTheCodeDeclares() {
    int partitions =
        Integer.parseInt(
            named("ConfigMap", "routemetrics")
                .path("data")
                .path("ROUTEMETRICS_TOPIC_PARTITIONS")
                .asText());
    assertThat(partitions).isEqualTo(TopicProvisioner.DEFAULT_PARTITIONS);
    List<NewTopic> declared =
        new TopicProvisioner("unused:9092", partitions, 3).declared(Topics.of("", ""));
    Map<String, JsonNode> manifests = new HashMap<>();
    for (JsonNode topic : kind("KafkaTopic")) {
      manifests.put(topic.path("spec").path("topicName").asText(), topic);
      assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText())
          .isEqualTo("routemetrics");
    }
    assertThat(manifests.keySet())
        .containsExactlyInAnyOrderElementsOf(declared.stream().map(NewTopic::name).toList());
    for (NewTopic topic : declared) {
      JsonNode spec = manifests.get(topic.name()).path("spec");
      assertThat(spec.path("partitions").asInt()).as(topic.name()).isEqualTo(topic.numPartitions());
      assertThat(spec.path("replicas").asInt())
          .as(topic.name())
          .isEqualTo(topic.replicationFactor());
      Map<String, String> configs = new HashMap<>();
      spec.path("config").properties().forEach(e -> configs.put(e.getKey(), e.getValue().asText()));
      assertThat(configs).as(topic.name()).isEqualTo(topic.configs());
    }
    JsonNode kafka = named("Kafka", "routemetrics");
    assertThat(kafka.path("metadata").path("annotations").path("strimzi.io/kraft").asText())
        .isEqualTo("enabled");
    assertThat(
            kafka
                .path("spec")
                .path("kafka")
                .path("config")
                .path("auto.create.topics.enable")
                .asBoolean(true))
        .isFalse();
    assertThat(kafka.path("spec").path("kafka").path("config").path("min.insync.replicas").asInt())
        .isEqualTo(2);
    JsonNode pool = kind("KafkaNodePool").get(0);
    assertThat(pool.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(pool.path("spec").path("roles").toString()).contains("controller", "broker");
    // The services reach the bootstrap Service Strimzi makes for this Kafka and listener.
    int listener = kafka.path("spec").path("kafka").path("listeners").get(0).path("port").asInt();
    assertThat(
            named("ConfigMap", "routemetrics")
                .path("data")
                .path("ROUTEMETRICS_KAFKA_BOOTSTRAP")
                .asText())
        .isEqualTo("routemetrics-kafka-bootstrap:" + listener);
  }

  @Test
  void shouldProbeEachServiceOnItsPort() {
    Map<String, Integer> ports =
        Map.of(
            "ingest",
            (Integer) IngestConfig.DEFINITION.defaultValues().get(IngestConfig.PORT),
            "streams",
            (Integer) StreamsAppConfig.DEFINITION.defaultValues().get(StreamsAppConfig.PORT),
            "sink",
            8091,
            "query-server",
            (Integer) QueryConfig.DEFINITION.defaultValues().get(QueryConfig.PORT));
    for (JsonNode workload : workloads()) {
      String name = workload.path("metadata").path("name").asText();
      if (name.equals("migrate")) {
        continue;
      }
      JsonNode container = container(workload);
      int port = container.path("ports").get(0).path("containerPort").asInt();
      assertThat(port).as(name + "'s port").isEqualTo(ports.get(name));
      // The port the process listens on: its setting's variable, or its --port flag.
      String setting =
          "ROUTEMETRICS_"
              + (name.equals("query-server") ? "QUERY" : name.toUpperCase(Locale.ROOT))
              + "_PORT";
      String fromEnv = null;
      for (JsonNode env : container.path("env")) {
        if (env.path("name").asText().equals(setting)) {
          fromEnv = env.path("value").asText();
        }
      }
      List<String> args = new ArrayList<>();
      container.path("args").forEach(a -> args.add(a.asText()));
      String listened = args.contains("--port") ? args.get(args.indexOf("--port") + 1) : fromEnv;
      assertThat(listened)
          .as(name + " listens on its container port")
          .isEqualTo(Integer.toString(port));
      for (String probe : List.of("readinessProbe", "livenessProbe")) {
        JsonNode p = container.path(probe);
        String target =
            p.has("httpGet")
                ? p.path("httpGet").path("path").asText()
                    + ":"
                    + p.path("httpGet").path("port").asInt()
                : String.join(" ", p.path("exec").findValuesAsText("command"));
        if (p.has("exec")) {
          List<String> command = new ArrayList<>();
          p.path("exec").path("command").forEach(c -> command.add(c.asText()));
          target = String.join(" ", command);
          assertThat(target)
              .as(name + " " + probe)
              .contains("http://127.0.0.1:" + port + "/health");
        } else {
          assertThat(target).as(name + " " + probe).isEqualTo("/health:" + port);
        }
      }
      JsonNode requests = container.path("resources").path("requests");
      assertThat(requests.has("cpu") && requests.has("memory"))
          .as(name + " has resource requests")
          .isTrue();
    }
    for (JsonNode service : kind("Service")) {
      String name = service.path("metadata").path("name").asText();
      assertThat(service.path("spec").path("ports").get(0).path("targetPort").asInt())
          .as("Service " + name)
          .isEqualTo(ports.get(name));
    }
    assertThat(kind("HorizontalPodAutoscaler"))
        .extracting(h -> h.path("spec").path("scaleTargetRef").path("name").asText())
        .containsExactlyInAnyOrder("ingest", "query-server");
  }

  @Test
  void shouldKeepStreamsStateAndMembershipAndTheClickHouseClusterName() {
    JsonNode streams = named("StatefulSet", "streams");
    JsonNode container = container(streams);
    String stateDir = null;
    boolean podNameIsMemberId = false;
    for (JsonNode env : container.path("env")) {
      switch (env.path("name").asText()) {
        case "ROUTEMETRICS_STREAMS_STATE_DIR" -> stateDir = env.path("value").asText();
        case "ROUTEMETRICS_STREAMS_INSTANCE_ID" ->
            podNameIsMemberId =
                env.path("valueFrom")
                    .path("fieldRef")
                    .path("fieldPath")
                    .asText()
                    .equals("metadata.name");
        default -> {}
      }
    }
    assertThat(podNameIsMemberId).as("static membership by pod name").isTrue();
    String mounted = stateDir;
    assertThat(container.path("volumeMounts"))
        .anySatisfy(m -> assertThat(m.path("mountPath").asText()).isEqualTo(mounted));
    assertThat(
            streams
                .path("spec")
                .path("volumeClaimTemplates")
                .get(0)
                .path("metadata")
                .path("name")
                .asText())
        .isEqualTo(container.path("volumeMounts").get(0).path("name").asText());
    assertThat(streams.path("spec").path("replicas").asInt())
        .isLessThanOrEqualTo(TopicProvisioner.DEFAULT_PARTITIONS);

    JsonNode chi = named("ClickHouseInstallation", "routemetrics");
    JsonNode cluster = chi.path("spec").path("configuration").path("clusters").get(0);
    assertThat(cluster.path("name").asText())
        .isEqualTo(
            named("ConfigMap", "routemetrics")
                .path("data")
                .path("ROUTEMETRICS_CLICKHOUSE_CLUSTER")
                .asText());
    assertThat(cluster.path("layout").path("shardsCount").asInt()).isEqualTo(2);
    assertThat(cluster.path("layout").path("replicasCount").asInt()).isEqualTo(2);
    assertThat(
            chi.path("spec")
                .path("configuration")
                .path("profiles")
                .path("default/insert_distributed_sync")
                .asInt())
        .isEqualTo(1);
    assertThat(kind("ClickHouseKeeperInstallation")).hasSize(1);
    assertThat(
            named("ConfigMap", "routemetrics")
                .path("data")
                .path("ROUTEMETRICS_CLICKHOUSE_URL")
                .asText())
        .startsWith(
            "jdbc:clickhouse://clickhouse-"
                + chi.path("metadata").path("name").asText()
                + ":8123/");
  }
}
