package dev.routemetrics.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** An RFC 9457 problem details body. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";

  static Problem invalidEvent(List<FieldError> errors) {
    return new Problem("urn:routemetrics:problem:invalid-event", "Invalid event", 400,
        errors.size() + " field(s) of the event are invalid; nothing was accepted.", errors);
  }

  static Problem unavailable(String detail) {
    return new Problem("urn:routemetrics:problem:kafka-unavailable", "Event log unavailable", 503, detail, List.of());
  }
}
