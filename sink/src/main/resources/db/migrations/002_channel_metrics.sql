-- Reach, control and learning components per channel and window (MINUTE, HOUR, DAY), as the
-- metrics topology emits them; ratios across channels are derived by the audience queries.
-- ReplacingMergeTree(version): a late event or late feedback re-emits a window with a higher
-- version, and the sink may write a row twice; the newest version wins, read with FINAL.
-- ORDER BY (window_size, window_start, channel_id): every audience query picks one window size
-- and a time range, then groups by channel; it is also the replacing key.
-- PARTITION BY window size and month: a range scan touches few partitions.
CREATE TABLE IF NOT EXISTS {db}.channel_metrics
(
    window_size             Enum8('MINUTE' = 1, 'HOUR' = 2, 'DAY' = 3),
    window_start            DateTime('UTC'),
    channel_id              String,
    version                 UInt64,
    route                   String,
    partner_id              Nullable(String),
    control_points_owned    UInt8,
    usage_events            UInt64,
    requests                UInt64,
    input_tokens            UInt64,
    output_tokens           UInt64,
    active_accounts         UInt64,
    visible_end_users       UInt64,
    identified_requests     UInt64,
    error_requests          UInt64,
    latency_p50_ms          Nullable(Float64),
    latency_p95_ms          Nullable(Float64),
    latency_p99_ms          Nullable(Float64),
    full_telemetry_requests UInt64,
    feedback_events         UInt64,
    trainable_feedback      UInt64,
    covered_requests        UInt64,
    newest_event_time       Nullable(DateTime('UTC')),
    written_at              DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY (window_size, toYYYYMM(window_start))
ORDER BY (window_size, window_start, channel_id)
