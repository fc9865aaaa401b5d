package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChannelWindowTallyTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  private static UsageEvent request(int i, String account, String endUser) {
    return ChannelMetricsTopologyTest.request("e" + i, "direct-api", T0.plusMillis(i))
        .setAccountId(account)
        .setEndUserRef(endUser)
        .setLatencyMs(i % 1000)
        .build();
  }

  @Test
  void shouldCountDistinctAccountsAndUsersExactlyUpToTenThousand() {
    ChannelWindowTally tally = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
    for (int i = 0; i < 30_000; i++) {
      // 30 000 events over 10 000 users (each three times) and 777 accounts
      tally.add(request(i, "a-" + (i % 777), "u-" + (i % 10_000)));
      if (i % 5_000 == 0) {
        tally =
            ChannelWindowTally.fromBytes(
                tally.toBytes()); // and the same after a trip through the store
      }
    }
    assertThat(tally.visibleEndUsers()).isEqualTo(10_000);
    assertThat(tally.activeAccounts()).isEqualTo(777);
    assertThat(tally.requests).isEqualTo(30_000);
  }

  @Test
  void shouldStayWithinTwoPercentFarAboveTheExactRange() {
    ChannelWindowTally tally = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
    for (int i = 0; i < 200_000; i++) {
      tally.endUsers.add("u-" + i);
    }
    tally = ChannelWindowTally.fromBytes(tally.toBytes());
    assertThat((double) tally.visibleEndUsers())
        .isCloseTo(200_000, org.assertj.core.data.Percentage.withPercentage(2));
  }

  @Test
  void shouldKeepABusyDaysWindowToKilobytesInTheStore() {
    ChannelWindowTally quiet = new ChannelWindowTally("direct-api", WindowSize.MINUTE, 0);
    ChannelWindowTally busy = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
    for (int i = 0; i < 300; i++) {
      quiet.add(request(i, "a-" + i, "u-" + i));
    }
    for (int i = 0; i < 50_000; i++) {
      busy.add(request(i, "a-" + i, "u-" + i));
    }
    // 300 accounts and users: 2 x 300 hashes of 8 bytes, plus the histogram and fields.
    assertThat(quiet.toBytes().length).isLessThan(8 * 1024);
    // 50 000 of each: two HLL images of 2^15 one-byte registers, against 2 x 256 KiB of Theta
    // tables before.
    assertThat(busy.toBytes().length).isLessThan(70 * 1024);
    assertThat(busy.footprintBytes()).isLessThan(70 * 1024);
  }

  @Test
  void shouldCountTheSameWhicheverWayTheEventsWereSplitIntoPartials() {
    for (int distinct : new int[] {5_000, 60_000}) {
      ChannelWindowTally whole = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
      ChannelWindowTally byThirds = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
      ChannelWindowTally[] thirds = new ChannelWindowTally[3];
      ChannelWindowTally reversed = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
      for (int p = 0; p < 3; p++) {
        thirds[p] = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
      }
      for (int i = 0; i < distinct; i++) {
        whole.add(request(i, "a-" + i, "u-" + (i % 1_000)));
        thirds[i % 3].add(request(i, "a-" + i, "u-" + (i % 1_000)));
      }
      for (ChannelWindowTally third : thirds) {
        byThirds.merge(ChannelWindowTally.fromBytes(third.toBytes()));
      }
      for (int i = distinct - 1; i >= 0; i--) {
        ChannelWindowTally one = new ChannelWindowTally("direct-api", WindowSize.DAY, 0);
        one.add(request(i, "a-" + i, "u-" + (i % 1_000)));
        reversed.merge(one);
      }
      assertThat(byThirds.activeAccounts())
          .as("%s accounts in thirds", distinct)
          .isEqualTo(whole.activeAccounts());
      assertThat(reversed.activeAccounts())
          .as("%s accounts one by one, reversed", distinct)
          .isEqualTo(whole.activeAccounts());
      assertThat(byThirds.visibleEndUsers()).isEqualTo(1_000);
      assertThat(byThirds.requests).isEqualTo(distinct);
      assertThat(byThirds.version)
          .as("version counts contributions, not merges")
          .isEqualTo(whole.version)
          .isEqualTo(distinct);
      if (distinct <= DistinctCount.EXACT_LIMIT) {
        assertThat(whole.activeAccounts()).isEqualTo(distinct);
      } else {
        assertThat((double) whole.activeAccounts())
            .isCloseTo(distinct, org.assertj.core.data.Percentage.withPercentage(2));
      }
    }
  }

  @Test
  void shouldReadATallyWrittenInFormatThreeWithItsDeflatedHistogram() throws Exception {
    ChannelWindowTally tally = new ChannelWindowTally("direct-api", WindowSize.HOUR, 0);
    for (int i = 1; i <= 1_000; i++) {
      tally.add(request(i, "a-" + (i % 10), "u-" + (i % 20)));
    }
    byte[] current = tally.toBytes();
    assertThat(current[0]).isEqualTo((byte) 4);
    // Format 3 is format 4 with the histogram block (the image's tail) deflated.
    java.nio.ByteBuffer plain =
        java.nio.ByteBuffer.allocate(tally.latency.getNeededByteBufferCapacity());
    int plainLength = tally.latency.encodeIntoByteBuffer(plain);
    java.nio.ByteBuffer deflated =
        java.nio.ByteBuffer.allocate(tally.latency.getNeededByteBufferCapacity());
    int deflatedLength = tally.latency.encodeIntoCompressedByteBuffer(deflated);
    int head = current.length - plainLength - 4;
    java.io.ByteArrayOutputStream older = new java.io.ByteArrayOutputStream();
    older.write(current, 0, head);
    older.write(java.nio.ByteBuffer.allocate(4).putInt(deflatedLength).array());
    older.write(deflated.array(), 0, deflatedLength);
    byte[] format3 = older.toByteArray();
    format3[0] = 3;

    ChannelWindowTally read = ChannelWindowTally.fromBytes(format3);
    assertThat(read.requests).isEqualTo(1_000);
    assertThat(read.activeAccounts()).isEqualTo(10);
    assertThat(read.visibleEndUsers()).isEqualTo(20);
    // latencies 1..1000 ms (i % 1000, the last one 0): p50 is the 500th smallest, 499 ms, exact
    // below 256 ms
    // and within 1 % above, and the same as the current format's
    assertThat(read.latencyQuantile(0.50))
        .isEqualTo(tally.latencyQuantile(0.50))
        .isCloseTo(499.0, org.assertj.core.data.Offset.offset(5.0));
    assertThat(read.latencyQuantile(0.99)).isEqualTo(tally.latencyQuantile(0.99));
  }

  @Test
  void shouldNotKeepAHistogramForATallyWithoutUsage() {
    ChannelWindowTally learning = new ChannelWindowTally("direct-api", WindowSize.MINUTE, 0);
    learning.addAboutRequest(true);
    ChannelWindowTally read = ChannelWindowTally.fromBytes(learning.toBytes());
    assertThat(read.latency).isNull();
    assertThat(read.latencyQuantile(0.5)).isNull();
    assertThat(read.trainableFeedback).isEqualTo(1);
    ChannelWindowTally merged = new ChannelWindowTally("direct-api", WindowSize.MINUTE, 0);
    merged.merge(read);
    assertThat(merged.latency).isNull();
  }

  @Test
  void shouldRefuseATallyOfAnOlderFormatNamingTheRebuild() {
    byte[] older = new ChannelWindowTally("direct-api", WindowSize.DAY, 0).toBytes();
    older[0] = 2;
    assertThatThrownBy(() -> ChannelWindowTally.fromBytes(older))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("format 2")
        .hasMessageContaining("deploy/rebuild.sh");
  }

  @Test
  void shouldGiveTheSameLatencyQuantilesWhateverTheOrderAndWithinOnePercentOfTheExactOnes() {
    // 5 000 latencies, 1..5000 ms: the exact p50 is 2500 (the 2500th smallest), p95 4750, p99 4950.
    java.util.List<Integer> latencies = new java.util.ArrayList<>();
    for (int ms = 1; ms <= 5_000; ms++) {
      latencies.add(ms);
    }
    ChannelWindowTally ascending = new ChannelWindowTally("direct-api", WindowSize.HOUR, 0);
    latencies.forEach(ms -> ascending.add(withLatency(ms)));
    java.util.Collections.shuffle(latencies, new java.util.Random(7));
    ChannelWindowTally shuffled = new ChannelWindowTally("direct-api", WindowSize.HOUR, 0);
    for (int i = 0; i < latencies.size(); i++) {
      shuffled.add(withLatency(latencies.get(i)));
      if (i == 2_000) {
        shuffled = ChannelWindowTally.fromBytes(shuffled.toBytes());
      }
    }
    for (double rank : new double[] {0.50, 0.95, 0.99}) {
      assertThat(shuffled.latencyQuantile(rank))
          .as("p%s", rank)
          .isEqualTo(ascending.latencyQuantile(rank));
    }
    assertThat(ascending.latencyQuantile(0.50))
        .isCloseTo(2_500, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(ascending.latencyQuantile(0.95))
        .isCloseTo(4_750, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(ascending.latencyQuantile(0.99))
        .isCloseTo(4_950, org.assertj.core.data.Percentage.withPercentage(1));
  }

  private static UsageEvent withLatency(int ms) {
    return ChannelMetricsTopologyTest.request("e" + ms, "direct-api", T0).setLatencyMs(ms).build();
  }

  @Test
  void shouldSurviveTheStoreRoundTripWithEveryField() {
    ChannelWindowTally tally =
        new ChannelWindowTally("cloud-nimbus", WindowSize.HOUR, T0.toEpochMilli());
    tally.add(request(1, "a", null));
    tally.addCovered(3);
    ChannelWindowTally back = ChannelWindowTally.fromBytes(tally.toBytes());
    assertThat(back.channelId).isEqualTo("cloud-nimbus");
    assertThat(back.size).isEqualTo(WindowSize.HOUR);
    assertThat(back.windowStart).isEqualTo(T0.toEpochMilli());
    assertThat(back.version).isEqualTo(2);
    assertThat(back.coveredRequests).isEqualTo(3);
    assertThat(back.newestEventTime).isEqualTo(T0.plusMillis(1).toEpochMilli());
    assertThat(back.latencyQuantile(0.5)).isEqualTo(1.0);
    assertThat(back.visibleEndUsers()).isZero();
  }
}
