package dev.routemetrics.tools.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VerificationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName(
      "distinct counts are exact below 10,000 and within 2 % from there on; every other field is"
          + " exact")
  void shouldAllowTheSketchErrorOnlyWhereDomainAllowsIt() {
    Verification verify = new Verification(WindowSize.HOUR);
    assertThat(verify.isEstimate("active_accounts", "9999", "10000")).isFalse();
    assertThat(verify.isEstimate("active_accounts", "48639", "48441")).isTrue(); // -0.41 %
    assertThat(verify.isEstimate("visible_end_users", "50000", "51000")).isTrue(); // +2.00 %
    assertThat(verify.isEstimate("visible_end_users", "50000", "51001")).isFalse();
    assertThat(verify.isEstimate("requests", "50000", "50001")).isFalse();
    assertThat(verify.isEstimate("active_accounts", "50000", null)).isFalse();
  }

  @Test
  @DisplayName(
      "the learning counts about the window's requests and the counts received in it are both"
          + " compared")
  void shouldCompareFeedbackAboutTheRequestsAndFeedbackReceived() throws Exception {
    assertThat(Verification.FIELDS)
        .contains(
            "feedback_events",
            "trainable_feedback",
            "covered_requests",
            "feedback_received",
            "trainable_received");
    // Every count different, so a field read from the wrong column shows.
    ChannelWindow.Usage stored =
        new ChannelWindow.Usage(
            Instant.parse("2026-11-20T10:00:00Z"),
            "consumer-app",
            "CONSUMER_APP",
            null,
            6,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            100.0,
            200.0,
            300.0,
            9,
            10,
            11,
            12,
            Instant.parse("2026-11-20T10:59:00Z"),
            13,
            14);
    JsonNode expected =
        JSON.readTree(
            "{\"window\": \"HOUR\", \"window_start\": \"2026-11-20T10:00:00Z\", \"channel_id\":"
                + " \"consumer-app\", \"usage_events\": 1, \"requests\": 2, \"input_tokens\": 3,"
                + " \"output_tokens\": 4, \"active_accounts\": 5, \"visible_end_users\": 6,"
                + " \"control_points_owned\": 6, \"feedback_events\": 10, \"trainable_feedback\":"
                + " 11, \"covered_requests\": 12, \"feedback_received\": 13,"
                + " \"trainable_received\": 14, \"revenue\": []}");

    Map<String, String> read = Verification.fields(stored);

    assertThat(read.keySet()).containsExactlyElementsOf(Verification.FIELDS);
    assertThat(read)
        .containsEntry("feedback_events", "10")
        .containsEntry("trainable_feedback", "11")
        .containsEntry("covered_requests", "12")
        .containsEntry("feedback_received", "13")
        .containsEntry("trainable_received", "14");
    assertThat(Verification.fields(expected)).containsAllEntriesOf(read);
  }

  @Test
  void shouldRefuseAnExpectationFileWrittenBeforeFeedbackReceivedNamingTheField() throws Exception {
    JsonNode old =
        JSON.readTree(
            "{\"window\": \"HOUR\", \"window_start\": \"2026-11-20T10:00:00Z\", \"channel_id\":"
                + " \"consumer-app\", \"usage_events\": 1, \"requests\": 2, \"input_tokens\": 3,"
                + " \"output_tokens\": 4, \"active_accounts\": 5, \"visible_end_users\": 6,"
                + " \"control_points_owned\": 6, \"feedback_events\": 10, \"trainable_feedback\":"
                + " 11, \"covered_requests\": 12, \"revenue\": []}");

    assertThatThrownBy(() -> Verification.fields(old))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'feedback_received'")
        .hasMessageContaining("HOUR 2026-11-20T10:00:00Z consumer-app")
        .hasMessageContaining("simulate again");
  }

  // One HOUR window, 10:00, two channels, worked out by hand from docs/domain.md:
  //   direct-api (DIRECT_API, 6 control points): 100 requests, 80 identified, 10 errors, 90 FULL
  //     telemetry, 20 trainable of 30 feedback about them, 25 requests covered; USD gross 100, fee
  // 0,
  //     net 100 (all billed by the lab)
  //   cloud-nimbus (CLOUD_PARTNER, partner nimbus, 1 control point): 300 requests, none identified,
  //     30 errors, 60 FULL, 3 trainable of 6, 5 covered; USD gross 200, fee 50, net 150 (none by
  // the lab)
  //   request share 100/400 = 0.25 and 300/400 = 0.75; direct trainable rate 20/100 = 0.2;
  //   learning loss 1 - 0.2/0.2 = 0 and 1 - (3/300)/0.2 = 0.95; lost signals 0.2*100-20 = 0,
  // 0.2*300-3 = 57;
  //   capture 100/100 = 1, 150/200 = 0.75; ownership 1, 0; control score (6/6+0.8+1)/3 = 0.9333..,
  //   (1/6+0+0)/3 = 0.0555..; top quartile of 2 channels: ceil(2/4) = 1, nimbus (300), score <
  // 0.34:
  //   volume without control [cloud-nimbus]; one partner has all indirect requests: HHI 1.
  //   Statement st-1 for nimbus 10:00-11:00: 330 requests stated vs 300 metered: (330-300)*100/300
  // = 10 %;
  //   net 165 vs 150: 10 %.
  private static final Instant H10 = Instant.parse("2026-11-20T10:00:00Z");

  private static final List<ChannelWindow.Usage> STORED =
      List.of(
          new ChannelWindow.Usage(
              H10,
              "direct-api",
              "DIRECT_API",
              null,
              6,
              10,
              100,
              1000,
              2000,
              5,
              4,
              80,
              10,
              100.0,
              200.0,
              300.0,
              90,
              30,
              20,
              25,
              H10.plusSeconds(3000),
              30,
              20),
          new ChannelWindow.Usage(
              H10,
              "cloud-nimbus",
              "CLOUD_PARTNER",
              "nimbus",
              1,
              30,
              300,
              3000,
              6000,
              7,
              0,
              0,
              30,
              100.0,
              200.0,
              300.0,
              60,
              6,
              3,
              5,
              H10.plusSeconds(3000),
              6,
              3));
  private static final List<ChannelWindow.Money> REVENUE =
      List.of(
          new ChannelWindow.Money(
              H10,
              "direct-api",
              "USD",
              "DIRECT_API",
              null,
              2,
              new BigDecimal("100.0000"),
              new BigDecimal("100.0000"),
              new BigDecimal("0.0000"),
              new BigDecimal("100.0000"),
              new BigDecimal("100.0000")),
          new ChannelWindow.Money(
              H10,
              "cloud-nimbus",
              "USD",
              "CLOUD_PARTNER",
              "nimbus",
              2,
              new BigDecimal("200.0000"),
              new BigDecimal("150.0000"),
              new BigDecimal("50.0000"),
              new BigDecimal("150.0000"),
              new BigDecimal("0.0000")));
  private static final List<Reconciliation.Row> STATEMENTS =
      List.of(
          new Reconciliation.Row(
              "st-1",
              "cloud-nimbus",
              H10,
              H10.plusSeconds(3600),
              "USD",
              330L,
              300,
              10.0,
              new BigDecimal("165.0000"),
              new BigDecimal("150.0000"),
              10.0));

  private static String handMadeFile() {
    return """
    {"simulation": {"start": "2026-11-20T10:00:00Z", "end": "2026-11-20T11:00:00Z"},
     "rows": [
      {"window": "HOUR", "window_start": "2026-11-20T10:00:00Z", "channel_id": "direct-api", "usage_events": 10,
       "requests": 100, "input_tokens": 1000, "output_tokens": 2000, "active_accounts": 5, "visible_end_users": 4,
       "request_share": 0.25, "identity_visibility": 0.8, "error_rate": 0.1,
       "revenue": [{"currency": "USD", "gross": "100.00", "partner_fee": "0", "net": "100", "net_billed_by_lab": "100",
                    "capture_rate": 1.0, "billing_ownership": 1.0}],
       "capture_rate": 1.0, "billing_ownership": 1.0, "control_points_owned": 6, "control_score": 0.9333333333333332,
       "feedback_events": 30, "trainable_feedback": 20, "covered_requests": 25, "feedback_received": 30,
       "trainable_received": 20, "feedback_coverage": 0.25, "trainable_rate": 0.2, "telemetry_full_share": 0.9,
       "learning_loss": 0.0, "lost_signals": 0.0},
      {"window": "HOUR", "window_start": "2026-11-20T10:00:00Z", "channel_id": "cloud-nimbus", "usage_events": 30,
       "requests": 300, "input_tokens": 3000, "output_tokens": 6000, "active_accounts": 7, "visible_end_users": 0,
       "request_share": 0.75, "identity_visibility": 0.0, "error_rate": 0.1,
       "revenue": [{"currency": "USD", "gross": "200", "partner_fee": "50", "net": "150", "net_billed_by_lab": "0",
                    "capture_rate": 0.75, "billing_ownership": 0.0}],
       "capture_rate": 0.75, "billing_ownership": 0.0, "control_points_owned": 1, "control_score": 0.05555555555555555,
       "feedback_events": 6, "trainable_feedback": 3, "covered_requests": 5, "feedback_received": 6,
       "trainable_received": 3, "feedback_coverage": 0.016666666666666666, "trainable_rate": 0.01,
       "telemetry_full_share": 0.2, "learning_loss": 0.95, "lost_signals": 57.0}],
     "windows": [{"window": "HOUR", "window_start": "2026-11-20T10:00:00Z", "requests": 400,
       "direct_trainable_rate": 0.2, "partner_concentration": 1.0, "volume_without_control": ["cloud-nimbus"]}],
     "reconciliation": [{"billing_id": "st-1", "channel_id": "cloud-nimbus", "partner_id": "nimbus",
       "period_start": "2026-11-20T10:00:00Z", "period_end": "2026-11-20T11:00:00Z", "currency": "USD",
       "reported_requests": 330, "metered_requests": 300, "request_discrepancy_percent": 10.0,
       "statement_net": "165.00", "metered_net": "150", "net_discrepancy_percent": 10.0}]}
    """;
  }

  private static List<String> differences(Consumer<ObjectNode> change) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(handMadeFile());
    change.accept(root);
    Verification verify = new Verification(WindowSize.HOUR);
    return verify.compare(root, STORED, REVENUE, STATEMENTS);
  }

  private static ObjectNode row(ObjectNode root, int i) {
    return (ObjectNode) root.path("rows").get(i);
  }

  @Test
  @DisplayName(
      "a hand-made expectation that agrees with the stored rows verifies, every field of it")
  void shouldFindNoDifferenceWhereEveryFieldAgrees() throws Exception {
    assertThat(differences(root -> {})).isEmpty();
  }

  @Test
  @DisplayName(
      "a mismatch in any row ratio, any amount, any window figure or any statement field is"
          + " reported by name")
  void shouldReportAMismatchInEveryField() throws Exception {
    List<String> reported = new ArrayList<>();
    for (String ratio : Verification.RATIOS) {
      List<String> d =
          differences(root -> row(root, 1).put(ratio, row(root, 1).path(ratio).asDouble() + 0.001));
      assertThat(d)
          .as(ratio)
          .singleElement()
          .asString()
          .startsWith("2026-11-20T10:00:00Z cloud-nimbus " + ratio + ": expected ");
      reported.add(ratio);
    }
    for (String money : List.of("gross", "partner_fee", "net", "net_billed_by_lab")) {
      // one ten-thousandth off: money is exact
      List<String> d =
          differences(
              root ->
                  ((ObjectNode) row(root, 0).path("revenue").get(0))
                      .put(
                          money,
                          new BigDecimal(row(root, 0).path("revenue").get(0).path(money).asText())
                              .add(new BigDecimal("0.0001"))
                              .toPlainString()));
      assertThat(d)
          .as(money)
          .singleElement()
          .asString()
          .startsWith("2026-11-20T10:00:00Z direct-api " + money + " USD: expected ");
    }
    for (String perCurrency : List.of("capture_rate", "billing_ownership")) {
      List<String> d =
          differences(
              root -> ((ObjectNode) row(root, 1).path("revenue").get(0)).put(perCurrency, 0.5));
      assertThat(d)
          .as(perCurrency)
          .singleElement()
          .asString()
          .isEqualTo(
              "2026-11-20T10:00:00Z cloud-nimbus "
                  + perCurrency
                  + " USD: expected 0.5, ClickHouse has "
                  + (perCurrency.equals("capture_rate") ? "0.75" : "0.0"));
    }
    assertThat(differences(root -> ((ObjectNode) root.path("windows").get(0)).put("requests", 401)))
        .containsExactly(
            "2026-11-20T10:00:00Z (window) requests: expected 401, ClickHouse has 400");
    assertThat(
            differences(
                root ->
                    ((ObjectNode) root.path("windows").get(0)).put("direct_trainable_rate", 0.25)))
        .containsExactly(
            "2026-11-20T10:00:00Z (window) direct_trainable_rate: expected 0.25, ClickHouse has"
                + " 0.2");
    assertThat(
            differences(
                root ->
                    ((ObjectNode) root.path("windows").get(0)).put("partner_concentration", 0.5)))
        .containsExactly(
            "2026-11-20T10:00:00Z (window) partner_concentration: expected 0.5, ClickHouse has"
                + " 1.0");
    assertThat(
            differences(
                root ->
                    ((ObjectNode) root.path("windows").get(0)).putArray("volume_without_control")))
        .containsExactly(
            "2026-11-20T10:00:00Z (window) volume_without_control: expected [], ClickHouse has"
                + " [cloud-nimbus]");
    for (String field : Verification.RECONCILIATION_FIELDS) {
      List<String> d =
          differences(
              root -> {
                ObjectNode st = (ObjectNode) root.path("reconciliation").get(0);
                switch (field) {
                  case "reported_requests", "metered_requests" ->
                      st.put(field, st.path(field).asLong() + 1);
                  case "request_discrepancy_percent", "net_discrepancy_percent" ->
                      st.put(field, 10.5);
                  case "statement_net", "metered_net" -> st.put(field, "150.0001");
                  case "period_start", "period_end" -> st.put(field, "2026-11-20T12:00:00Z");
                  default -> st.put(field, "other");
                }
              });
      assertThat(d)
          .as(field)
          .singleElement()
          .asString()
          .startsWith("statement st-1 " + field + ": expected ");
    }
    assertThat(
            differences(
                root ->
                    ((ObjectNode) root.path("reconciliation").get(0)).put("billing_id", "st-9")))
        .as("a statement ClickHouse does not hold")
        .hasSize(Verification.RECONCILIATION_FIELDS.size())
        .allSatisfy(
            d -> assertThat(d).startsWith("statement st-9 ").endsWith("ClickHouse has null"));
    assertThat(reported).containsExactlyElementsOf(Verification.RATIOS);
  }

  @Test
  @DisplayName(
      "ratios agree within 1e-9 (the same exact counts divided in another order), not beyond")
  void shouldCompareRatiosWithinTheirTolerance() {
    assertThat(Verification.same("control_score", "0.9333333333333332", "0.9333333333333333"))
        .isTrue();
    assertThat(Verification.same("control_score", "0.9333333333", "0.9333333363")).isFalse();
    assertThat(Verification.same("capture_rate USD", "null", "null")).isTrue();
    assertThat(Verification.same("capture_rate USD", "null", "0.0")).isFalse();
    assertThat(Verification.same("requests", "400", "400.0000000001"))
        .as("counts are exact")
        .isFalse();
    assertThat(Verification.same("net USD", "0.3", "0.30000000000000004"))
        .as("money is exact")
        .isFalse();
  }
}
