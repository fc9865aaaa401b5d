-- Where every copy of an event arrived, and which copies the streams app set aside: what tells a
-- too-late copy of an event that was counted earlier from a late event that never was
-- (docs/domain.md, "Lateness"). The raw tables of 005 cannot: they collapse identical copies into
-- one row, so the id of every too-late event is in them, counted or not.
--
-- event_arrivals: one row per record of an event topic, at its place in Kafka. ReplacingMergeTree
-- keyed by (family, event_id, kafka_partition, kafka_offset): the sink writing a batch twice after a
-- crash leaves one row, while each copy (a retry, a re-delivery) keeps a row of its own. arrived_at
-- is the record's Kafka timestamp (the edge's send time); payload_sha256 is the raw tables' digest.
-- PARTITION BY month of event_time: every copy of one event has the same partition.
CREATE TABLE IF NOT EXISTS {db}.event_arrivals
(
    family          String,
    event_id        String,
    kafka_partition UInt32,
    kafka_offset    UInt64,
    payload_sha256  FixedString(64),
    event_time      DateTime('UTC'),
    arrived_at      DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (family, event_id, kafka_partition, kafka_offset);

-- quarantined_copies: one row per copy the streams app set aside, at the place its quarantine record
-- names (the header routemetrics.source). quarantined_events keeps one row per (family, event_id,
-- reason) and cannot say which copies those were. from_event_topic is 0 for a copy the streams app
-- read from its repartition topic (a record not keyed by its event_id): its place in the event
-- topic is then unknown, and the view says so.
CREATE TABLE IF NOT EXISTS {db}.quarantined_copies
(
    family           String,
    event_id         String,
    reason           String,
    source_topic     String,
    kafka_partition  UInt32,
    kafka_offset     UInt64,
    from_event_topic UInt8,
    event_time       DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (family, event_id, source_topic, kafka_partition, kafka_offset)
