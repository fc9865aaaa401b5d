package dev.routemetrics.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What one API key may hold of the edge, so that no key can starve the others: at most {@code
 * maxConcurrent} requests at once (each holds a server thread while its body arrives), and requests
 * at a sustained {@code ratePerSecond} with bursts up to {@code burst} (a token bucket). A refused
 * request costs the edge nothing but its headers: it is answered 429 before its body is read.
 */
final class KeyLimits {

  /**
   * The answer for one request: admitted with a lease to close when the request ends, or refused.
   */
  sealed interface Admission permits Admitted, Refused {}

  /** Admitted: {@link #close()} exactly once, when the answer is sent (whatever it is). */
  static final class Admitted implements Admission, AutoCloseable {
    private final Semaphore concurrent;
    private final AtomicInteger open;
    private boolean closed;

    private Admitted(Semaphore concurrent, AtomicInteger open) {
      this.concurrent = concurrent;
      this.open = open;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        concurrent.release();
        open.decrementAndGet();
      }
    }
  }

  /** Refused, with the seconds after which a retry can succeed (the Retry-After header). */
  record Refused(String reason, long retryAfterSeconds, String detail) implements Admission {}

  private final int maxConcurrent;
  private final double ratePerSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();

  KeyLimits(int maxConcurrent, double ratePerSecond, int burst, LongSupplier nanoTime) {
    this.maxConcurrent = maxConcurrent;
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
  }

  /** Requests admitted and not yet answered, over all keys. */
  int open() {
    return open.get();
  }

  Admission admit(String keyId) {
    KeyState key = keys.computeIfAbsent(keyId, k -> new KeyState(burst, nanoTime.getAsLong()));
    long waitNanos = key.take(ratePerSecond, burst, nanoTime.getAsLong());
    if (waitNanos > 0) {
      return new Refused(
          "rate-limited",
          Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L),
          "key '"
              + keyId
              + "' may send "
              + (long) ratePerSecond
              + " requests a second (bursts of "
              + (long) burst
              + "); nothing was accepted, retry after Retry-After seconds");
    }
    if (!key.concurrent.tryAcquire()) {
      return new Refused(
          "too-many-concurrent",
          1,
          "key '"
              + keyId
              + "' already has "
              + maxConcurrent
              + " requests in progress, the most one key may hold; nothing was accepted, retry when"
              + " one has been answered");
    }
    open.incrementAndGet();
    return new Admitted(key.concurrent, open);
  }

  private final class KeyState {
    final Semaphore concurrent = new Semaphore(maxConcurrent);
    private double tokens;
    private long refilledAt;

    KeyState(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }

    /** Takes one token and answers 0, or answers how many nanoseconds until one is there. */
    synchronized long take(double rate, double capacity, long now) {
      tokens = Math.min(capacity, tokens + (now - refilledAt) * rate / 1e9);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / rate * 1e9);
    }
  }
}
