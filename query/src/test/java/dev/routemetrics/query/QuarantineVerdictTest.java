package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.query.Quarantine.Arrival;
import dev.routemetrics.query.Quarantine.SetAside;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Whether a too-late event was counted from an earlier copy, worked out by hand from the streams
 * app's rules (bounds, then the seen-id store, then the lateness gate; docs/domain.md, "Lateness"):
 * each case lists the copies of one event_id in partition 0, with what became of each.
 */
class QuarantineVerdictTest {

  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);
  private static final Instant T = Instant.parse("2026-11-01T10:00:00Z");

  private static Arrival at(long offset, String sha) {
    return new Arrival(0, offset, sha, T.plusSeconds(offset));
  }

  private static SetAside aside(String reason, long offset) {
    return new SetAside(reason, 0, offset, true);
  }

  @Test
  @DisplayName(
      "counted at 3, re-delivered too late at 9: counted earlier, and the message names offset 3")
  void shouldSayCountedEarlierForACopyOfACountedEvent() {
    Quarantine.Verdict v =
        Quarantine.verdict(List.of(at(3, A), at(9, A)), List.of(aside("TOO_LATE", 9)));
    assertThat(v.countedEarlier()).isTrue();
    assertThat(v.why())
        .isEqualTo(
            "a copy of this event was counted earlier (partition 0, offset 3, arrived "
                + "2026-11-01T10:00:03Z); this copy, at offset 9, was not counted again");
  }

  @Test
  @DisplayName("only copy too late: not counted")
  void shouldSayNotCountedForALateEventSeenOnce() {
    Quarantine.Verdict v = Quarantine.verdict(List.of(at(4, A)), List.of(aside("TOO_LATE", 4)));
    assertThat(v.countedEarlier()).isFalse();
    assertThat(v.why())
        .isEqualTo("no earlier copy of this event was counted: a late event, not in the metrics");
  }

  @Test
  @DisplayName(
      "too late at 2, its identical retry at 5 dropped as a duplicate, too late again at 20: never"
          + " counted")
  void shouldNotTakeTheDuplicateOfATooLateCopyForACountedOne() {
    Quarantine.Verdict v =
        Quarantine.verdict(
            List.of(at(2, A), at(5, A), at(20, A)),
            List.of(aside("TOO_LATE", 2), aside("TOO_LATE", 20)));
    assertThat(v.countedEarlier()).isFalse();
  }

  @Test
  @DisplayName(
      "too late at 2 with payload A, then B counted at 6 (A forgotten), then A too late at 30:"
          + " counted earlier (6)")
  void shouldCountAnotherPayloadCountedAfterATooLateCopy() {
    Quarantine.Verdict v =
        Quarantine.verdict(
            List.of(at(2, A), at(6, B), at(30, A)),
            List.of(aside("TOO_LATE", 2), aside("TOO_LATE", 30)));
    assertThat(v.countedEarlier()).isTrue();
    assertThat(v.why()).contains("offset 6,");
  }

  @Test
  @DisplayName("a conflict or an out-of-bounds copy before is not a counted copy")
  void shouldNotCountCopiesSetAsideForOtherReasons() {
    Quarantine.Verdict v =
        Quarantine.verdict(
            List.of(at(1, A), at(2, B), at(8, A)),
            List.of(aside("OUT_OF_BOUNDS", 1), aside("CONFLICT", 2), aside("TOO_LATE", 8)));
    assertThat(v.countedEarlier()).isFalse();
  }

  @Test
  @DisplayName("a copy after the too-late one says nothing about it")
  void shouldLookOnlyBeforeTheTooLateCopy() {
    Quarantine.Verdict v =
        Quarantine.verdict(List.of(at(4, A), at(7, B)), List.of(aside("TOO_LATE", 4)));
    assertThat(v.countedEarlier()).isFalse();
  }

  @Test
  @DisplayName(
      "unknown when a copy came through the repartition topic, or the too-late copy's arrival is"
          + " missing")
  void shouldSayWhenItCannotKnow() {
    assertThat(
            Quarantine.verdict(
                    List.of(at(3, A), at(9, A)), List.of(new SetAside("TOO_LATE", 0, 12, false)))
                .countedEarlier())
        .isNull();
    assertThat(
            Quarantine.verdict(List.of(at(3, A)), List.of(aside("TOO_LATE", 9))).countedEarlier())
        .isNull();
    assertThat(Quarantine.verdict(List.of(at(3, A)), List.of()).countedEarlier()).isNull();
  }

  @Test
  void shouldGroupDeadLettersByTheKindOfProblem() {
    assertThat(Quarantine.deadLetterKind("not valid JSON: Unexpected character ('x')"))
        .isEqualTo("NOT_JSON");
    assertThat(Quarantine.deadLetterKind("has 3 cells, the header has 13"))
        .isEqualTo("WRONG_CELL_COUNT");
    assertThat(Quarantine.deadLetterKind("event_time: missing; channel_id: unknown channel 'x'"))
        .isEqualTo("INVALID: channel_id, event_time");
    assertThat(Quarantine.deadLetterKind("request_count: must be at least 1"))
        .isEqualTo("INVALID: request_count");
  }
}
