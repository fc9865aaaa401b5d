package dev.routemetrics.schemas;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The range of every field an event may carry, declared once for the whole pipeline: the ingest
 * refuses what lies outside (400 naming the field and the bound), and the topology, the Avro
 * records and the ClickHouse columns are sized so that what lies inside can never overflow them,
 * for any realistic volume. Each bound says why it was chosen; {@code
 * ingest/src/main/resources/openapi.yaml} states the same numbers to clients, and {@code
 * docs/reliability.md} ("Bounds and limits at the edge") lists them with what the edge answered
 * before and after they held.
 */
public final class EventBounds {

  private EventBounds() {}

  // ---- money: gross_amount, partner_fee, net_amount ----

  /**
   * Decimal places of every amount: the Avro records carry money as {@code decimal(18, 4)}, and so
   * do the ClickHouse columns ({@code Decimal(18, 4)}); a fifth decimal would be rounded away.
   */
  public static final int MONEY_SCALE = 4;

  /**
   * Total digits of an amount and of every sum of amounts: Avro {@code decimal} precision 18, scale
   * 4.
   */
  public static final int MONEY_PRECISION = 18;

  /**
   * Largest magnitude of one amount, 999,999,999.9999 (under 10^9; at most 9 digits before the
   * point, exactly what the OpenAPI pattern {@code ^-?[0-9]{1,9}(\.[0-9]{1,4})?$} allows). Far
   * above any single charge, refund or partner statement a lab sees, and small enough that a
   * window's sum of {@link #MONEY_SUM_HEADROOM_EVENTS} events each this large still fits {@code
   * decimal(18, 4)}: 100,000 × 999,999,999.9999 = 99,999,999,999,990.0000 has 14 digits before the
   * point, the most precision 18 at scale 4 holds (an inclusive 1,000,000,000 would make that sum
   * exactly 10^14, one digit too many).
   */
  public static final BigDecimal MAX_MONEY = new BigDecimal("999999999.9999");

  /**
   * Events of maximal size whose sum (per channel, window and currency) still fits: see {@link
   * #MAX_MONEY}.
   */
  public static final int MONEY_SUM_HEADROOM_EVENTS = 100_000;

  // ---- counts ----

  /**
   * Most input or output tokens one event may report (0 to 10^9). One request of the largest
   * context windows is a few million tokens; a partner's aggregate report of many requests is
   * bounded by {@link #MAX_REQUEST_COUNT} requests anyway. Window sums are {@code long} (and UInt64
   * in ClickHouse): 9.2 × 10^9 events of this size would be needed to wrap 2^63 − 1.
   */
  public static final long MAX_TOKENS = 1_000_000_000L;

  /** Least requests one usage event stands for: an event is at least one request. */
  public static final int MIN_REQUEST_COUNT = 1;

  /**
   * Most requests one usage event stands for (a partner's aggregate report), 10^6: large enough for
   * an hour of a busy partner route in one record, small enough that no window's request count and
   * no request share is dominated by one record sent in error; sums are {@code long}, so 9.2 ×
   * 10^12 such events would be needed to wrap.
   */
  public static final int MAX_REQUEST_COUNT = 1_000_000;

  /**
   * Longest latency of one request, one hour in milliseconds (0 to 3,600,000): no model request
   * stays open longer, and the latency sketches and {@code int} fields hold it with room to spare.
   */
  public static final int MAX_LATENCY_MS = 3_600_000;

  /**
   * Most requests a partner statement may report for its period, 10^12 (0 to 10^12): a year of
   * 30,000 requests a second is 9.5 × 10^11; far below 2^63 − 1 so reconciliation gaps never wrap.
   */
  public static final long MAX_REPORTED_REQUEST_COUNT = 1_000_000_000_000L;

  /** The feedback score of a RATING: 1 (worst) to 5 (best), as FeedbackEvent.avsc documents it. */
  public static final int MIN_SCORE = 1;

  /** See {@link #MIN_SCORE}. */
  public static final int MAX_SCORE = 5;

  // ---- time: event_time, period_start, period_end ----

  /**
   * Earliest time an event may carry, 2000-01-01T00:00:00Z. ClickHouse 18.16's {@code DateTime}
   * cannot store a time before 1970 (nor after 2105), Kafka refuses a negative record timestamp,
   * and no usage this system measures is older than this century; refusing at the edge keeps a year
   * like {@code -1000000000} from reaching {@code Instant.toEpochMilli()} and overflowing.
   */
  public static final Instant MIN_TIME = Instant.parse("2000-01-01T00:00:00Z");

  /**
   * How far past the receiving server's clock a time may lie, one day: a partner's period may end
   * later today in another time zone, and clocks drift; anything later is a mistake, and the bound
   * keeps every time far below 2105, where 18.16's {@code DateTime} wraps. The ingest's own {@code
   * event_time} skew setting may be tighter, never looser.
   */
  public static final Duration MAX_FUTURE_SKEW = Duration.ofDays(1);

  // ---- identifiers ----

  /**
   * Longest id (event_id, account_id, …) in characters; ids are keys and ORDER BY columns, not
   * documents.
   */
  public static final int MAX_ID_LENGTH = 256;

  // ---- currency ----

  /**
   * ISO 4217 codes that java.util.Currency knows but that are not money one pays a lab in, with
   * why: no currency and testing (XXX, XTS); precious metals (XAU, XAG, XPT, XPD); bond-market and
   * accounting units (XBA, XBB, XBC, XBD, XDR, XSU, XUA, XFO, XFU); funds codes, which name a fund
   * or a unit of account beside a currency (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI); and codes
   * withdrawn from ISO 4217 List One, replaced by another (DEM, FRF, … by EUR; ZWD, ZWN, ZWR, ZWL
   * by ZWG; MRO by MRU; STD by STN; VEB, VEF by VES; SLL by SLE; ANG by XCG; HRK by EUR; USS and
   * CUC withdrawn). A code the running JDK does not know yet is refused too, until the JDK knows
   * it.
   */
  public static final Set<String> NOT_PAYABLE_CURRENCIES =
      Set.of(
          "XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA",
          "XFO", "XFU", "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "ADP", "AFA", "ANG",
          "ATS", "AYM", "AZM", "BEF", "BGL", "BYB", "BYR", "CSD", "CUC", "CYP", "DEM", "EEK", "ESP",
          "FIM", "FRF", "GHC", "GRD", "GWP", "HRK", "IEP", "ITL", "LTL", "LUF", "LVL", "MGF", "MRO",
          "MTL", "MZM", "NLG", "PTE", "ROL", "RUR", "SDD", "SIT", "SKK", "SLL", "SRG", "STD", "TMM",
          "TPE", "TRL", "USS", "VEB", "VEF", "YUM", "ZMK", "ZWD", "ZWL", "ZWN", "ZWR");

  /**
   * The currencies an amount may be in: java.util.Currency's codes minus {@link
   * #NOT_PAYABLE_CURRENCIES}.
   */
  public static final SortedSet<String> CURRENCIES =
      Currency.getAvailableCurrencies().stream()
          .map(Currency::getCurrencyCode)
          .filter(code -> !NOT_PAYABLE_CURRENCIES.contains(code))
          .collect(Collectors.toCollection(TreeSet::new));

  /** True for an active ISO 4217 code money is paid in, e.g. USD or EUR (not XAU, XXX or DEM). */
  public static boolean isPayableCurrency(String code) {
    return code != null && CURRENCIES.contains(code);
  }
}
