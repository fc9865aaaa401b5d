package dev.routemetrics.streams;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * In the task that deduplicated and gated them, folds usage and feedback into partial tallies of
 * their channel's MINUTE window (reach from usage; feedback received by its own event_time), merged
 * into the HOUR and DAY partials when they ship, and collects for the coverage join a {@link
 * JoinEntry} per usage event and per feedback that names a request, in one {@link JoinBatch} per
 * partition of the join. Every emit interval the partials go out, keyed {@code
 * channel|SIZE|windowStart} and stamped with the window start, and the batches, keyed by their
 * partition; then the task asks for a commit: what was just shipped leaves nothing in the
 * changelog. A batch that fills up goes at once.
 */
final class FoldBeforeShuffle extends ContextualProcessor<String, Contribution, String, Shuffled> {

  private static final WindowSize[] COARSER = {WindowSize.HOUR, WindowSize.DAY};

  private final Duration emitInterval;
  private final int shufflePartitions;
  private PartialTallies<ChannelWindowTally> partials;
  private PartialTallies<JoinBatch> joinBatches;

  FoldBeforeShuffle(Duration emitInterval, int shufflePartitions) {
    this.emitInterval = emitInterval;
    this.shufflePartitions = shufflePartitions;
  }

  @Override
  public void init(ProcessorContext<String, Shuffled> context) {
    super.init(context);
    partials =
        new PartialTallies<>(context.getStateStore(ChannelMetricsTopology.USAGE_PARTIALS_STORE));
    joinBatches =
        new PartialTallies<>(context.getStateStore(ChannelMetricsTopology.JOIN_BATCHES_STORE));
    context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> ship());
  }

  @Override
  public void process(Record<String, Contribution> record) {
    if (record.value() instanceof Contribution.Usage u) {
      UsageEvent e = u.event();
      long time = e.getEventTime().toEpochMilli();
      fold(e.getChannelId(), time, tally -> tally.add(e));
      join(e.getRequestId(), new JoinEntry.Request(e.getChannelId(), time, e.getRequestCount()));
    } else if (record.value() instanceof Contribution.Feedback f) {
      FeedbackEvent e = f.event();
      long time = e.getEventTime().toEpochMilli();
      fold(e.getChannelId(), time, tally -> tally.addReceived(e));
      if (e.getRequestId() != null) {
        join(e.getRequestId(), new JoinEntry.Feedback(time, e.getTrainable()));
      }
    }
  }

  /** Into the event's MINUTE partial only: its HOUR and DAY partials are merged at the ship. */
  private void fold(
      String channelId, long time, java.util.function.Consumer<ChannelWindowTally> update) {
    long start = WindowSize.MINUTE.startOf(time);
    partials.fold(
        FoldChannelWindows.key(channelId, WindowSize.MINUTE, start),
        () -> new ChannelWindowTally(channelId, WindowSize.MINUTE, start),
        update);
  }

  private void join(String requestId, JoinEntry entry) {
    int partition = JoinBatch.partitionOf(requestId, shufflePartitions);
    String key = JoinBatch.key(partition);
    JoinBatch batch =
        joinBatches.fold(key, () -> new JoinBatch(partition), b -> b.add(requestId, entry));
    if (batch.size() >= JoinBatch.MAX_ENTRIES) {
      joinBatches.take(key);
      shipBatch(key, batch);
    }
  }

  private void forwardPartial(String key, ChannelWindowTally tally) {
    context().forward(new Record<>(key, (Shuffled) new Shuffled.Partial(tally), tally.windowStart));
  }

  private void shipBatch(String key, JoinBatch batch) {
    context().forward(new Record<>(key, (Shuffled) new Shuffled.Join(batch), batch.maxTime()));
  }

  /**
   * Ships the MINUTE partials and, merged from them, the HOUR and DAY partials: the same sums, sets
   * and histograms the events would have given folded into each window one by one (merging is
   * exact), for one merge per minute partial instead of two more folds per event.
   */
  private void ship() {
    Map<String, ChannelWindowTally> coarser = new LinkedHashMap<>();
    int shipped =
        partials.drain(
            (key, minute) -> {
              forwardPartial(key, minute);
              for (WindowSize size : COARSER) {
                long start = size.startOf(minute.windowStart);
                coarser
                    .computeIfAbsent(
                        FoldChannelWindows.key(minute.channelId, size, start),
                        k -> new ChannelWindowTally(minute.channelId, size, start))
                    .merge(minute);
              }
            });
    coarser.forEach(this::forwardPartial);
    shipped += joinBatches.drain(this::shipBatch);
    if (shipped > 0) {
      context().commit();
    }
  }
}
