package dev.routemetrics.schemas.config;

import dev.routemetrics.schemas.topics.TopicProvisioner;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The Kafka settings every service shares, declared once with their defaults: where the brokers
 * are, the topic namespace, and the partitions of topics a service creates when missing. The
 * services' own configs add them to their definitions and name them by these keys.
 */
public final class KafkaSettings {

  public static final String BOOTSTRAP = "routemetrics.kafka.bootstrap";
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
  public static final String TOPIC_NAMESPACE = "routemetrics.topic.namespace";
  public static final String PARTITIONS = "routemetrics.topic.partitions";

  private KafkaSettings() {}

  /** Adds the shared Kafka settings to {@code definition} and returns it. */
  public static ConfigDef define(ConfigDef definition) {
    return definition
        .define(
            BOOTSTRAP, Type.STRING, DEFAULT_BOOTSTRAP, Importance.HIGH, "Kafka bootstrap servers.")
        .define(
            TOPIC_NAMESPACE,
            Type.STRING,
            "",
            Importance.LOW,
            "Prefix of every topic name (tests, side-by-side rebuilds); also names the warehouse"
                + " database unless that is set.")
        .define(
            PARTITIONS,
            Type.INT,
            TopicProvisioner.DEFAULT_PARTITIONS,
            Range.atLeast(1),
            Importance.LOW,
            "Partitions of topics a service creates when missing (see"
                + " TopicProvisioner.DEFAULT_PARTITIONS); the streams app's shuffles get as many.");
  }
}
