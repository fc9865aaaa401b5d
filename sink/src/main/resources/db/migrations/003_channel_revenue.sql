-- Revenue per channel, window and currency. Amounts are Decimal(18, 4): money is exact.
-- Same replacing rule and reasons as channel_metrics; the currency is part of the key.
CREATE TABLE IF NOT EXISTS {db}.channel_revenue
(
    window_size           Enum8('MINUTE' = 1, 'HOUR' = 2, 'DAY' = 3),
    window_start          DateTime('UTC'),
    channel_id            String,
    currency              FixedString(3),
    version               UInt64,
    route                 String,
    partner_id            Nullable(String),
    billing_events        UInt64,
    gross                 Decimal(18, 4),
    net_where_gross_known Decimal(18, 4),
    partner_fee           Decimal(18, 4),
    net                   Decimal(18, 4),
    net_billed_by_lab     Decimal(18, 4),
    written_at            DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY (window_size, toYYYYMM(window_start))
ORDER BY (window_size, window_start, channel_id, currency)
