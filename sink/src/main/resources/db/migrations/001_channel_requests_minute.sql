-- Requests per channel per one-minute window, as the metrics topology emits them.
-- ReplacingMergeTree(version): the topology re-emits a window with a higher version whenever a
-- (late) event changes it, and the sink may write a row twice after a crash; the newest version of
-- (channel_id, window_start) is the truth, and queries read with FINAL so that holds before merges.
-- ORDER BY (channel_id, window_start): every audience query filters or groups by channel and a
-- time range, and it is the replacing key. PARTITION BY month keeps partitions few and large.
CREATE TABLE IF NOT EXISTS {db}.channel_requests_minute
(
    channel_id   String,
    window_start DateTime('UTC'),
    requests     UInt64,
    usage_events UInt64,
    version      UInt64,
    written_at   DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (channel_id, window_start)
