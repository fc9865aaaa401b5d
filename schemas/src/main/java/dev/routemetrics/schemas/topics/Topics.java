package dev.routemetrics.schemas.topics;

/**
 * Every Kafka topic of the pipeline, in one place. A namespace prefixes them all so tests and
 * side-by-side deployments get topics of their own. The topics the metrics topology derives from
 * the events (quarantined events and the metric topics) may have a namespace of their own: a
 * rebuild reads the same event log and derives everything again into topics of a new generation.
 */
public final class Topics {

  public static final String DEFAULT_NAMESPACE = "";

  /** Usage events as accepted by the edge, keyed by event_id. */
  public final String usageEvents;

  /**
   * Billing events (charges, refunds, credits, partner statements) as accepted by the edge, keyed
   * by event_id.
   */
  public final String billingEvents;

  /** Feedback events as accepted by the edge, keyed by event_id. */
  public final String feedbackEvents;

  /**
   * Channel registry changes, keyed by channel_id. A full log, not compacted: metrics for a past
   * window need the registry as it was then, and compaction would keep only each channel's newest
   * state. The topic is tiny (one record per channel per registry version), so keeping it all costs
   * nothing.
   */
  public final String channelRegistryChanges;

  /** Events set aside (conflicting duplicates, too late), keyed by event_id. */
  public final String quarantinedEvents;

  /** What the bulk loader could not parse, with the reason, keyed by source file. */
  public final String deadLetters;

  /**
   * Reach, control and learning components per channel and window (ChannelWindowMetrics); newest
   * version wins.
   */
  public final String channelMetrics;

  /** Revenue per channel, window and currency (ChannelWindowRevenue); newest version wins. */
  public final String channelRevenue;

  public Topics(String namespace) {
    this(namespace, namespace);
  }

  /**
   * Event topics in {@code namespace}; topics the metrics topology derives in {@code
   * derivedNamespace}.
   */
  public Topics(String namespace, String derivedNamespace) {
    this.usageEvents = namespace + "usage-events";
    this.billingEvents = namespace + "billing-events";
    this.feedbackEvents = namespace + "feedback-events";
    this.channelRegistryChanges = namespace + "channel-registry-changes";
    this.quarantinedEvents = derivedNamespace + "quarantined-events";
    this.deadLetters = namespace + "dead-letters";
    this.channelMetrics = derivedNamespace + "channel-metrics";
    this.channelRevenue = derivedNamespace + "channel-revenue";
  }

  /**
   * The topics of a metrics generation: the default one ({@code generation} empty) derives into
   * {@code namespace}, generation G into {@code namespace + "gen-G."}.
   */
  public static Topics of(String namespace, String generation) {
    return new Topics(
        namespace, generation.isEmpty() ? namespace : namespace + "gen-" + generation + ".");
  }
}
