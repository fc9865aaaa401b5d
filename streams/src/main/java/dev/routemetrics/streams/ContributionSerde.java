package dev.routemetrics.streams;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Internal wire format of {@link Contribution} on the topology's own repartition topics: one tag
 * byte, then the event in its family's single-object encoding (so schema evolution of the events
 * applies unchanged), or for {@link Contribution.Covered} its three fields.
 */
final class ContributionSerde implements Serde<Contribution>, Serializer<Contribution>, Deserializer<Contribution> {

  private static final byte USAGE = 'U';
  private static final byte FEEDBACK = 'F';
  private static final byte COVERED = 'C';

  private final AvroSerde<UsageEvent> usage = AvroSerde.of(UsageEvent.class);
  private final AvroSerde<FeedbackEvent> feedback = AvroSerde.of(FeedbackEvent.class);

  @Override
  public byte[] serialize(String topic, Contribution contribution) {
    if (contribution == null) {
      return null;
    }
    if (contribution instanceof Contribution.Usage u) {
      return tagged(USAGE, usage.encode(u.event()));
    }
    if (contribution instanceof Contribution.Feedback f) {
      return tagged(FEEDBACK, feedback.encode(f.event()));
    }
    Contribution.Covered c = (Contribution.Covered) contribution;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(COVERED);
      out.writeUTF(c.channelId());
      out.writeLong(c.requestTime());
      out.writeInt(c.requestCount());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Contribution deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    byte[] rest = Arrays.copyOfRange(data, 1, data.length);
    switch (data[0]) {
      case USAGE:
        return new Contribution.Usage(usage.decode(rest));
      case FEEDBACK:
        return new Contribution.Feedback(feedback.decode(rest));
      case COVERED:
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(rest))) {
          return new Contribution.Covered(in.readUTF(), in.readLong(), in.readInt());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      default:
        throw new IllegalArgumentException("unknown contribution tag " + data[0] + " on topic " + topic);
    }
  }

  private static byte[] tagged(byte tag, byte[] payload) {
    byte[] out = new byte[payload.length + 1];
    out[0] = tag;
    System.arraycopy(payload, 0, out, 1, payload.length);
    return out;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  @Override
  public Serializer<Contribution> serializer() {
    return this;
  }

  @Override
  public Deserializer<Contribution> deserializer() {
    return this;
  }
}
