-- The ingest's dead letters (the dead-letters topic): records the bulk loader could not turn into an
-- event, with the file, line, family and every problem found, so the quarantine view shows them
-- beside the streams app's and the sink's set-aside records. channel_id is what the record's text
-- named, when it is JSON with a channel_id string (NULL otherwise): unvalidated, for grouping only.
-- ReplacingMergeTree(loaded_at) keyed by (family, source, line): the sink writing a batch twice, or
-- the same file loaded again, leaves one row per bad line, the newest load's. Few rows: no PARTITION BY.
CREATE TABLE IF NOT EXISTS {db}.dead_letters
(
    family          String,
    source          String,
    line            UInt64,
    reason          String,
    channel_id      Nullable(String),
    raw             String,
    loaded_at       DateTime('UTC'),
    kafka_partition UInt32,
    kafka_offset    UInt64
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY (family, source, line)
