package dev.routemetrics.streams;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.datasketches.memory.Memory;
import java.nio.ByteBuffer;
import org.HdrHistogram.IntCountsHistogram;
import org.apache.datasketches.theta.UpdateSketch;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Everything one channel did in one window, folded contribution by contribution: plain sums, two
 * distinct-count sketches and a latency quantile sketch. {@code version} counts the folds, so every
 * change of the window is emitted with a higher version than the one before.
 *
 * <p>Distinct counts use a Theta sketch with 2^14 nominal entries rather than HLL: below its
 * nominal entries (and up to the first rebuild, a little past them) a Theta sketch keeps every
 * 64-bit hash, so its estimate is the exact count well past the 10 000 DOMAIN.md requires exact; above,
 * its relative standard error is 1/sqrt(16384) = 0.8 %, within the 2 % promise. HLL with lgK 12
 * leaves its exact coupon mode after a few hundred items.
 */
final class ChannelWindowTally {

  static final int DISTINCT_NOMINAL_ENTRIES = 1 << 14;
  static final int LATENCY_SIGNIFICANT_DIGITS = 2;
  /** The histogram grows past this on its own; it only sizes the first allocation. */
  private static final long LATENCY_FIRST_HIGHEST_MS = 60_000;
  private static final byte FORMAT = 2;

  final String channelId;
  final WindowSize size;
  final long windowStart;
  long version;
  long usageEvents;
  long requests;
  long inputTokens;
  long outputTokens;
  long identifiedRequests;
  long errorRequests;
  long fullTelemetryRequests;
  long feedbackEvents;
  long trainableFeedback;
  long coveredRequests;
  /** Newest usage event_time folded in, or {@link Long#MIN_VALUE} before the first. */
  long newestEventTime = Long.MIN_VALUE;
  UpdateSketch accounts;
  UpdateSketch endUsers;
  IntCountsHistogram latency;

  ChannelWindowTally(String channelId, WindowSize size, long windowStart) {
    this.channelId = channelId;
    this.size = size;
    this.windowStart = windowStart;
    this.accounts = newDistinct();
    this.endUsers = newDistinct();
    this.latency = newLatency();
  }

  /** Heap this tally takes, about: its sketches' tables and histogram counts, and its fields. */
  long footprintBytes() {
    return 256L + accounts.getCurrentBytes() + endUsers.getCurrentBytes() + latency.getEstimatedFootprintInBytes();
  }

  private static IntCountsHistogram newLatency() {
    IntCountsHistogram h = new IntCountsHistogram(LATENCY_FIRST_HIGHEST_MS, LATENCY_SIGNIFICANT_DIGITS);
    h.setAutoResize(true);
    return h;
  }

  private static UpdateSketch newDistinct() {
    return UpdateSketch.builder().setNominalEntries(DISTINCT_NOMINAL_ENTRIES).build();
  }

  void add(UsageEvent e) {
    int count = e.getRequestCount();
    usageEvents++;
    requests += count;
    inputTokens += e.getInputTokens();
    outputTokens += e.getOutputTokens();
    if (e.getOutcome() != Outcome.SUCCESS) {
      errorRequests += count;
    }
    String endUser = e.getEndUserRef();
    if (endUser != null && !endUser.isEmpty()) {
      identifiedRequests += count;
      endUsers.update(endUser);
    }
    if (e.getTelemetry() == TelemetryLevel.FULL) {
      fullTelemetryRequests += count;
    }
    accounts.update(e.getAccountId());
    latency.recordValue(Math.max(0, e.getLatencyMs()));
    newestEventTime = Math.max(newestEventTime, e.getEventTime().toEpochMilli());
    version++;
  }

  void add(FeedbackEvent e) {
    feedbackEvents++;
    if (e.getTrainable()) {
      trainableFeedback++;
    }
    version++;
  }

  void addCovered(int requestCount) {
    coveredRequests += requestCount;
    version++;
  }

  long activeAccounts() {
    return Math.round(accounts.getEstimate());
  }

  long visibleEndUsers() {
    return Math.round(endUsers.getEstimate());
  }

  /**
   * The latency quantile (the smallest recorded value at or above {@code rank} of the events, to the
   * histogram's precision), or null for a window without usage.
   */
  Double latencyQuantile(double rank) {
    return latency.getTotalCount() == 0 ? null
        : (double) latency.lowestEquivalentValue(latency.getValueAtPercentile(rank * 100));
  }

  static final Serde<ChannelWindowTally> SERDE = Serdes.serdeFrom(
      (topic, tally) -> tally == null ? null : tally.toBytes(),
      (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(channelId);
      out.writeByte(size.ordinal());
      out.writeLong(windowStart);
      for (long v : new long[] {version, usageEvents, requests, inputTokens, outputTokens, identifiedRequests,
          errorRequests, fullTelemetryRequests, feedbackEvents, trainableFeedback, coveredRequests, newestEventTime}) {
        out.writeLong(v);
      }
      writeBlock(out, accounts.toByteArray());
      writeBlock(out, endUsers.toByteArray());
      ByteBuffer encoded = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
      int length = latency.encodeIntoCompressedByteBuffer(encoded);
      writeBlock(out, java.util.Arrays.copyOf(encoded.array(), length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static ChannelWindowTally fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("unknown channel window tally format " + format);
      }
      ChannelWindowTally t = new ChannelWindowTally(in.readUTF(), WindowSize.values()[in.readByte()], in.readLong());
      t.version = in.readLong();
      t.usageEvents = in.readLong();
      t.requests = in.readLong();
      t.inputTokens = in.readLong();
      t.outputTokens = in.readLong();
      t.identifiedRequests = in.readLong();
      t.errorRequests = in.readLong();
      t.fullTelemetryRequests = in.readLong();
      t.feedbackEvents = in.readLong();
      t.trainableFeedback = in.readLong();
      t.coveredRequests = in.readLong();
      t.newestEventTime = in.readLong();
      t.accounts = UpdateSketch.heapify(Memory.wrap(readBlock(in)));
      t.endUsers = UpdateSketch.heapify(Memory.wrap(readBlock(in)));
      t.latency = IntCountsHistogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(readBlock(in)), 0);
      t.latency.setAutoResize(true);
      return t;
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalStateException("channel window tally with an unreadable latency histogram", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeBlock(DataOutputStream out, byte[] block) throws IOException {
    out.writeInt(block.length);
    out.write(block);
  }

  static byte[] readBlock(DataInputStream in) throws IOException {
    byte[] block = new byte[in.readInt()];
    in.readFully(block);
    return block;
  }
}
