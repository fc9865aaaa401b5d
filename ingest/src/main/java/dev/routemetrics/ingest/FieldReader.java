package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.schemas.EventBounds;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads typed fields out of one JSON event and collects every problem instead of stopping at the
 * first, so a client learns all that is wrong with an event in one answer.
 */
final class FieldReader {

  private static final int MAX_ID_LENGTH = EventBounds.MAX_ID_LENGTH;
  static final int MONEY_SCALE = EventBounds.MONEY_SCALE;

  /**
   * What openapi.yaml's Money pattern allows: digits, an optional '-', at most 4 decimals; no
   * exponent, sign or space.
   */
  static final Pattern MONEY = Pattern.compile("-?[0-9]{1,9}(\\.[0-9]{1,4})?");

  private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

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
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        reject(
            field,
            "must not contain control characters (U+"
                + String.format("%04X", (int) c)
                + " at position "
                + i
                + ")");
        return null;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        // Kafka's UTF-8 encoder would write it as '?': the id would change on its way.
        reject(
            field,
            "must be valid Unicode (a lone surrogate U+"
                + String.format("%04X", (int) c)
                + " at position "
                + i
                + ")");
        return null;
      }
    }
    return text;
  }

  /**
   * A time between {@link EventBounds#MIN_TIME} and {@code latest} (the server clock plus the
   * allowed skew, {@code skew} in the message). Checked here, before anything turns it into epoch
   * milliseconds, so a year like -1000000000 is refused instead of overflowing later.
   */
  Instant requiredInstant(String field, Instant latest, java.time.Duration skew) {
    Instant time = requiredInstant(field);
    if (time == null) {
      return null;
    }
    if (time.isBefore(EventBounds.MIN_TIME)) {
      reject(
          field,
          "must not be before "
              + EventBounds.MIN_TIME
              + " (the earliest time the pipeline stores), was "
              + time);
      return null;
    }
    if (time.isAfter(latest)) {
      reject(
          field,
          "is in the future ("
              + time
              + " is more than "
              + skew.toSeconds()
              + " s ahead of the server clock)");
      return null;
    }
    return time;
  }

  private Instant requiredInstant(String field) {
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
      reject(
          field,
          "must be an ISO-8601 UTC timestamp such as 2026-11-01T10:15:30Z, was '"
              + value.asText()
              + "'");
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
    if (!value.isIntegralNumber()) {
      reject(field, "must be an integer");
      return null;
    }
    if (!value.canConvertToLong()) {
      reject(
          field,
          (value.bigIntegerValue().signum() < 0 ? "must be >= " + min : "must be <= " + max)
              + ", was "
              + value.bigIntegerValue());
      return null;
    }
    long number = value.asLong();
    if (number < min) {
      reject(field, "must be >= " + min + ", was " + number);
      return null;
    }
    if (number > max) {
      reject(field, "must be <= " + max + ", was " + number);
      return null;
    }
    return number;
  }

  /** An integer in [min, max], or null when absent. */
  Long optionalInteger(String field, long min, long max) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : integer(field, min, max, null);
  }

  /**
   * An enum by name. UNKNOWN, where a schema has it, only stands in for symbols added later: a
   * client never sends it.
   */
  <E extends Enum<E>> E enumValue(String field, Class<E> type, E fallback) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        reject(field, "is required");
      }
      return fallback;
    }
    List<String> allowed =
        Arrays.stream(type.getEnumConstants())
            .map(Enum::name)
            .filter(n -> !n.equals("UNKNOWN"))
            .toList();
    if (!value.isTextual() || !allowed.contains(value.asText())) {
      reject(field, "must be one of " + allowed + ", was '" + value.asText() + "'");
      return null;
    }
    return Enum.valueOf(type, value.asText());
  }

  /**
   * Money: a decimal string exactly as openapi.yaml's Money pattern says, such as "12.5000" (no
   * exponent, no sign but '-', no spaces, at most 4 decimals and 9 digits before the point), within
   * ±{@link EventBounds#MAX_MONEY}. A JSON number is accepted only when integral and within the
   * same bound: a fractional JSON number may already have lost precision in the client's JSON
   * library.
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
      String text = value.asText();
      if (!PLAIN_DECIMAL.matcher(text).matches()) {
        reject(
            field,
            "must be a decimal string such as \"12.5000\" (digits, an optional leading '-', no"
                + " exponent or spaces), was '"
                + text
                + "'");
        return null;
      }
      amount = new BigDecimal(text);
      if (amount.scale() > MONEY_SCALE) {
        reject(field, "has more than " + MONEY_SCALE + " decimal places: " + text);
        return null;
      }
    } else if (value.isIntegralNumber()) {
      amount = new BigDecimal(value.bigIntegerValue());
    } else {
      reject(
          field,
          "must be a decimal string such as \"12.5000\" (a fractional JSON number may have lost"
              + " precision)");
      return null;
    }
    if (amount.abs().compareTo(EventBounds.MAX_MONEY) > 0) {
      reject(
          field,
          "must be between -"
              + EventBounds.MAX_MONEY.toPlainString()
              + " and "
              + EventBounds.MAX_MONEY.toPlainString()
              + ", was "
              + amount.toPlainString());
      return null;
    }
    if (value.isTextual() && !MONEY.matcher(value.asText()).matches()) {
      // Only leading zeros get here ("0000000001"): within the bound, but not what the pattern
      // says.
      reject(
          field,
          "must match "
              + MONEY.pattern()
              + " (at most 9 digits before the point), was '"
              + value.asText()
              + "'");
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

  /**
   * An active ISO 4217 alphabetic currency code money is paid in, e.g. USD (see {@link
   * EventBounds#CURRENCIES}).
   */
  String currency(String field) {
    String code = requiredId(field);
    if (code == null) {
      return null;
    }
    if (EventBounds.isPayableCurrency(code)) {
      return code;
    }
    reject(
        field,
        "must be an active ISO 4217 currency code such as USD or EUR (not a fund, metal, test or"
            + " withdrawn code), was '"
            + code
            + "'");
    return null;
  }
}
