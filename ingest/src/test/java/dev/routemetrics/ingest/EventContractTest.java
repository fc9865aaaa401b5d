package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three descriptions of an event agree, per family: the hand-written OpenAPI document the
 * ingest serves ({@code ingest/src/main/resources/openapi.yaml}), the Avro schema it writes to
 * Kafka ({@code schemas/avro/*.avsc}), and the ingest's own field rules (the parsers). Each is read
 * from its file in the repository, never a copy: field names, JSON types, required fields,
 * nullability, enum symbols and integer bounds. The parsers are asked by experiment, from a valid
 * event ({@link ValidEvents}): a field is required when its absence is refused naming it, of a type
 * when a value of another JSON type is refused naming it, and so on.
 */
class EventContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static final Path ROOT = repositoryRoot();
  private static final Map<String, String> SCHEMA =
      Map.of("usage", "UsageEvent", "billing", "BillingEvent", "feedback", "FeedbackEvent");

  /**
   * OpenAPI's view of one field: its JSON types (two for Money: a string, or an integral number),
   * nullable, enum symbols, integer bounds, default.
   */
  record ApiField(
      List<String> types,
      boolean nullable,
      List<String> symbols,
      Long minimum,
      Long maximum,
      JsonNode fallback) {}

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"usage", "billing", "feedback"})
  void shouldNameTheSameFieldsInOpenApiAvroAndTheParser(String family) throws IOException {
    Map<String, ApiField> api = openApi(family);
    Schema avro = avro(family);
    assertThat(api.keySet())
        .as("%s: OpenAPI properties vs %s.avsc fields", family, SCHEMA.get(family))
        .containsExactlyInAnyOrderElementsOf(
            avro.getFields().stream().map(Schema.Field::name).toList());
    for (String field : api.keySet()) {
      ObjectNode event = valid(family);
      event.set(field, JSON.createObjectNode().put("nested", 1));
      assertThat(refused(family, event))
          .as("%s.%s: the parser reads it (an object there is refused naming it)", family, field)
          .contains(field);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"usage", "billing", "feedback"})
  void shouldRequireTheSameFields(String family) throws IOException {
    Set<String> apiRequired = new TreeSet<>();
    openApiSchema(family).path("required").forEach(r -> apiRequired.add(r.asText()));
    // Avro's field defaults are for readers of older records; a JSON client may leave out only
    // what OpenAPI gives a default, and that default must be Avro's and the parser's.
    Map<String, ApiField> api = openApi(family);
    Set<String> avroRequired = new TreeSet<>();
    List<String> defaults = new ArrayList<>();
    for (Schema.Field f : avro(family).getFields()) {
      ApiField a = api.get(f.name());
      if (!nullable(f.schema()) && a.fallback() == null) {
        avroRequired.add(f.name());
      }
      if (a.fallback() != null) {
        ObjectNode event = valid(family);
        event.remove(f.name());
        Object parsed =
            ((org.apache.avro.generic.GenericRecord) parse(family, event)).get(f.name());
        if (!f.hasDefaultValue()
            || !a.fallback().asText().equals(String.valueOf(f.defaultVal()))
            || !a.fallback().asText().equals(String.valueOf(parsed))) {
          defaults.add(
              f.name()
                  + ": OpenAPI default "
                  + a.fallback()
                  + ", Avro default "
                  + (f.hasDefaultValue() ? f.defaultVal() : "none")
                  + ", the parser fills in "
                  + parsed);
        }
      }
    }
    assertThat(defaults).as("%s: defaults", family).isEmpty();
    Set<String> parserRequired = new TreeSet<>();
    for (String field : api.keySet()) {
      ObjectNode event = valid(family);
      event.remove(field);
      if (refused(family, event).contains(field)) {
        parserRequired.add(field);
      }
    }
    assertThat(apiRequired)
        .as("%s: OpenAPI required vs Avro fields without null or default", family)
        .isEqualTo(avroRequired);
    assertThat(parserRequired)
        .as("%s: fields the parser refuses to go without vs OpenAPI required", family)
        .isEqualTo(apiRequired);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"usage", "billing", "feedback"})
  void shouldGiveEachFieldTheSameTypeNullabilityAndSymbols(String family) throws IOException {
    Map<String, ApiField> api = openApi(family);
    List<String> disagreements = new ArrayList<>();
    for (Schema.Field f : avro(family).getFields()) {
      ApiField a = api.get(f.name());
      Schema type = nonNull(f.schema());
      List<String> expected =
          switch (type.getType()) {
            case INT, LONG ->
                List.of(
                    type.getLogicalType() instanceof LogicalTypes.TimestampMillis
                        ? "string"
                        : "integer");
            case BOOLEAN -> List.of("boolean");
            case STRING, ENUM -> List.of("string");
            // A decimal: JSON carries it as a Money string, or an integral number.
            case BYTES ->
                type.getLogicalType() instanceof LogicalTypes.Decimal
                    ? List.of("string", "integer")
                    : List.of("unexpected Avro bytes");
            default -> List.of("unexpected Avro type " + type.getType());
          };
      if (!expected.equals(a.types())) {
        disagreements.add(f.name() + ": Avro " + type + " but OpenAPI types " + a.types());
      }
      if (nullable(f.schema()) != a.nullable()) {
        disagreements.add(
            f.name()
                + ": Avro nullable "
                + nullable(f.schema())
                + ", OpenAPI nullable "
                + a.nullable());
      }
      if (type.getType() == Schema.Type.ENUM) {
        List<String> symbols =
            type.getEnumSymbols().stream().filter(s -> !s.equals("UNKNOWN")).toList();
        if (!symbols.equals(a.symbols())) {
          disagreements.add(
              f.name()
                  + ": Avro symbols "
                  + symbols
                  + " (UNKNOWN aside), OpenAPI enum "
                  + a.symbols());
        }
      }
    }
    assertThat(disagreements).as(family).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"usage", "billing", "feedback"})
  void shouldHaveTheParserTakeWhatOpenApiSaysAndRefuseTheRest(String family) throws IOException {
    List<String> disagreements = new ArrayList<>();
    for (Map.Entry<String, ApiField> e : openApi(family).entrySet()) {
      String field = e.getKey();
      ApiField a = e.getValue();
      Function<JsonNode, List<String>> with =
          value -> {
            ObjectNode event = valid(family);
            if (field.equals("reported_request_count")) {
              event
                  .put("kind", "PARTNER_STATEMENT")
                  .put("billed_by", "PARTNER"); // only statements carry it
            }
            event.set(field, value);
            return refused(family, event);
          };
      JsonNode otherType =
          !a.types().contains("integer")
              ? JSON.getNodeFactory().numberNode(1)
              : !a.types().contains("string")
                  ? JSON.getNodeFactory().textNode("1")
                  : JSON.getNodeFactory().booleanNode(true);
      if (!with.apply(otherType).contains(field)) {
        disagreements.add(
            field
                + ": a value of another JSON type than "
                + a.types()
                + " ("
                + otherType
                + ") is taken");
      }
      if (a.nullable() && with.apply(JSON.nullNode()).contains(field)) {
        disagreements.add(field + ": nullable in OpenAPI, but null is refused");
      }
      for (String symbol : a.symbols()) {
        if (with.apply(JSON.getNodeFactory().textNode(symbol)).contains(field)) {
          disagreements.add(field + ": OpenAPI's symbol " + symbol + " is refused");
        }
      }
      if (!a.symbols().isEmpty()
          && !with.apply(JSON.getNodeFactory().textNode("UNKNOWN")).contains(field)) {
        disagreements.add(field + ": UNKNOWN (not in OpenAPI's enum) is taken");
      }
      if (a.types().contains("string") && a.types().contains("integer")) {
        // Money: its bound is probed with every amount of the event at the bound, in a kind whose
        // sign
        // takes it (a REFUND for the minimum), so that only the bound can refuse it.
        with =
            value -> {
              ObjectNode event = valid(family);
              event.put("kind", value.asLong() < 0 ? "REFUND" : "CHARGE");
              for (String amount : List.of("gross_amount", "partner_fee", "net_amount")) {
                event.set(amount, value);
              }
              return refused(family, event);
            };
      }
      if (a.minimum() != null) {
        if (with.apply(JSON.getNodeFactory().numberNode(a.minimum())).contains(field)) {
          disagreements.add(field + ": OpenAPI's minimum " + a.minimum() + " is refused");
        }
        if (!with.apply(JSON.getNodeFactory().numberNode(a.minimum() - 1)).contains(field)) {
          disagreements.add(
              field + ": " + (a.minimum() - 1) + ", below OpenAPI's minimum, is taken");
        }
      }
      if (a.maximum() != null) {
        if (with.apply(JSON.getNodeFactory().numberNode(a.maximum())).contains(field)) {
          disagreements.add(field + ": OpenAPI's maximum " + a.maximum() + " is refused");
        }
        if (!with.apply(JSON.getNodeFactory().numberNode(a.maximum() + 1)).contains(field)) {
          disagreements.add(
              field + ": " + (a.maximum() + 1) + ", above OpenAPI's maximum, is taken");
        }
      }
    }
    assertThat(disagreements).as(family).isEmpty();
  }

  // --- the three sources ---

  /** The fields the parser names when it refuses {@code event}; empty when it takes it. */
  private static List<String> refused(String family, JsonNode event) {
    try {
      parse(family, event);
      return List.of();
    } catch (InvalidEventException e) {
      return e.errors().stream().map(FieldError::field).toList();
    }
  }

  /**
   * The Avro record the parser makes of {@code event}; throws {@link InvalidEventException} when it
   * refuses it.
   */
  private static Object parse(String family, JsonNode event) {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    Duration skew = Duration.ofMinutes(5);
    return switch (family) {
      case "usage" -> new UsageEventParser(registry, clock, skew).parse(event);
      case "billing" -> new BillingEventParser(registry, clock, skew).parse(event);
      case "feedback" -> new FeedbackEventParser(registry, clock, skew).parse(event);
      default -> throw new IllegalArgumentException(family);
    };
  }

  private static ObjectNode valid(String family) {
    ObjectNode event = ValidEvents.of(family, NOW);
    assertThat(refused(family, event))
        .as("fields refused in the valid %s event %s", family, event)
        .isEmpty();
    return event;
  }

  private static JsonNode openApiSchema(String family) throws IOException {
    JsonNode doc =
        new ObjectMapper(new YAMLFactory())
            .readTree(ROOT.resolve("ingest/src/main/resources/openapi.yaml").toFile());
    JsonNode schema = doc.path("components").path("schemas").path(SCHEMA.get(family));
    assertThat(schema.isObject())
        .as("components.schemas.%s in openapi.yaml", SCHEMA.get(family))
        .isTrue();
    return schema;
  }

  /** Each property of the family's OpenAPI schema, with $ref and allOf resolved. */
  private static Map<String, ApiField> openApi(String family) throws IOException {
    JsonNode doc =
        new ObjectMapper(new YAMLFactory())
            .readTree(ROOT.resolve("ingest/src/main/resources/openapi.yaml").toFile());
    JsonNode schemas = doc.path("components").path("schemas");
    Map<String, ApiField> fields = new LinkedHashMap<>();
    openApiSchema(family)
        .path("properties")
        .properties()
        .forEach(
            p -> {
              JsonNode own = p.getValue();
              JsonNode resolved = resolve(own, schemas);
              List<String> symbols = new ArrayList<>();
              resolved.path("enum").forEach(s -> symbols.add(s.asText()));
              List<String> types = new ArrayList<>();
              JsonNode integer = resolved;
              if (resolved.has(
                  "oneOf")) { // Money: a string, or an integral number within the same bound
                for (JsonNode alternative : resolved.get("oneOf")) {
                  types.add(alternative.path("type").asText());
                  if (alternative.path("type").asText().equals("integer")) {
                    integer = alternative;
                  }
                }
              } else {
                types.add(resolved.path("type").asText(null));
              }
              fields.put(
                  p.getKey(),
                  new ApiField(
                      types,
                      own.path("nullable").asBoolean(false)
                          || resolved.path("nullable").asBoolean(false),
                      symbols,
                      integer.has("minimum") ? integer.get("minimum").asLong() : null,
                      integer.has("maximum") ? integer.get("maximum").asLong() : null,
                      resolved.get("default")));
            });
    return fields;
  }

  /**
   * A property's schema: itself, or what its {@code $ref} or single-element {@code allOf} names.
   */
  private static JsonNode resolve(JsonNode property, JsonNode schemas) {
    if (property.has("$ref")) {
      return resolve(
          schemas.path(property.get("$ref").asText().replace("#/components/schemas/", "")),
          schemas);
    }
    if (property.has("allOf")) {
      return resolve(property.get("allOf").get(0), schemas);
    }
    return property;
  }

  private static Schema avro(String family) throws IOException {
    return new Schema.Parser()
        .parse(ROOT.resolve("schemas/avro/" + SCHEMA.get(family) + ".avsc").toFile());
  }

  private static boolean nullable(Schema schema) {
    return schema.getType() == Schema.Type.UNION
        && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
  }

  private static Schema nonNull(Schema schema) {
    return schema.getType() != Schema.Type.UNION
        ? schema
        : schema.getTypes().stream()
            .filter(t -> t.getType() != Schema.Type.NULL)
            .findFirst()
            .orElseThrow();
  }

  /** The repository's root: the first directory up from here that holds schemas/avro. */
  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("schemas/avro"))
          && Files.isRegularFile(dir.resolve("ingest/src/main/resources/openapi.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no schemas/avro above " + Path.of("").toAbsolutePath());
  }
}
