-- The audit trail: every accepted event of each family as it arrived, before any metric logic.
-- ReplacingMergeTree keyed by (event_id, payload_sha256): an exact duplicate (a retry, a replay,
-- the sink writing a batch twice) collapses into one row, while two different payloads under one
-- event_id (a conflict; the one set aside is in quarantined_events) both stay visible.
-- PARTITION BY month of event_time: audits and backfills look at a period.
CREATE TABLE IF NOT EXISTS {db}.usage_events
(
    event_id       String,
    payload_sha256 FixedString(64),
    event_time     DateTime('UTC'),
    channel_id     String,
    account_id     String,
    end_user_ref   Nullable(String),
    model_id       String,
    request_id     String,
    request_count  UInt32,
    input_tokens   UInt64,
    output_tokens  UInt64,
    latency_ms     UInt32,
    outcome        String,
    telemetry      String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_id, payload_sha256);

CREATE TABLE IF NOT EXISTS {db}.billing_events
(
    event_id               String,
    payload_sha256         FixedString(64),
    event_time             DateTime('UTC'),
    channel_id             String,
    account_id             String,
    end_user_ref           Nullable(String),
    model_id               String,
    billing_id             String,
    kind                   String,
    billed_by              String,
    currency               FixedString(3),
    gross_amount           Nullable(Decimal(18, 4)),
    partner_fee            Decimal(18, 4),
    net_amount             Decimal(18, 4),
    period_start           DateTime('UTC'),
    period_end             DateTime('UTC'),
    reported_request_count Nullable(UInt64)
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_id, payload_sha256);

CREATE TABLE IF NOT EXISTS {db}.feedback_events
(
    event_id       String,
    payload_sha256 FixedString(64),
    event_time     DateTime('UTC'),
    channel_id     String,
    account_id     String,
    end_user_ref   Nullable(String),
    model_id       String,
    feedback_id    String,
    request_id     Nullable(String),
    kind           String,
    score          Nullable(Int32),
    trainable      UInt8,
    source         String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_id, payload_sha256)
