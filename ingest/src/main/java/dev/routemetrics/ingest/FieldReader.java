package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
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
  static final int MONEY_SCALE = 4;
  private static final BigDecimal MONEY_LIMIT = BigDecimal.TEN.pow(14);

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

  /** An enum by name. UNKNOWN, where a schema has it, only stands in for symbols added later: a client never sends it. */
  /** An integer in [min, max], or null when absent. */
  Long optionalInteger(String field, long min, long max) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : integer(field, min, max, null);
  }

  <E extends Enum<E>> E enumValue(String field, Class<E> type, E fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        reject(field, "is required");
      }
      return fallback;
    }
    List<String> allowed = Arrays.stream(type.getEnumConstants()).map(Enum::name).filter(n -> !n.equals("UNKNOWN")).toList();
    if (!value.isTextual() || !allowed.contains(value.asText())) {
      reject(field, "must be one of " + allowed + ", was '" + value.asText() + "'");
      return null;
    }
    return Enum.valueOf(type, value.asText());
  }

  /**
   * Money: a decimal string such as "12.5000" (a JSON number is accepted only when integral: a
   * fractional JSON number may already have lost precision in the client's JSON library).
   */
  BigDecimal money(String field, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        reject(field, "is required");
      }
      return null;
    }
    BigDecimal amount;
    if (value.isTextual()) {
      try {
        amount = new BigDecimal(value.asText().strip());
      } catch (NumberFormatException e) {
        reject(field, "must be a decimal string such as \"12.5000\", was '" + value.asText() + "'");
        return null;
      }
    } else if (value.isIntegralNumber()) {
      amount = value.decimalValue();
    } else {
      reject(field, "must be a decimal string such as \"12.5000\" (a fractional JSON number may have lost precision)");
      return null;
    }
    if (amount.stripTrailingZeros().scale() > MONEY_SCALE) {
      reject(field, "has more than " + MONEY_SCALE + " decimal places: " + amount.toPlainString());
      return null;
    }
    if (amount.abs().compareTo(MONEY_LIMIT) >= 0) {
      reject(field, "is too large: at most 14 digits before the decimal point");
      return null;
    }
    return amount.setScale(MONEY_SCALE);
  }

  Boolean bool(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      reject(field, "is required");
      return null;
    }
    if (!value.isBoolean()) {
      reject(field, "must be true or false");
      return null;
    }
    return value.asBoolean();
  }

  /** An ISO 4217 alphabetic currency code, e.g. USD. */
  String currency(String field) {
    String code = requiredId(field);
    if (code == null) {
      return null;
    }
    try {
      if (code.length() == 3 && code.equals(code.toUpperCase(java.util.Locale.ROOT))) {
        java.util.Currency.getInstance(code);
        return code;
      }
    } catch (IllegalArgumentException e) {
      // falls through to the rejection below
    }
    reject(field, "must be an ISO 4217 currency code such as USD or EUR, was '" + code + "'");
    return null;
  }
}
