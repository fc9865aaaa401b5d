package dev.routemetrics.streams;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the coverage join knows about one request_id: its usage (once seen), whether it is covered
 * already, and the times of feedback that arrived before its usage did.
 */
final class RequestFeedback {

  private static final byte FORMAT = 1;
  private static final long[] NONE = new long[0];

  /** Channel of the usage, or null while only feedback has been seen. */
  String usageChannel;
  long usageTime;
  int requestCount;
  boolean covered;
  long[] pendingFeedbackTimes = NONE;

  boolean hasUsage() {
    return usageChannel != null;
  }

  void addPending(long feedbackTime) {
    pendingFeedbackTimes = Arrays.copyOf(pendingFeedbackTimes, pendingFeedbackTimes.length + 1);
    pendingFeedbackTimes[pendingFeedbackTimes.length - 1] = feedbackTime;
  }

  /** The newest event time this state matters for: the usage's, or else its newest pending feedback's. */
  long referenceTime() {
    return hasUsage() ? usageTime : Arrays.stream(pendingFeedbackTimes).max().orElse(Long.MIN_VALUE);
  }

  static final Serde<RequestFeedback> SERDE = Serdes.serdeFrom(
      (topic, state) -> state == null ? null : state.toBytes(),
      (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeBoolean(hasUsage());
      if (hasUsage()) {
        out.writeUTF(usageChannel);
        out.writeLong(usageTime);
        out.writeInt(requestCount);
      }
      out.writeBoolean(covered);
      out.writeInt(pendingFeedbackTimes.length);
      for (long t : pendingFeedbackTimes) {
        out.writeLong(t);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static RequestFeedback fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("unknown request feedback format " + format);
      }
      RequestFeedback s = new RequestFeedback();
      if (in.readBoolean()) {
        s.usageChannel = in.readUTF();
        s.usageTime = in.readLong();
        s.requestCount = in.readInt();
      }
      s.covered = in.readBoolean();
      long[] pending = new long[in.readInt()];
      for (int i = 0; i < pending.length; i++) {
        pending[i] = in.readLong();
      }
      s.pendingFeedbackTimes = pending;
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
