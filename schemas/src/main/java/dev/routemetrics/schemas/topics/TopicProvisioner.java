package dev.routemetrics.schemas.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics when missing. Event topics keep everything (retention -1): they are
 * the log every metric is rebuilt from; so do registry changes, whose history past windows need.
 * Metric topics are compacted: only the newest version of each window matters.
 */
public final class TopicProvisioner {

  /**
   * Six partitions per topic unless configured otherwise. A partition is the unit of parallelism:
   * the metrics topology runs one task per input partition and sub-topology, so six partitions let
   * up to six stream threads or instances share the work (two instances on this two-core machine,
   * more on a bigger one). With partial tallies folded before the shuffle, extra tasks cost a few
   * partial records per emit, not per event. Choose the count before the first event: events are
   * keyed by event_id, and adding partitions later would send a retried id to another partition
   * than its first copy, past deduplication (docs/scaling.md says how to pick it).
   */
  public static final int DEFAULT_PARTITIONS = 6;

  /**
   * Replication factor unless configured otherwise (routemetrics.kafka.replication.factor): one
   * broker.
   */
  public static final short DEFAULT_REPLICATION_FACTOR = 1;

  private final String bootstrap;
  private final int partitions;
  private final short replicationFactor;

  public TopicProvisioner(String bootstrap, int partitions) {
    this(bootstrap, partitions, DEFAULT_REPLICATION_FACTOR);
  }

  /**
   * With {@code replicationFactor} copies of every partition; above 1, topics also get
   * min.insync.replicas one below it (2 of 3), so an acks=all write survives losing a broker and
   * one broker may be down without refusing writes.
   */
  public TopicProvisioner(String bootstrap, int partitions, int replicationFactor) {
    if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          "replication factor must be at least 1, not " + replicationFactor);
    }
    this.bootstrap = bootstrap;
    this.partitions = partitions;
    this.replicationFactor = (short) replicationFactor;
  }

  /** The topics {@link #ensure} creates, with their partition counts, replication and configs. */
  public List<NewTopic> declared(Topics topics) {
    List<NewTopic> wanted = new ArrayList<>();
    Map<String, String> eventLog =
        withIsr(
            Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
    Map<String, String> latestWins =
        withIsr(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    short rf = replicationFactor;
    wanted.add(new NewTopic(topics.usageEvents, partitions, rf).configs(eventLog));
    wanted.add(new NewTopic(topics.billingEvents, partitions, rf).configs(eventLog));
    wanted.add(new NewTopic(topics.feedbackEvents, partitions, rf).configs(eventLog));
    // One partition: consumers read the registry's history in the order it was written.
    wanted.add(new NewTopic(topics.channelRegistryChanges, 1, rf).configs(eventLog));
    wanted.add(new NewTopic(topics.quarantinedEvents, partitions, rf).configs(eventLog));
    wanted.add(new NewTopic(topics.deadLetters, partitions, rf).configs(eventLog));
    wanted.add(new NewTopic(topics.channelMetrics, partitions, rf).configs(latestWins));
    wanted.add(new NewTopic(topics.channelRevenue, partitions, rf).configs(latestWins));
    return wanted;
  }

  private Map<String, String> withIsr(Map<String, String> configs) {
    if (replicationFactor == 1) {
      return configs;
    }
    Map<String, String> all = new java.util.HashMap<>(configs);
    all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replicationFactor - 1));
    return Map.copyOf(all);
  }

  /**
   * Creates the topics before any service does, e.g. on a cluster with replication
   * (deploy/cluster.sh): {@code TopicProvisioner BOOTSTRAP PARTITIONS REPLICATION_FACTOR [NAMESPACE
   * [GENERATION]]}.
   */
  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println(
          "usage: TopicProvisioner BOOTSTRAP PARTITIONS REPLICATION_FACTOR [NAMESPACE"
              + " [GENERATION]]");
      System.exit(2);
    }
    Topics topics = Topics.of(args.length > 3 ? args[3] : "", args.length > 4 ? args[4] : "");
    new TopicProvisioner(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]))
        .ensure(topics);
  }

  public void ensure(Topics topics) {
    List<NewTopic> wanted = declared(topics);
    // 60 s: with 15 s a streams instance restarted by deploy/cluster-fault-run.sh on two cores at
    // load 45
    // exited three times in a row on "Timed out waiting for a node assignment. Call: listTopics"
    // against
    // three brokers that were serving every other client; a broker that is really down still fails
    // at start.
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                30_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000))) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create topics at Kafka "
                + bootstrap
                + " ("
                + e.getCause().getMessage()
                + "). Is the broker up? deploy/up.sh starts it.",
            e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
