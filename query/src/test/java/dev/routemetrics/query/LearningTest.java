package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The learning view over hand-made rows, worked out from docs/domain.md#learning-retention. */
class LearningTest {

  private static final Instant W = Instant.parse("2026-11-10T10:00:00Z");

  private static ChannelWindow.Usage usage(
      String channel,
      String route,
      long requests,
      long feedbackEvents,
      long trainableFeedback,
      long covered,
      long feedbackReceived,
      long trainableReceived) {
    return new ChannelWindow.Usage(
        W,
        channel,
        route,
        null,
        0,
        requests,
        requests,
        0,
        0,
        1,
        0,
        0,
        0,
        null,
        null,
        null,
        0,
        feedbackEvents,
        trainableFeedback,
        covered,
        W,
        feedbackReceived,
        trainableReceived);
  }

  @Test
  void shouldShowFeedbackReceivedBesideTheRatiosWithoutDividingByIt() {
    // direct-api: 100 requests, 10 trainable about them (20 received in this window, 15 trainable).
    // vertical-codepilot: 100 requests, 5 trainable about them, 40 received (30 trainable) mostly
    // naming no request.
    // Direct rate 10 / 100 = 0.1; codepilot rate 5 / 100 = 0.05: loss 1 - 0.05 / 0.1 = 0.5, lost
    // 0.1 x 100 - 5 = 5.
    // Were the received counts used, codepilot's rate would be 0.3 and its loss 0.
    List<Learning.Row> rows =
        Learning.compute(
            List.of(
                usage("direct-api", "DIRECT_API", 100, 12, 10, 11, 20, 15),
                usage("vertical-codepilot", "VERTICAL_WORKFLOW", 100, 6, 5, 6, 40, 30)));

    Learning.Row codepilot = rows.get(1);
    assertThat(codepilot.channelId()).isEqualTo("vertical-codepilot");
    assertThat(codepilot.feedbackEvents()).isEqualTo(6);
    assertThat(codepilot.trainableFeedback()).isEqualTo(5);
    assertThat(codepilot.feedbackReceived()).isEqualTo(40);
    assertThat(codepilot.trainableReceived()).isEqualTo(30);
    assertThat(codepilot.trainableRate()).isCloseTo(0.05, within(1e-12));
    assertThat(codepilot.feedbackCoverage()).isCloseTo(0.06, within(1e-12));
    assertThat(codepilot.directTrainableRate()).isCloseTo(0.1, within(1e-12));
    assertThat(codepilot.learningLoss()).isCloseTo(0.5, within(1e-12));
    assertThat(codepilot.lostSignals()).isCloseTo(5.0, within(1e-9));
    assertThat(AudienceQueries.rows(rows).get(0))
        .containsKeys(
            "feedback_events", "trainable_feedback", "feedback_received", "trainable_received");
  }
}
