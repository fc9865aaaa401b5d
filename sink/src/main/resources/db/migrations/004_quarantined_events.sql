-- Accepted events the metrics could not use (conflicting duplicates, too late), kept queryable
-- with their reason. Keyed by (family, event_id, reason): a replayed quarantine record replaces
-- itself; a second conflicting payload for the same id keeps the newest detection.
-- ORDER BY (family, reason, event_id): people look quarantined events up by reason and by id.
CREATE TABLE IF NOT EXISTS {db}.quarantined_events
(
    family      String,
    event_id    String,
    reason      String,
    channel_id  String,
    event_time  DateTime('UTC'),
    detail      String,
    payload_b64 String,
    written_at  DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(written_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (family, reason, event_id)
