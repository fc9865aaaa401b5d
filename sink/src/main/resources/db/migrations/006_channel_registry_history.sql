-- The channel registry as it was at each moment, from the channel-registry-changes topic: one row
-- per change (a registry version's full new state of one channel, or its retirement), so a past
-- window's metrics can be read beside the registry that produced them.
-- ReplacingMergeTree keyed by the sort key, which holds change_id: publishing the registry again,
-- or replaying the topic, repeats facts and leaves one row each.
-- ORDER BY (channel_id, effective_from, change_id): people read one channel's history, or every
-- channel as of a moment (the newest change at or before it, per channel).
-- effective_from is whole seconds here; the registry's times are.
CREATE TABLE IF NOT EXISTS {db}.channel_registry_history
(
    change_id            String,
    registry_version     Int32,
    effective_from       DateTime('UTC'),
    channel_id           String,
    route                String,
    partner_id           Nullable(String),
    take_rate            Decimal(9, 6),
    identity_owner       String,
    workflow_owner       String,
    procurement_owner    String,
    governance_owner     String,
    billing_owner        String,
    interface_owner      String,
    control_points_owned UInt8,
    retired              UInt8,
    written_at           DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
ORDER BY (channel_id, effective_from, change_id)
