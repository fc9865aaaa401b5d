package dev.routemetrics.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Data teams' learning-retention table: per window and channel, feedback coverage, trainable rate,
 * telemetry-full share, and what indirect routes cost against the direct routes pooled in the same
 * window: learning loss and lost signals. Every ratio divides counts of the same requests: feedback
 * events and trainable feedback about the window's requests (docs/domain.md: counted in the
 * request's window when they arrive within 7 days). Feedback received and trainable received, by
 * the feedback's own window and channel (known request or not), are shown beside them and enter no
 * ratio.
 */
public final class Learning {

  /** One channel in one window. */
  public record Row(
      Instant windowStart,
      String channelId,
      String route,
      long requests,
      long feedbackEvents,
      long trainableFeedback,
      long feedbackReceived,
      long trainableReceived,
      Double feedbackCoverage,
      Double trainableRate,
      Double telemetryFullShare,
      Double directTrainableRate,
      Double learningLoss,
      Double lostSignals) {}

  private Learning() {}

  public static List<Row> compute(List<ChannelWindow.Usage> usage) {
    Map<Instant, List<ChannelWindow.Usage>> byWindow =
        usage.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::windowStart, TreeMap::new, Collectors.toList()));
    List<Row> rows = new ArrayList<>();
    for (List<ChannelWindow.Usage> window : byWindow.values()) {
      long directTrainable = 0;
      long directRequests = 0;
      for (ChannelWindow.Usage u : window) {
        if (u.isDirect()) {
          directTrainable += u.trainableFeedback();
          directRequests += u.requests();
        }
      }
      Double direct = ChannelWindow.ratio(directTrainable, directRequests);
      for (ChannelWindow.Usage u : window) {
        Double rate = u.trainableRate();
        Double loss =
            rate == null || direct == null || direct == 0
                ? null
                : Math.max(0, Math.min(1, 1 - rate / direct));
        Double lost =
            direct == null ? null : Math.max(0, direct * u.requests() - u.trainableFeedback());
        rows.add(
            new Row(
                u.windowStart(),
                u.channelId(),
                u.route(),
                u.requests(),
                u.feedbackEvents(),
                u.trainableFeedback(),
                u.feedbackReceived(),
                u.trainableReceived(),
                u.feedbackCoverage(),
                rate,
                u.telemetryFullShare(),
                direct,
                loss,
                lost));
      }
    }
    return rows;
  }
}
