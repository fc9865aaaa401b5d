package dev.routemetrics.simulator.expected;

import java.time.Instant;
import java.util.List;

/**
 * What holds for a whole window across channels.
 *
 * @param directTrainableRate trainable feedback / requests over all direct channels pooled: the
 *     yardstick of learning_loss and lost_signals; null without direct requests
 * @param partnerConcentration Herfindahl index of the partners' shares of indirect requests, in (0,
 *     1]; null without indirect requests
 * @param volumeWithoutControl channels in the top quartile of request share (the ceil(n/4) largest
 *     of the n channels with requests) whose control_score is below 0.34; a channel whose control
 *     score is unknown in the window is not flagged
 */
public record WindowSummary(
    WindowSize window,
    Instant windowStart,
    long requests,
    Double directTrainableRate,
    Double partnerConcentration,
    List<String> volumeWithoutControl) {

  public static final double LOW_CONTROL = 0.34;
}
