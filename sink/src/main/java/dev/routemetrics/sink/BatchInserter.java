package dev.routemetrics.sink;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second stage of a {@link SinkWorker}: inserts batches on a thread of its own, one after the
 * other in the order given, so that the worker reads and decodes the next batch while ClickHouse
 * takes this one. It never touches the consumer (which is not thread-safe); the worker learns the
 * outcome from the returned future and commits, or rewinds, itself.
 *
 * <p>A row ClickHouse refuses (a value it cannot parse into its column: {@link #refusesData}) must
 * neither stop the topic nor take the batch's other rows with it. An insert is one block (a batch
 * holds at most {@code routemetrics.sink.batch.rows}, below the server's {@code
 * max_insert_block_size} of 1,048,576 rows), so a refused insert wrote nothing, and 18.16 was seen
 * to write none of a two-row insert whose second row it refused. The batch is then split in halves
 * and each half inserted again, down to the single rows refused: every other row is written once,
 * in about {@code 2 k log2(n)} inserts for {@code k} refused rows among {@code n}. The refused rows
 * and the records that did not decode go to {@code sink_rejected_records} in the same settlement,
 * before the worker commits, so a crash cannot lose them. If ClickHouse fails otherwise (down,
 * overloaded) half-way through, the whole batch is retried later: the halves written already are
 * written again, which the replacing tables absorb, as after any crash before a commit.
 */
final class BatchInserter<V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BatchInserter.class);

  /**
   * ClickHouse's codes for "this data does not fit its column", the same for every repetition of
   * the row: parse failures, sizes and ranges (CANNOT_PARSE_TEXT 6, CANNOT_PARSE_QUOTED_STRING 26,
   * CANNOT_PARSE_INPUT_ASSERTION_FAILED 27, ATTEMPT_TO_READ_AFTER_EOF 32, CANNOT_READ_ALL_DATA 33,
   * CANNOT_PARSE_DATE 38, CANNOT_PARSE_DATETIME 41, TYPE_MISMATCH 53, ARGUMENT_OUT_OF_BOUND 69
   * (18.16: "Too many digits in decimal value"), CANNOT_CONVERT_TYPE 70, CANNOT_PARSE_NUMBER 72,
   * INCORRECT_DATA 117, TOO_LARGE_STRING_SIZE 131 ("Too large value for FixedString(3)"),
   * VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE 321, CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN 349,
   * DECIMAL_OVERFLOW 407, UNKNOWN_ELEMENT_OF_ENUM 691). Any other failure (a connection, a timeout,
   * too many parts, a missing table) is the server's, not the row's: retried with backoff, never
   * set aside, so an outage cannot turn good rows into rejected ones.
   */
  static final Set<Integer> DATA_REFUSED =
      Set.of(6, 26, 27, 32, 33, 38, 41, 53, 69, 70, 72, 117, 131, 321, 349, 407, 691);

  private final TableWriter<V> writer;
  private final RejectedRecordsWriter rejectedWriter;
  private final ClickHouse clickHouse;
  private final SinkTelemetry.Topic meters;
  private final ExecutorService thread;

  BatchInserter(
      String name, TableWriter<V> writer, ClickHouse clickHouse, SinkTelemetry.Topic meters) {
    this.writer = writer;
    String table = writer.table();
    this.rejectedWriter =
        new RejectedRecordsWriter(table.substring(0, Math.max(0, table.indexOf('.'))), table);
    this.clickHouse = clickHouse;
    this.meters = meters;
    this.thread =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread t = new Thread(task, name);
              // An insert stuck in a socket read must not keep the JVM alive after the worker
              // stopped:
              // whatever it was writing is uncommitted, so it will be read and written again.
              t.setDaemon(true);
              return t;
            });
  }

  /** True when ClickHouse refused the data itself, so that the same rows would be refused again. */
  static boolean refusesData(SQLException e) {
    return DATA_REFUSED.contains(e.getErrorCode());
  }

  /**
   * Inserts the batch's rows once every earlier batch is done, then what it sets aside; the future
   * completes, with the records set aside (those that did not decode and those ClickHouse refused),
   * when ClickHouse acknowledged all of it, or with what the writer threw (an {@link SQLException}
   * when ClickHouse did not take them). Nothing to write: done at once.
   */
  Future<List<Rejection>> insert(Batch<V> batch) {
    if (batch.rows().isEmpty() && batch.rejected().isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return thread.submit(
        () -> {
          long started = System.nanoTime();
          List<Rejection> rejected = new ArrayList<>(batch.rejected());
          int refused;
          try (Connection connection = clickHouse.connect()) {
            write(connection, batch.rows(), batch.sources(), 0, batch.rows().size(), rejected);
            refused = rejected.size() - batch.rejected().size();
            if (!rejected.isEmpty()) {
              rejectedWriter.insert(connection, rejected);
            }
          } catch (SQLException e) {
            meters.insertFailed(Duration.ofNanos(System.nanoTime() - started));
            throw clickHouse.explained(e);
          }
          meters.inserted(
              batch.rows().size() - refused, Duration.ofNanos(System.nanoTime() - started));
          return rejected;
        });
  }

  /**
   * Inserts rows {@code from} to {@code to}; where ClickHouse refuses the data, halves until the
   * refused rows stand alone.
   */
  private void write(
      Connection connection,
      List<V> rows,
      List<ConsumerRecord<String, byte[]>> sources,
      int from,
      int to,
      List<Rejection> rejected)
      throws SQLException {
    if (from == to) {
      return;
    }
    try {
      writer.insert(connection, rows.subList(from, to));
    } catch (SQLException e) {
      if (!refusesData(e)) {
        throw e;
      }
      if (to - from == 1) {
        Rejection rejection =
            Rejection.of(
                sources.get(from),
                Rejection.Reason.REFUSED,
                writer.table() + " refused the row: " + serverMessage(e));
        log.debug(
            "ClickHouse refused record {} for {}: {}",
            rejection.where(),
            writer.table(),
            rejection.error());
        rejected.add(rejection);
        return;
      }
      log.info(
          "insert of {} rows into {} refused ({}); inserting its halves to find the refused rows",
          to - from,
          writer.table(),
          Rejection.firstLine(e.getMessage()));
      int middle = (from + to) >>> 1;
      write(connection, rows, sources, from, middle, rejected);
      write(connection, rows, sources, middle, to, rejected);
    }
  }

  /**
   * The server's own words, without the driver's "ClickHouse exception, code: N, host: H, port: P;
   * " prefix.
   */
  private static String serverMessage(SQLException e) {
    return Rejection.firstLine(e.getMessage())
        .replaceFirst("^ClickHouse exception, code: \\d+, host: [^;]*; ", "");
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
