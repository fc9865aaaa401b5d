-- Learning by the request's window (docs/domain.md#learning-retention, and ChannelWindowMetrics schema v2):
-- feedback_events, trainable_feedback and covered_requests now count feedback ABOUT the window's
-- requests (in the windows and channel of the usage it names, within 7 days of it), and these two
-- count feedback by its own event_time window and channel_id, including feedback naming no request
-- or one never seen: the operations view of what came in when.
-- DEFAULT toUInt64(0): rows written before this migration (schema v1) read as 0. Spelled as a
-- function rather than a bare 0 because 18.16 stores a bare 0 as CAST(0, 'UInt64') and current
-- releases as 0, while toUInt64(0) reads back the same on both (CurrentClickHouseCompatibilityIT compares
-- system.columns). One ALTER for both columns, so a failure cannot leave one of them behind:
-- 18.16 has no ADD COLUMN IF NOT EXISTS to make a re-run safe.
ALTER TABLE {db}.channel_metrics
    ADD COLUMN feedback_received UInt64 DEFAULT toUInt64(0) AFTER newest_event_time,
    ADD COLUMN trainable_received UInt64 DEFAULT toUInt64(0) AFTER feedback_received;
