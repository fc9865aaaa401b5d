package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bisection against the real ClickHouse: a big batch with a few refused rows writes every other
 * row once.
 */
class BatchInserterIT {

  private String database;
  private ClickHouse clickHouse;

  @BeforeEach
  void setUp() throws SQLException {
    database = "it_inserter_" + UUID.randomUUID().toString().substring(0, 8);
    WarehouseConfig config = new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database));
    clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
  }

  @AfterEach
  void drop() throws SQLException {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  @Test
  void shouldWriteEveryOtherRowOnceAndSetAsideTheRefusedOnesInAFewInserts() throws Exception {
    TableWriter<Located<BillingEvent>> real = RawEventsWriters.billing(database);
    AtomicInteger inserts = new AtomicInteger();
    TableWriter<Located<BillingEvent>> counting =
        new TableWriter<>() {
          @Override
          public String table() {
            return real.table();
          }

          @Override
          public void insert(Connection connection, List<Located<BillingEvent>> rows)
              throws SQLException {
            inserts.incrementAndGet();
            real.insert(connection, rows);
          }
        };
    // 1,000 charges of 1.0000 at offsets 0..999 of partition 2; those at 7, 500 and 999 in "EURO".
    AvroSerde<BillingEvent> serde = AvroSerde.of(BillingEvent.class);
    Batch<Located<BillingEvent>> batch = new Batch<>();
    TopicPartition partition = new TopicPartition("billing-events", 2);
    batch.covers(partition, 0, 999);
    for (int i = 0; i < 1000; i++) {
      BillingEvent event =
          SinkPoisonIT.charge("c-" + i, i == 7 || i == 500 || i == 999 ? "EURO" : "USD", "1.0000");
      batch.add(
          new ConsumerRecord<>("billing-events", 2, i, null, serde.encode(event)),
          new Located<>(event, "billing-events", 2, i, 0L, null));
    }
    SinkTelemetry.Topic meters = new SinkTelemetry().topic("billing-events", real.table());
    List<Rejection> rejected;
    try (BatchInserter<Located<BillingEvent>> inserter =
        new BatchInserter<>("test-insert", counting, clickHouse, meters)) {
      rejected = inserter.insert(batch).get();
    }

    assertThat(rejected).extracting(Rejection::offset).containsExactly(7L, 500L, 999L);
    assertThat(rejected)
        .allSatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(Rejection.Reason.REFUSED);
              assertThat(r.error()).contains("FixedString(3)");
            });
    // Without FINAL: 997 rows, none twice; their net 997 x 1.0000.
    assertThat(single("SELECT toString(count()) FROM " + database + ".billing_events"))
        .isEqualTo("997");
    assertThat(single("SELECT toString(uniqExact(event_id)) FROM " + database + ".billing_events"))
        .isEqualTo("997");
    assertThat(single("SELECT toString(sum(net_amount)) FROM " + database + ".billing_events"))
        .isEqualTo("997.0000");
    assertThat(
            single(
                "SELECT toString(count()) FROM "
                    + database
                    + ".sink_rejected_records WHERE kafka_partition = 2"
                    + " AND reason = 'refused-by-clickhouse' AND target_table = '"
                    + real.table()
                    + "'"))
        .isEqualTo("3");
    // Bisection: each refused row is found in at most 2 x ceil(log2 1000) = 20 inserts after the
    // first.
    assertThat(inserts.get()).isLessThanOrEqualTo(1 + 3 * 20);
  }

  private String single(String sql) throws SQLException {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
