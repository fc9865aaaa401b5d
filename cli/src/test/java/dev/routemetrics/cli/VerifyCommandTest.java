package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.warehouse.query.ChannelWindow;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VerifyCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("distinct counts are exact below 10,000 and within 2 % from there on; every other field is exact")
  void shouldAllowTheSketchErrorOnlyWhereDomainAllowsIt() {
    VerifyCommand verify = new VerifyCommand();
    assertThat(verify.isEstimate("active_accounts", "9999", "10000")).isFalse();
    assertThat(verify.isEstimate("active_accounts", "48639", "48441")).isTrue();   // -0.41 %
    assertThat(verify.isEstimate("visible_end_users", "50000", "51000")).isTrue(); // +2.00 %
    assertThat(verify.isEstimate("visible_end_users", "50000", "51001")).isFalse();
    assertThat(verify.isEstimate("requests", "50000", "50001")).isFalse();
    assertThat(verify.isEstimate("active_accounts", "50000", null)).isFalse();
  }

  @Test
  @DisplayName("the learning counts about the window's requests and the counts received in it are both compared")
  void shouldCompareFeedbackAboutTheRequestsAndFeedbackReceived() throws Exception {
    assertThat(VerifyCommand.FIELDS).contains("feedback_events", "trainable_feedback", "covered_requests",
        "feedback_received", "trainable_received");
    // Every count different, so a field read from the wrong column shows.
    ChannelWindow.Usage stored = new ChannelWindow.Usage(Instant.parse("2026-11-20T10:00:00Z"), "consumer-app",
        "CONSUMER_APP", null, 6, 1, 2, 3, 4, 5, 6, 7, 8, 100.0, 200.0, 300.0, 9, 10, 11, 12,
        Instant.parse("2026-11-20T10:59:00Z"), 13, 14);
    JsonNode expected = JSON.readTree("{\"window\": \"HOUR\", \"window_start\": \"2026-11-20T10:00:00Z\","
        + " \"channel_id\": \"consumer-app\", \"usage_events\": 1, \"requests\": 2, \"input_tokens\": 3, \"output_tokens\": 4,"
        + " \"active_accounts\": 5, \"visible_end_users\": 6, \"control_points_owned\": 6, \"feedback_events\": 10,"
        + " \"trainable_feedback\": 11, \"covered_requests\": 12, \"feedback_received\": 13, \"trainable_received\": 14,"
        + " \"revenue\": []}");

    Map<String, String> read = VerifyCommand.fields(stored);

    assertThat(read.keySet()).containsExactlyElementsOf(VerifyCommand.FIELDS);
    assertThat(read).containsEntry("feedback_events", "10").containsEntry("trainable_feedback", "11")
        .containsEntry("covered_requests", "12").containsEntry("feedback_received", "13")
        .containsEntry("trainable_received", "14");
    assertThat(VerifyCommand.fields(expected)).isEqualTo(read);
  }

  @Test
  void shouldRefuseAnExpectationFileWrittenBeforeFeedbackReceivedNamingTheField() throws Exception {
    JsonNode old = JSON.readTree("{\"window\": \"HOUR\", \"window_start\": \"2026-11-20T10:00:00Z\","
        + " \"channel_id\": \"consumer-app\", \"usage_events\": 1, \"requests\": 2, \"input_tokens\": 3, \"output_tokens\": 4,"
        + " \"active_accounts\": 5, \"visible_end_users\": 6, \"control_points_owned\": 6, \"feedback_events\": 10,"
        + " \"trainable_feedback\": 11, \"covered_requests\": 12, \"revenue\": []}");

    assertThatThrownBy(() -> VerifyCommand.fields(old)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'feedback_received'")
        .hasMessageContaining("HOUR 2026-11-20T10:00:00Z consumer-app")
        .hasMessageContaining("simulate again");
  }
}
