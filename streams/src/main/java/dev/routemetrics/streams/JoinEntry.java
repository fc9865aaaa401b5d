package dev.routemetrics.streams;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What the coverage join needs of an event, on its way there in a {@link JoinBatch}: of a usage
 * event its channel, time and request count; of a feedback event naming a request its time and
 * whether it is trainable. Nothing else of the event crosses the shuffle.
 */
sealed interface JoinEntry {

  long time();

  record Request(String channelId, long time, int requestCount) implements JoinEntry {}

  record Feedback(long time, boolean trainable) implements JoinEntry {}

  byte REQUEST = 'R';
  byte FEEDBACK = 'F';

  static void writeTo(JoinEntry entry, DataOutput out) throws IOException {
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
  }

  static JoinEntry readFrom(DataInput in) throws IOException {
    byte tag = in.readByte();
    if (tag == REQUEST) {
      return new Request(in.readUTF(), in.readLong(), in.readInt());
    }
    if (tag == FEEDBACK) {
      return new Feedback(in.readLong(), in.readBoolean());
    }
    throw new IllegalArgumentException("unknown join entry tag " + tag);
  }
}
