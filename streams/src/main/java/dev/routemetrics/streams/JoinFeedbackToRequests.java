package dev.routemetrics.streams;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feedback coverage: a request is covered when a feedback event names its request_id with an
 * event_time in [request time, request time + horizon]; it counts once however many feedback events
 * it gets. Input is usage and feedback contributions keyed by request_id (feedback without one by its
 * event_id); output is every input contribution re-keyed by its channel, plus one {@link
 * Contribution.Covered} (keyed by the usage's channel) the moment a request becomes covered, whichever
 * of usage and feedback arrives first.
 *
 * <p>State per request_id is forgotten once nothing can change it any more: for a known usage, after
 * the horizon plus the lateness bound plus a margin; for feedback still waiting for its usage, after
 * the lateness bound plus the margin (a usage older than that would be set aside as too late).
 */
final class JoinFeedbackToRequests extends ContextualProcessor<String, Contribution, String, Contribution> {

  private static final Logger log = LoggerFactory.getLogger(JoinFeedbackToRequests.class);

  private final Duration horizon;
  private final Duration keepAfterUsage;
  private final Duration keepAfterFeedback;
  private KeyValueStore<String, RequestFeedback> requests;
  private ExpiryIndex expiry;

  JoinFeedbackToRequests(Duration horizon, Duration lateness, Duration margin) {
    this.horizon = horizon;
    this.keepAfterUsage = horizon.plus(lateness).plus(margin);
    this.keepAfterFeedback = lateness.plus(margin);
  }

  @Override
  public void init(ProcessorContext<String, Contribution> context) {
    super.init(context);
    requests = context.getStateStore(ChannelMetricsTopology.REQUEST_FEEDBACK_STORE);
    expiry = new ExpiryIndex(context.getStateStore(ChannelMetricsTopology.REQUEST_FEEDBACK_EXPIRY_STORE));
    context.schedule(Duration.ofHours(1), PunctuationType.STREAM_TIME, this::expire);
  }

  @Override
  public void process(Record<String, Contribution> record) {
    Contribution c = record.value();
    context().forward(record.withKey(c.channelId()));
    if (c instanceof Contribution.Usage u) {
      usage(u, record);
    } else if (c instanceof Contribution.Feedback f && f.event().getRequestId() != null) {
      feedback(f, record);
    }
  }

  private void usage(Contribution.Usage u, Record<String, Contribution> record) {
    String requestId = u.event().getRequestId();
    RequestFeedback state = orNew(requests.get(requestId));
    if (state.hasUsage()) {
      log.warn("usage event {} names request_id {} already used by another usage event; coverage stays with the first",
          u.event().getEventId(), requestId);
      return;
    }
    state.usageChannel = u.event().getChannelId();
    state.usageTime = u.event().getEventTime().toEpochMilli();
    state.requestCount = u.event().getRequestCount();
    for (long feedbackTime : state.pendingFeedbackTimes) {
      if (!state.covered && inHorizon(state, feedbackTime)) {
        cover(state, record);
      }
    }
    state.pendingFeedbackTimes = new long[0];
    save(requestId, state);
  }

  private void feedback(Contribution.Feedback f, Record<String, Contribution> record) {
    String requestId = f.event().getRequestId();
    long feedbackTime = f.event().getEventTime().toEpochMilli();
    RequestFeedback state = orNew(requests.get(requestId));
    if (state.hasUsage()) {
      if (!state.covered && inHorizon(state, feedbackTime)) {
        cover(state, record);
        save(requestId, state);
      }
      return;
    }
    state.addPending(feedbackTime);
    save(requestId, state);
  }

  private boolean inHorizon(RequestFeedback state, long feedbackTime) {
    return feedbackTime >= state.usageTime && feedbackTime <= state.usageTime + horizon.toMillis();
  }

  private void cover(RequestFeedback state, Record<String, Contribution> record) {
    state.covered = true;
    context().forward(record.withKey(state.usageChannel)
        .withValue(new Contribution.Covered(state.usageChannel, state.usageTime, state.requestCount)));
  }

  private void save(String requestId, RequestFeedback state) {
    requests.put(requestId, state);
    expiry.add(expiresAt(state), requestId);
  }

  private long expiresAt(RequestFeedback state) {
    return state.referenceTime() + (state.hasUsage() ? keepAfterUsage : keepAfterFeedback).toMillis();
  }

  private void expire(long streamTime) {
    for (String requestId : expiry.takeDue(streamTime)) {
      RequestFeedback state = requests.get(requestId);
      // A state extended since this index entry was written has a later entry of its own.
      if (state != null && expiresAt(state) <= streamTime) {
        requests.delete(requestId);
      }
    }
  }

  private static RequestFeedback orNew(RequestFeedback state) {
    return state == null ? new RequestFeedback() : state;
  }
}
