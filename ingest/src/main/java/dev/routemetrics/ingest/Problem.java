package dev.routemetrics.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An RFC 9457 problem details body. {@code errors} names each bad event of a batch by its index (0
 * for a single event; absent when the whole body is wrong) and each bad field. When part of a batch
 * was stored before the failure (Kafka acknowledged some events, not all), the extension members
 * {@code accepted}, {@code accepted_indexes} and {@code event_ids} say exactly which, as a 207
 * answer does: resend only the events listed in {@code errors}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    List<EventError> errors,
    Integer accepted,
    @JsonProperty("accepted_indexes") List<Integer> acceptedIndexes,
    @JsonProperty("event_ids") List<String> eventIds) {

  public static final String MEDIA_TYPE = "application/problem+json";

  public Problem(String type, String title, int status, String detail, List<EventError> errors) {
    this(type, title, status, detail, errors, null, List.of(), List.of());
  }

  /** One problem with one field of the event at {@code index} in the request. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EventError(
      Integer index, @JsonProperty("event_id") String eventId, String field, String problem) {}

  static Problem of(String slug, String title, int status, String detail) {
    return new Problem("urn:routemetrics:problem:" + slug, title, status, detail, List.of());
  }

  static Problem invalidEvents(List<EventError> errors, int events) {
    return new Problem(
        "urn:routemetrics:problem:invalid-event",
        "Invalid event",
        400,
        "every one of the " + events + " event(s) is invalid; nothing was accepted.",
        errors);
  }
}
