package dev.routemetrics.streams;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * In the task that deduplicated and gated them, folds usage and feedback into partial tallies of
 * their channel's MINUTE, HOUR and DAY windows (reach from usage; feedback received by its own
 * event_time) and sends the coverage join only a {@link JoinEntry} per usage and per feedback that
 * names a request. Every emit interval the partials go out, keyed {@code channel|SIZE|windowStart}
 * and stamped with the window start, and the task asks for a commit: the partials just shipped then
 * leave nothing in the changelog.
 */
final class FoldBeforeShuffle extends ContextualProcessor<String, Contribution, String, Shuffled> {

  private final Duration emitInterval;
  private PartialTallies<ChannelWindowTally> partials;

  FoldBeforeShuffle(Duration emitInterval) {
    this.emitInterval = emitInterval;
  }

  @Override
  public void init(ProcessorContext<String, Shuffled> context) {
    super.init(context);
    partials =
        new PartialTallies<>(context.getStateStore(ChannelMetricsTopology.USAGE_PARTIALS_STORE));
    context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> ship());
  }

  @Override
  public void process(Record<String, Contribution> record) {
    if (record.value() instanceof Contribution.Usage u) {
      UsageEvent e = u.event();
      long time = e.getEventTime().toEpochMilli();
      fold(e.getChannelId(), time, tally -> tally.add(e));
      context()
          .forward(
              record
                  .withKey(e.getRequestId())
                  .withValue(
                      new Shuffled.Join(
                          new JoinEntry.Request(e.getChannelId(), time, e.getRequestCount()))));
    } else if (record.value() instanceof Contribution.Feedback f) {
      FeedbackEvent e = f.event();
      long time = e.getEventTime().toEpochMilli();
      fold(e.getChannelId(), time, tally -> tally.addReceived(e));
      if (e.getRequestId() != null) {
        context()
            .forward(
                record
                    .withKey(e.getRequestId())
                    .withValue(new Shuffled.Join(new JoinEntry.Feedback(time, e.getTrainable()))));
      }
    }
  }

  private void fold(
      String channelId, long time, java.util.function.Consumer<ChannelWindowTally> update) {
    for (WindowSize size : WindowSize.values()) {
      long start = size.startOf(time);
      partials.fold(
          FoldChannelWindows.key(channelId, size, start),
          () -> new ChannelWindowTally(channelId, size, start),
          update);
    }
  }

  private void ship() {
    if (partials.drain(
            (key, tally) ->
                context()
                    .forward(
                        new Record<>(
                            key, (Shuffled) new Shuffled.Partial(tally), tally.windowStart)))
        > 0) {
      context().commit();
    }
  }
}
