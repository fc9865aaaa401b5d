package dev.routemetrics.warehouse.sink;

import dev.routemetrics.warehouse.ClickHouse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The second stage of a {@link SinkWorker}: inserts batches on a thread of its own, one after the
 * other in the order given, so that the worker reads and decodes the next batch while ClickHouse
 * takes this one. It never touches the consumer (which is not thread-safe); the worker learns the
 * outcome from the returned future and commits, or rewinds, itself.
 */
final class BatchInserter<V> implements AutoCloseable {

  private final TableWriter<V> writer;
  private final ClickHouse clickHouse;
  private final SinkTelemetry.Topic meters;
  private final ExecutorService thread;

  BatchInserter(String name, TableWriter<V> writer, ClickHouse clickHouse, SinkTelemetry.Topic meters) {
    this.writer = writer;
    this.clickHouse = clickHouse;
    this.meters = meters;
    this.thread = Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, name);
      // An insert stuck in a socket read must not keep the JVM alive after the worker stopped:
      // whatever it was writing is uncommitted, so it will be read and written again.
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Inserts {@code rows} once every earlier batch is done; the future completes when ClickHouse
   * acknowledged all of them, or with what the writer threw (an {@link java.sql.SQLException} when
   * ClickHouse did not take them). No rows: nothing to insert, done at once.
   */
  Future<?> insert(List<V> rows) {
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return thread.submit(() -> {
      long started = System.nanoTime();
      try (Connection connection = clickHouse.connect()) {
        writer.insert(connection, rows);
      } catch (SQLException e) {
        meters.insertFailed(Duration.ofNanos(System.nanoTime() - started));
        throw clickHouse.explained(e);
      }
      meters.inserted(rows.size(), Duration.ofNanos(System.nanoTime() - started));
      return null;
    });
  }

  /** Lets a running insert finish for a while (its outcome is then the caller's to use or drop). */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
