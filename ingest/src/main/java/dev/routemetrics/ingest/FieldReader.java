package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads typed fields out of one JSON event and collects every problem instead of stopping at the
 * first, so a client learns all that is wrong with an event in one answer.
 */
final class FieldReader {

  private static final int MAX_ID_LENGTH = 256;

  private final JsonNode node;
  private final List<FieldError> errors = new ArrayList<>();

  FieldReader(JsonNode node) {
    this.node = node;
  }

  List<FieldError> errors() {
    return errors;
  }

  void reject(String field, String problem) {
    errors.add(new FieldError(field, problem));
  }

  String requiredId(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      reject(field, "is required");
      return null;
    }
    if (!value.isTextual()) {
      reject(field, "must be a string");
      return null;
    }
    return checkedId(field, value.asText());
  }

  String optionalId(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      reject(field, "must be a string or null");
      return null;
    }
    return checkedId(field, value.asText());
  }

  private String checkedId(String field, String text) {
    if (text.isBlank()) {
      reject(field, "must not be empty");
      return null;
    }
    if (text.length() > MAX_ID_LENGTH) {
      reject(field, "must be at most " + MAX_ID_LENGTH + " characters, was " + text.length());
      return null;
    }
    return text;
  }

  Instant requiredInstant(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      reject(field, "is required");
      return null;
    }
    if (!value.isTextual()) {
      reject(field, "must be an ISO-8601 UTC timestamp string such as 2026-11-01T10:15:30Z");
      return null;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      reject(field, "must be an ISO-8601 UTC timestamp such as 2026-11-01T10:15:30Z, was '" + value.asText() + "'");
      return null;
    }
  }

  /** An integer in [min, max]; {@code fallback} when absent, or an error when fallback is null. */
  Long integer(String field, long min, long max, Long fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        reject(field, "is required");
      }
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      reject(field, "must be an integer");
      return null;
    }
    long number = value.asLong();
    if (number < min || number > max) {
      reject(field, (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "must be >= " + min
          : "must be between " + min + " and " + max) + ", was " + number);
      return null;
    }
    return number;
  }

  <E extends Enum<E>> E enumValue(String field, Class<E> type, E fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        reject(field, "is required");
      }
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.asText());
    } catch (IllegalArgumentException e) {
      reject(field, "must be one of " + Arrays.toString(type.getEnumConstants()) + ", was '" + value.asText() + "'");
      return null;
    }
  }
}
