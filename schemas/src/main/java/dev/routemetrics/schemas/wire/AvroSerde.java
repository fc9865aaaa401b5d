package dev.routemetrics.schemas.wire;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for the project's records in Avro's single-object encoding: the two marker bytes
 * {@code C3 01}, the schema's 8-byte CRC-64-AVRO fingerprint (little-endian), then the Avro binary
 * body. Every record names its schema, so any Avro client holding the published {@code .avsc} files
 * can read a topic without a schema-registry server.
 *
 * <pre>{@code
 * Serde<UsageEvent> serde = AvroSerde.of(UsageEvent.class);
 * }</pre>
 *
 * <p>Loading this class declares the generated records' packages trusted to Avro ({@link
 * #TRUSTED_PACKAGES}), once per process, for every process and test that reads or writes a record.
 */
public final class AvroSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  /**
   * The packages of our generated records and enums. Since 1.12.2 Avro builds a class it finds by a
   * schema's name (a record, an enum) only when {@link ClassSecurityValidator} trusts it, and by
   * default it trusts a few {@code java.lang} types only ("Forbidden
   * dev.routemetrics.events.UsageEvent! This class is not trusted", apache/avro#3693). Exactly
   * these two packages, not their subpackages nor {@code dev.routemetrics} as a whole: only the
   * classes generated from our {@code .avsc} files are built from what a record names.
   */
  public static final Set<String> TRUSTED_PACKAGES =
      Set.of("dev.routemetrics.events", "dev.routemetrics.metrics");

  static {
    // Added to whatever was trusted before (the defaults, the org.apache.avro.SERIALIZABLE_*
    // system properties), not in their place. getPackageName does not initialize the class, as
    // the validator requires.
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            type -> TRUSTED_PACKAGES.contains(type.getPackageName())));
  }

  /**
   * Makes sure our records are trusted in this process: loading this class is what declares it, so
   * this does nothing else. For code that builds records without ever reading or writing one
   * through this serde (the simulator copies records with their builders, and a copy looks each
   * enum's class up by name).
   */
  public static void trustOurRecords() {
    // The static initializer above has run by the time this is called.
  }

  /** Bytes before the Avro body: the marker {@code C3 01} and the 8-byte fingerprint. */
  public static final int HEADER_BYTES = 10;

  private static final VarHandle LITTLE_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Whether {@code data} starts like a record in single-object encoding, for readers that pick the
   * writer's layout themselves by {@link #writerFingerprint}.
   */
  public static boolean isSingleObject(byte[] data) {
    return data.length >= HEADER_BYTES && data[0] == (byte) 0xC3 && data[1] == 0x01;
  }

  /** The fingerprint of the schema {@code data} was written with; {@link #isSingleObject} first. */
  public static long writerFingerprint(byte[] data) {
    return (long) LITTLE_ENDIAN_LONG.get(data, 2);
  }

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type) {
    this.type = type;
    // The generated class's own model carries its logical-type conversions (timestamps, decimals).
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
  }

  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type);
  }

  /** Lets this reader decode records written with an older (or newer) version of its schema. */
  public AvroSerde<T> alsoReading(Schema writerSchema) {
    decoder.addSchema(writerSchema);
    return this;
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] serialize(String topic, T data) {
    return data == null ? null : encode(data);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return data == null ? null : decode(data);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}
}
