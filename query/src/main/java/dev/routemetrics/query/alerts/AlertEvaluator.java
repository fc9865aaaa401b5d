package dev.routemetrics.query.alerts;

import dev.routemetrics.query.QueryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rules, remembers which alerts are firing, and turns each change into one transition:
 * FIRING when a rule's condition starts to hold for a subject, RESOLVED when it stops. Each
 * evaluation goes in this order:
 *
 * <ol>
 *   <li>run every rule; a rule that fails keeps its alerts as they were (a warehouse outage must
 *       not resolve everything and fire it all again when it comes back);
 *   <li>diff the findings against the firing set: new keys fire, missing keys resolve, still firing
 *       ones get the latest value and detail but keep their {@code since};
 *   <li>publish each transition to every publisher; a publisher that fails is logged and skipped,
 *       the state change stands (publishing is at most once: no outbox yet).
 * </ol>
 *
 * State is in memory: after a restart, alerts still holding fire again.
 */
public final class AlertEvaluator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

  /** A publisher of transitions (Kafka, a webhook). */
  public interface Publisher {
    void publish(Alert alert) throws Exception;
  }

  /** What {@code GET /api/alerts} shows. */
  public record Snapshot(
      Instant evaluatedAt,
      List<Alert> active,
      List<Alert> recent,
      Map<String, String> failingRules) {}

  private final List<Rule> rules;
  private final AlertInputs inputs;
  private final List<Publisher> publishers;
  private final int keepRecent;
  private final Clock clock;
  private final Map<String, Alert> firing = new TreeMap<>();
  private final Deque<Alert> recent = new ArrayDeque<>();
  private final Map<String, String> failingRules = new TreeMap<>();
  private Instant evaluatedAt;
  private ScheduledExecutorService scheduler;

  public AlertEvaluator(
      List<Rule> rules,
      AlertInputs inputs,
      List<Publisher> publishers,
      int keepRecent,
      Clock clock) {
    this.rules = List.copyOf(rules);
    this.inputs = inputs;
    this.publishers = List.copyOf(publishers);
    this.keepRecent = keepRecent;
    this.clock = clock;
  }

  /**
   * The evaluator the query service runs: the rules' inputs from ClickHouse, transitions to the
   * rules' topic (after the topic namespace) and, when set, to the webhook. Not started.
   */
  public static AlertEvaluator forWarehouse(
      QueryConfig config,
      AlertRules rules,
      dev.routemetrics.query.MetricsReader reader,
      Clock clock) {
    List<Publisher> publishers = new ArrayList<>();
    publishers.add(
        new KafkaPublisher(
            config.getString(QueryConfig.KAFKA_BOOTSTRAP),
            config.getString(QueryConfig.TOPIC_NAMESPACE) + rules.topic(),
            config.getInt(QueryConfig.PARTITIONS)));
    if (!rules.webhookUrl().isEmpty()) {
      publishers.add(new WebhookPublisher(java.net.URI.create(rules.webhookUrl())));
    }
    return new AlertEvaluator(
        rules.rules(), new WarehouseInputs(reader), publishers, rules.keepRecent(), clock);
  }

  /** One evaluation; returns the transitions it caused, in key order. */
  public synchronized List<Alert> evaluate() {
    // Alerts are about windows and events stored to the second: their times are too (no nanoseconds
    // in JSON or text).
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<Alert> transitions = new ArrayList<>();
    for (Rule rule : rules) {
      Map<String, Finding> found = new LinkedHashMap<>();
      try {
        for (Finding f : rule.evaluate(inputs, now)) {
          found.put(rule.name() + "|" + f.subject(), f);
        }
        failingRules.remove(rule.name());
      } catch (Exception e) {
        log.warn(
            "alert rule {} could not be evaluated, its alerts stay as they were: {}",
            rule.name(),
            e.toString());
        failingRules.put(rule.name(), e.toString());
        continue;
      }
      found.forEach(
          (key, f) -> {
            Alert before = firing.get(key);
            Alert now0 =
                new Alert(
                    rule.name(),
                    f.subject(),
                    Alert.State.FIRING,
                    before == null ? now : before.since(),
                    before == null ? now : before.at(),
                    f.value(),
                    rule.threshold(),
                    rule.unit(),
                    f.detail());
            firing.put(key, now0);
            if (before == null) {
              transitions.add(now0);
            }
          });
      for (String key : List.copyOf(firing.keySet())) {
        if (key.startsWith(rule.name() + "|") && !found.containsKey(key)) {
          Alert before = firing.remove(key);
          transitions.add(
              new Alert(
                  before.rule(),
                  before.subject(),
                  Alert.State.RESOLVED,
                  before.since(),
                  now,
                  before.value(),
                  before.threshold(),
                  before.unit(),
                  "resolved; was: " + before.detail()));
        }
      }
    }
    evaluatedAt = now;
    for (Alert alert : transitions) {
      recent.addFirst(alert);
      while (recent.size() > keepRecent) {
        recent.removeLast();
      }
      log.info("alert {} {}: {}", alert.state(), alert.key(), alert.detail());
      for (Publisher publisher : publishers) {
        try {
          publisher.publish(alert);
        } catch (Exception e) {
          log.warn(
              "could not publish alert {} {} with {}: {}",
              alert.state(),
              alert.key(),
              publisher.getClass().getSimpleName(),
              e.toString());
        }
      }
    }
    return transitions;
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(
        evaluatedAt, List.copyOf(firing.values()), List.copyOf(recent), Map.copyOf(failingRules));
  }

  /** Evaluates now and then every {@code every}, on one daemon thread. */
  // The task catches and logs its own failures; close() shuts the scheduler down.
  @SuppressWarnings("FutureReturnValueIgnored")
  public synchronized AlertEvaluator start(Duration every) {
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "alert-evaluator");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            evaluate();
          } catch (RuntimeException e) {
            log.error("alert evaluation failed", e);
          }
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
    }
    if (s != null) {
      s.shutdownNow();
      try {
        s.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread()
            .interrupt(); // stays set for the caller; the publishers are closed all the same
      }
    }
    for (Publisher publisher : publishers) {
      if (publisher instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          log.warn("closing alert publisher {} failed", publisher.getClass().getSimpleName(), e);
        }
      }
    }
  }
}
