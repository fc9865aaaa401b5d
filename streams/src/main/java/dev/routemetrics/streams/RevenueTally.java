package dev.routemetrics.streams;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.schemas.windows.WindowSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One channel's revenue in one window and one currency: exact decimal sums of CHARGE, REFUND and
 * CREDIT events, whose amounts are already signed (refunds and credits negative).
 */
final class RevenueTally {

  private static final byte FORMAT = 1;

  final String channelId;
  final WindowSize size;
  final long windowStart;
  final String currency;
  long version;
  long billingEvents;
  BigDecimal gross = BigDecimal.ZERO;

  /** Net of the events whose gross is known, so capture_rate compares like with like. */
  BigDecimal netWhereGrossKnown = BigDecimal.ZERO;

  BigDecimal partnerFee = BigDecimal.ZERO;
  BigDecimal net = BigDecimal.ZERO;
  BigDecimal netBilledByLab = BigDecimal.ZERO;

  RevenueTally(String channelId, WindowSize size, long windowStart, String currency) {
    this.channelId = channelId;
    this.size = size;
    this.windowStart = windowStart;
    this.currency = currency;
  }

  void add(BillingEvent e) {
    billingEvents++;
    if (e.getGrossAmount() != null) {
      gross = gross.add(e.getGrossAmount());
      netWhereGrossKnown = netWhereGrossKnown.add(e.getNetAmount());
    }
    partnerFee = partnerFee.add(e.getPartnerFee());
    net = net.add(e.getNetAmount());
    if (e.getBilledBy() == BilledBy.LAB) {
      netBilledByLab = netBilledByLab.add(e.getNetAmount());
    }
    version++;
  }

  /** The revenue rows' decimals hold 18 digits at scale 4: sums must stay below 10^14. */
  static final BigDecimal LIMIT = new BigDecimal("100000000000000");

  /**
   * Folds a partial tally of the same window and currency in, or throws {@link ArithmeticException}
   * (leaving this tally as it was) when a sum would no longer fit the revenue row.
   */
  void merge(RevenueTally p) {
    BigDecimal[] sums = {
      gross.add(p.gross),
      netWhereGrossKnown.add(p.netWhereGrossKnown),
      partnerFee.add(p.partnerFee),
      net.add(p.net),
      netBilledByLab.add(p.netBilledByLab)
    };
    for (BigDecimal sum : sums) {
      if (sum.abs().compareTo(LIMIT) >= 0) {
        throw new ArithmeticException(
            "revenue of "
                + channelId
                + " "
                + size
                + " "
                + java.time.Instant.ofEpochMilli(windowStart)
                + " "
                + currency
                + " would reach "
                + sum.toPlainString()
                + ", past the 18 digits a revenue row holds");
      }
    }
    gross = sums[0];
    netWhereGrossKnown = sums[1];
    partnerFee = sums[2];
    net = sums[3];
    netBilledByLab = sums[4];
    billingEvents += p.billingEvents;
    version += p.version;
  }

  static final Serde<RevenueTally> SERDE =
      Serdes.serdeFrom(
          (topic, tally) -> tally == null ? null : tally.toBytes(),
          (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(channelId);
      out.writeByte(size.stateCode());
      out.writeLong(windowStart);
      out.writeUTF(currency);
      out.writeLong(version);
      out.writeLong(billingEvents);
      for (BigDecimal amount :
          new BigDecimal[] {gross, netWhereGrossKnown, partnerFee, net, netBilledByLab}) {
        out.writeUTF(amount.toPlainString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static RevenueTally fromBytes(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalStateException("unknown revenue tally format " + format);
      }
      RevenueTally t =
          new RevenueTally(
              in.readUTF(), WindowSize.ofStateCode(in.readByte()), in.readLong(), in.readUTF());
      t.version = in.readLong();
      t.billingEvents = in.readLong();
      t.gross = new BigDecimal(in.readUTF());
      t.netWhereGrossKnown = new BigDecimal(in.readUTF());
      t.partnerFee = new BigDecimal(in.readUTF());
      t.net = new BigDecimal(in.readUTF());
      t.netBilledByLab = new BigDecimal(in.readUTF());
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
