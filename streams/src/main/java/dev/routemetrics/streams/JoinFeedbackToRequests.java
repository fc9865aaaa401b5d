package dev.routemetrics.streams;

import dev.routemetrics.schemas.windows.WindowSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learning by the request's window (docs/domain.md): a feedback event counts in the windows of the
 * request it names when its event_time lies in [request time, request time + horizon]; the request
 * counts as covered once, with its first such feedback. Input is {@link JoinBatch}es of the entries
 * whose request_id belongs to this task's partition, taken in order; output is partial tallies
 * (feedback_events, trainable_feedback, covered_requests) of the requests' channel windows, shipped
 * every emit interval like the usage task's.
 *
 * <p>One write per request: each request is one entry of a window store keyed by request_id at the
 * request's event_time, and feedback that comes before its request one entry of another, keyed at
 * the feedback's time. Their retention (horizon + lateness + margin for both: the early feedback
 * store is given feedback dated up to a horizon past its request) drops whole segments: nothing is
 * written just to expire an entry. The request_ids that have early feedback waiting are also kept
 * in memory, rebuilt from the store at every start and every hour of stream time, so a request
 * without early feedback (nearly all) costs one point lookup and one put.
 *
 * <p>When two distinct usage events name one request_id at one event_time, the first seen stays the
 * request and the second is counted as reach only (logged); at different times they are two
 * requests, and feedback goes to the earliest one whose horizon it falls in.
 */
final class JoinFeedbackToRequests
    extends ContextualProcessor<String, JoinBatch, String, ChannelWindowTally> {

  private static final Logger log = LoggerFactory.getLogger(JoinFeedbackToRequests.class);

  private final Duration horizon;
  private final Duration emitInterval;
  private final DroppedRecords dropped;
  private WindowStore<String, byte[]> requests;
  private WindowStore<String, byte[]> earlyFeedback;
  private final Set<String> waiting = new HashSet<>();
  private PartialTallies<ChannelWindowTally> partials;

  JoinFeedbackToRequests(Duration horizon, Duration emitInterval, DroppedRecords dropped) {
    this.horizon = horizon;
    this.emitInterval = emitInterval;
    this.dropped = dropped;
  }

  @Override
  public void init(ProcessorContext<String, ChannelWindowTally> context) {
    super.init(context);
    requests = context.getStateStore(ChannelMetricsTopology.REQUESTS_STORE);
    earlyFeedback = context.getStateStore(ChannelMetricsTopology.EARLY_FEEDBACK_STORE);
    partials =
        new PartialTallies<>(context.getStateStore(ChannelMetricsTopology.LEARNING_PARTIALS_STORE));
    rebuildWaiting();
    context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> ship());
    context.schedule(
        Duration.ofHours(1), PunctuationType.STREAM_TIME, streamTime -> rebuildWaiting());
  }

  @Override
  public void process(Record<String, JoinBatch> record) {
    record
        .value()
        .forEach(
            (requestId, entry) -> {
              if (entry instanceof JoinEntry.Request r) {
                request(requestId, r);
              } else {
                feedback(requestId, (JoinEntry.Feedback) entry);
              }
            });
  }

  private void request(String requestId, JoinEntry.Request r) {
    if (requests.fetch(requestId, r.time()) != null) {
      log.warn(
          "a second usage event names request_id {} at {}; coverage stays with the first",
          requestId,
          r.time());
      dropped.count(DroppedRecords.DUPLICATE_REQUEST_ID);
      return;
    }
    RequestState state = new RequestState(r.channelId(), r.requestCount(), false);
    if (waiting.contains(requestId)) {
      List<KeyValue<Long, byte[]>> early = new ArrayList<>();
      try (WindowStoreIterator<byte[]> it =
          earlyFeedback.fetch(requestId, r.time(), r.time() + horizon.toMillis())) {
        it.forEachRemaining(early::add);
      }
      for (KeyValue<Long, byte[]> feedback : early) {
        EarlyFeedback counts = EarlyFeedback.decode(feedback.value);
        state = learn(state, r.time(), counts.events(), counts.trainable());
        earlyFeedback.put(requestId, null, feedback.key);
      }
    }
    requests.put(requestId, state.encode(), r.time());
  }

  private void feedback(String requestId, JoinEntry.Feedback f) {
    try (WindowStoreIterator<byte[]> it =
        requests.fetch(requestId, f.time() - horizon.toMillis(), f.time())) {
      if (it.hasNext()) {
        KeyValue<Long, byte[]> found = it.next();
        RequestState state = RequestState.decode(found.value);
        boolean wasCovered = state.covered();
        state = learn(state, found.key, 1, f.trainable() ? 1 : 0);
        if (!wasCovered) {
          requests.put(requestId, state.encode(), found.key);
        }
        return;
      }
    }
    // Its request has not come yet (or never will): wait for it, up to the lateness bound.
    byte[] before = earlyFeedback.fetch(requestId, f.time());
    EarlyFeedback counts = before == null ? new EarlyFeedback(0, 0) : EarlyFeedback.decode(before);
    earlyFeedback.put(
        requestId,
        new EarlyFeedback(counts.events() + 1, counts.trainable() + (f.trainable() ? 1 : 0))
            .encode(),
        f.time());
    waiting.add(requestId);
  }

  /**
   * Counts feedback about the request at {@code requestTime} in its windows; returns the request,
   * covered.
   */
  private RequestState learn(RequestState state, long requestTime, long events, long trainable) {
    boolean newlyCovered = !state.covered() && events > 0;
    for (WindowSize size : WindowSize.values()) {
      long start = size.startOf(requestTime);
      partials.fold(
          FoldChannelWindows.key(state.channelId(), size, start),
          () -> new ChannelWindowTally(state.channelId(), size, start),
          tally -> {
            for (long i = 0; i < events; i++) {
              tally.addAboutRequest(i < trainable);
            }
            if (newlyCovered) {
              tally.addCovered(state.requestCount());
            }
          });
    }
    return newlyCovered ? new RequestState(state.channelId(), state.requestCount(), true) : state;
  }

  private void ship() {
    if (partials.drain(
            (key, tally) -> context().forward(new Record<>(key, tally, tally.windowStart)))
        > 0) {
      context().commit();
    }
  }

  private void rebuildWaiting() {
    waiting.clear();
    try (KeyValueIterator<Windowed<String>, byte[]> it = earlyFeedback.all()) {
      it.forEachRemaining(kv -> waiting.add(kv.key.key()));
    }
  }

  /** A request as the join keeps it. */
  record RequestState(String channelId, int requestCount, boolean covered) {

    byte[] encode() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(channelId);
        out.writeInt(requestCount);
        out.writeBoolean(covered);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    static RequestState decode(byte[] bytes) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        return new RequestState(in.readUTF(), in.readInt(), in.readBoolean());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Feedback waiting for its request, counted per request_id and feedback time. */
  record EarlyFeedback(long events, long trainable) {

    byte[] encode() {
      return java.nio.ByteBuffer.allocate(16).putLong(events).putLong(trainable).array();
    }

    static EarlyFeedback decode(byte[] bytes) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      return new EarlyFeedback(buffer.getLong(), buffer.getLong());
    }
  }
}
