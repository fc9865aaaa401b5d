package dev.routemetrics.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a request body into a batch of JSON events, strictly: the body is read in a bounded way
 * (never more than the limit plus one byte is held, Content-Length or chunked alike), must be UTF-8
 * without a single invalid or surrogate-encoding byte, and must be exactly one JSON value (an event
 * object or a non-empty array of them) with no key twice in an object. Anything else is a {@link
 * Refusal} with the status and the reason, before any event is looked at.
 */
final class RequestBody {

  /**
   * The body is not a batch the edge takes; {@code field} is "$" for the body, or the header at
   * fault.
   */
  static final class Refusal extends RuntimeException {
    final int status;
    final String slug;
    final String field;

    Refusal(int status, String slug, String field, String problem) {
      super(problem);
      this.status = status;
      this.slug = slug;
      this.field = field;
    }
  }

  /** Strict JSON: a second document or trailing text fails, and so does a key given twice. */
  static final ObjectMapper STRICT_JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private RequestBody() {}

  /**
   * Refuses a Content-Type other than {@code application/json} (parameters allowed; a charset, if
   * given, must be UTF-8). The file loader reads NDJSON and CSV from files, not over HTTP.
   */
  static void checkContentType(String header) {
    String type = header == null ? "" : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!type.equals("application/json")) {
      throw new Refusal(
          415,
          "unsupported-media-type",
          "Content-Type",
          "must be application/json, was " + (header == null ? "absent" : "'" + header + "'"));
    }
    for (String parameter : header.split(";")) {
      String[] pair = parameter.strip().split("=", 2);
      if (pair.length == 2
          && pair[0].strip().equalsIgnoreCase("charset")
          && !pair[1].strip().replace("\"", "").equalsIgnoreCase("utf-8")) {
        throw new Refusal(
            415,
            "unsupported-media-type",
            "Content-Type",
            "must be UTF-8 JSON, was '" + header + "'");
      }
    }
  }

  /**
   * Reads at most {@code limit} bytes; a body that declares more, or that keeps coming past the
   * limit (chunked), is refused with 413 after reading at most {@code limit + 1} bytes of it.
   */
  static byte[] readBounded(InputStream in, long declaredLength, int limit) throws IOException {
    if (declaredLength > limit) {
      throw tooLarge(limit);
    }
    byte[] body = in.readNBytes(limit + 1);
    if (body.length > limit) {
      throw tooLarge(limit);
    }
    return body;
  }

  private static Refusal tooLarge(int limit) {
    return new Refusal(
        413, "too-large", "$", "is larger than " + limit + " bytes; send smaller batches");
  }

  /** The events of a body: one object, or the elements of a non-empty array. */
  static List<JsonNode> parseBatch(byte[] body) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Refusal(
          400,
          "invalid-request",
          "$",
          "is not valid UTF-8 (" + e.getMessage() + "); nothing was accepted");
    }
    JsonNode root;
    try {
      root = STRICT_JSON.readTree(text);
    } catch (JacksonException e) {
      throw new Refusal(
          400, "invalid-request", "$", "is not one valid JSON value: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new Refusal(
          400, "invalid-request", "$", "is empty: send one JSON event object or an array of them");
    }
    if (root.isObject()) {
      return List.of(root);
    }
    if (!root.isArray() || root.isEmpty()) {
      throw new Refusal(
          400, "invalid-request", "$", "must be a JSON event object or a non-empty array of them");
    }
    List<JsonNode> items = new ArrayList<>(root.size());
    root.forEach(items::add);
    return items;
  }
}
