package dev.routemetrics.streams;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the coverage join needs of an event, keyed by request_id on its way there: of a usage event
 * its channel, time and request count; of a feedback event naming a request its time and whether it
 * is trainable. Nothing else of the event crosses the shuffle.
 */
sealed interface JoinEntry {

  long time();

  record Request(String channelId, long time, int requestCount) implements JoinEntry {}

  record Feedback(long time, boolean trainable) implements JoinEntry {}

  byte REQUEST = 'R';
  byte FEEDBACK = 'F';

  Serde<JoinEntry> SERDE =
      Serdes.serdeFrom(
          (topic, entry) -> entry == null ? null : encode(entry),
          (topic, bytes) -> bytes == null ? null : decode(bytes));

  private static byte[] encode(JoinEntry entry) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      if (entry instanceof Request r) {
        out.writeByte(REQUEST);
        out.writeUTF(r.channelId());
        out.writeLong(r.time());
        out.writeInt(r.requestCount());
      } else {
        Feedback f = (Feedback) entry;
        out.writeByte(FEEDBACK);
        out.writeLong(f.time());
        out.writeBoolean(f.trainable());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static JoinEntry decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte tag = in.readByte();
      if (tag == REQUEST) {
        return new Request(in.readUTF(), in.readLong(), in.readInt());
      }
      if (tag == FEEDBACK) {
        return new Feedback(in.readLong(), in.readBoolean());
      }
      throw new IllegalArgumentException("unknown join entry tag " + tag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
