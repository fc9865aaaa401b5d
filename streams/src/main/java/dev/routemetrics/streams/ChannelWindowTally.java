package dev.routemetrics.streams;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.windows.WindowSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.HdrHistogram.IntCountsHistogram;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Everything one channel did in one window: plain sums, two distinct counts ({@link DistinctCount})
 * and a latency histogram. The same class is both a partial tally (what one task folded between two
 * emits, shipped across the shuffle) and the window's total (the merge of every partial): sums add,
 * distinct counts and histograms merge. {@code version} counts the contributions folded in (events,
 * feedback about the window's requests, requests newly covered), so it grows with every change of
 * the window and does not depend on how contributions were batched into partials: a rebuild reports
 * the same version as the live run.
 *
 * <p>Learning (docs/domain.md#learning-retention): {@code feedbackEvents}, {@code
 * trainableFeedback} and {@code coveredRequests} are about this window's requests (the coverage
 * join attributes them); {@code feedbackReceived} and {@code trainableReceived} count feedback by
 * its own event_time.
 *
 * <p>Latency quantiles come from an HdrHistogram (2 significant digits: exact below 256 ms, within
 * 1 % above) rather than KLL: KLL compacts at random, so a replay folding the same latencies in
 * another order gave another p99; histogram counts do not depend on the order.
 */
final class ChannelWindowTally {

  static final int LATENCY_SIGNIFICANT_DIGITS = 2;

  /** The histogram grows past this on its own; it only sizes the first allocation. */
  private static final long LATENCY_FIRST_HIGHEST_MS = 60_000;

  /**
   * 4: the latency histogram in HdrHistogram's plain encoding (run-length zigzag counts). 3 (read
   * too) deflated it: a Deflater per tally was a tenth of the stream thread's time in
   * bench-streams, for a few hundred bytes saved. 3 brought distinct counts as {@link
   * DistinctCount} (exact set, then HLL) and learning by the request's window. Format 2 (Theta
   * sketches, feedback by its own window) is not read: state written by an older version is derived
   * again from the event log (deploy/rebuild.sh).
   */
  static final byte FORMAT = 4;

  private static final byte DEFLATED_LATENCY_FORMAT = 3;

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
  long feedbackReceived;
  long trainableReceived;

  /** Newest usage event_time folded in, or {@link Long#MIN_VALUE} before the first. */
  long newestEventTime = Long.MIN_VALUE;

  DistinctCount accounts;
  DistinctCount endUsers;

  /** Null until a usage event (or a partial with one) comes: learning partials never need one. */
  IntCountsHistogram latency;

  ChannelWindowTally(String channelId, WindowSize size, long windowStart) {
    this(channelId, size, windowStart, new DistinctCount(), new DistinctCount());
  }

  private ChannelWindowTally(
      String channelId,
      WindowSize size,
      long windowStart,
      DistinctCount accounts,
      DistinctCount endUsers) {
    this.channelId = channelId;
    this.size = size;
    this.windowStart = windowStart;
    this.accounts = accounts;
    this.endUsers = endUsers;
  }

  /** Heap this tally takes, about: its distinct counts, histogram counts and fields. */
  long footprintBytes() {
    return 256L
        + accounts.footprintBytes()
        + endUsers.footprintBytes()
        + (latency == null ? 0 : latency.getEstimatedFootprintInBytes());
  }

  private static IntCountsHistogram newLatency() {
    IntCountsHistogram h =
        new IntCountsHistogram(LATENCY_FIRST_HIGHEST_MS, LATENCY_SIGNIFICANT_DIGITS);
    h.setAutoResize(true);
    return h;
  }

  void add(UsageEvent e) {
    int count = e.getRequestCount();
    // All or nothing: an overflow (which the edge's bounds rule out) leaves the tally as it was.
    long newRequests = Math.addExact(requests, count);
    long newInput = Math.addExact(inputTokens, e.getInputTokens());
    long newOutput = Math.addExact(outputTokens, e.getOutputTokens());
    usageEvents++;
    requests = newRequests;
    inputTokens = newInput;
    outputTokens = newOutput;
    if (e.getOutcome() != Outcome.SUCCESS) {
      errorRequests += count;
    }
    String endUser = e.getEndUserRef();
    if (endUser != null && !endUser.isEmpty()) {
      identifiedRequests += count;
      endUsers.add(endUser);
    }
    if (e.getTelemetry() == TelemetryLevel.FULL) {
      fullTelemetryRequests += count;
    }
    accounts.add(e.getAccountId());
    if (latency == null) {
      latency = newLatency();
    }
    latency.recordValue(Math.max(0, e.getLatencyMs()));
    newestEventTime = Math.max(newestEventTime, e.getEventTime().toEpochMilli());
    version++;
  }

  /** Feedback by its own event_time window: what came in when. */
  void addReceived(FeedbackEvent e) {
    feedbackReceived++;
    if (e.getTrainable()) {
      trainableReceived++;
    }
    version++;
  }

  /** Feedback about one of this window's requests, arrived within the horizon. */
  void addAboutRequest(boolean trainable) {
    feedbackEvents++;
    if (trainable) {
      trainableFeedback++;
    }
    version++;
  }

  /** One of this window's requests received its first feedback within the horizon. */
  void addCovered(int requestCount) {
    coveredRequests += requestCount;
    version++;
  }

  /**
   * Folds a partial tally of the same window in, or throws {@link ArithmeticException} and leaves
   * this tally as it was when a sum would overflow (the edge's bounds make that take billions of
   * events).
   */
  void merge(ChannelWindowTally p) {
    long[] sums = {
      Math.addExact(usageEvents, p.usageEvents), Math.addExact(requests, p.requests),
      Math.addExact(inputTokens, p.inputTokens), Math.addExact(outputTokens, p.outputTokens),
      Math.addExact(identifiedRequests, p.identifiedRequests),
          Math.addExact(errorRequests, p.errorRequests),
      Math.addExact(fullTelemetryRequests, p.fullTelemetryRequests),
          Math.addExact(coveredRequests, p.coveredRequests),
      Math.addExact(version, p.version)
    };
    usageEvents = sums[0];
    requests = sums[1];
    inputTokens = sums[2];
    outputTokens = sums[3];
    identifiedRequests = sums[4];
    errorRequests = sums[5];
    fullTelemetryRequests = sums[6];
    coveredRequests = sums[7];
    version = sums[8];
    feedbackEvents += p.feedbackEvents;
    trainableFeedback += p.trainableFeedback;
    feedbackReceived += p.feedbackReceived;
    trainableReceived += p.trainableReceived;
    newestEventTime = Math.max(newestEventTime, p.newestEventTime);
    accounts.merge(p.accounts);
    endUsers.merge(p.endUsers);
    if (p.latency != null && p.latency.getTotalCount() > 0) {
      if (latency == null) {
        latency = newLatency();
      }
      latency.add(p.latency);
    }
  }

  long activeAccounts() {
    return accounts.estimate();
  }

  long visibleEndUsers() {
    return endUsers.estimate();
  }

  /**
   * The latency quantile (the smallest recorded value at or above {@code rank} of the events, to
   * the histogram's precision), or null for a window without usage.
   */
  Double latencyQuantile(double rank) {
    return latency == null || latency.getTotalCount() == 0
        ? null
        : (double) latency.lowestEquivalentValue(latency.getValueAtPercentile(rank * 100));
  }

  static final Serde<ChannelWindowTally> SERDE =
      Serdes.serdeFrom(
          (topic, tally) -> tally == null ? null : tally.toBytes(),
          (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(channelId);
      out.writeByte(size.stateCode());
      out.writeLong(windowStart);
      for (long v :
          new long[] {
            version,
            usageEvents,
            requests,
            inputTokens,
            outputTokens,
            identifiedRequests,
            errorRequests,
            fullTelemetryRequests,
            feedbackEvents,
            trainableFeedback,
            coveredRequests,
            feedbackReceived,
            trainableReceived,
            newestEventTime
          }) {
        out.writeLong(v);
      }
      accounts.writeTo(out);
      endUsers.writeTo(out);
      if (latency == null || latency.getTotalCount() == 0) {
        out.writeInt(0);
      } else {
        ByteBuffer encoded = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
        int length = latency.encodeIntoByteBuffer(encoded);
        out.writeInt(length);
        out.write(encoded.array(), 0, length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static ChannelWindowTally fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT && format != DEFLATED_LATENCY_FORMAT) {
        throw new IllegalStateException(
            "channel window tally in format "
                + format
                + ", this version reads "
                + FORMAT
                + ": state written by an older version is derived again from the event log with"
                + " deploy/rebuild.sh");
      }
      String channelId = in.readUTF();
      WindowSize size = WindowSize.ofStateCode(in.readByte());
      long windowStart = in.readLong();
      ChannelWindowTally t = new ChannelWindowTally(channelId, size, windowStart, null, null);
      // In toBytes' order.
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
      t.feedbackReceived = in.readLong();
      t.trainableReceived = in.readLong();
      t.newestEventTime = in.readLong();
      t.accounts = DistinctCount.readFrom(in);
      t.endUsers = DistinctCount.readFrom(in);
      byte[] latency = readBlock(in);
      if (latency.length > 0) {
        t.latency =
            format == DEFLATED_LATENCY_FORMAT
                ? IntCountsHistogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(latency), 0)
                : IntCountsHistogram.decodeFromByteBuffer(ByteBuffer.wrap(latency), 0);
        t.latency.setAutoResize(true);
      }
      return t;
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalStateException(
          "channel window tally with an unreadable latency histogram", e);
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
