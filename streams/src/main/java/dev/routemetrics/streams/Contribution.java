package dev.routemetrics.streams;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;

/**
 * What the per-channel window metrics are folded from: a distinct, accepted usage or feedback
 * event, or the news that a request received its first feedback in time ({@link Covered}).
 */
sealed interface Contribution {

  /** The channel whose windows this contribution changes. */
  String channelId();

  record Usage(UsageEvent event) implements Contribution {
    @Override
    public String channelId() {
      return event.getChannelId();
    }
  }

  record Feedback(FeedbackEvent event) implements Contribution {
    @Override
    public String channelId() {
      return event.getChannelId();
    }
  }

  /**
   * A usage request (of {@code requestCount} requests, at {@code requestTime} on {@code channelId})
   * received its first feedback within the horizon: it now counts as covered in the request's
   * windows.
   */
  record Covered(String channelId, long requestTime, int requestCount) implements Contribution {}
}
