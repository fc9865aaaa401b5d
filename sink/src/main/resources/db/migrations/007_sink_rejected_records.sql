-- Records the sink read and could not write (bytes that are no record of the topic's schema, a
-- value its column cannot hold, a row ClickHouse refused), kept with their reason so that nothing
-- is dropped silently and a poison record never stalls its topic. Not quarantined_events: that
-- table is keyed by an event's family and id and partitioned by its event time, which a record
-- that does not decode has none of; here the key is where the record is in Kafka.
-- ReplacingMergeTree(rejected_at) keyed by (topic, kafka_partition, kafka_offset): a batch set
-- aside again after a retry or a restart replaces itself. Few rows: no PARTITION BY.
CREATE TABLE IF NOT EXISTS {db}.sink_rejected_records
(
    topic           String,
    kafka_partition UInt32,
    kafka_offset    UInt64,
    record_time     DateTime('UTC'),
    reason          String,
    error           String,
    target_table    String,
    payload_b64     String,
    rejected_at     DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(rejected_at)
ORDER BY (topic, kafka_partition, kafka_offset)
