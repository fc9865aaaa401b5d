-- The walking skeleton's table of requests per channel and minute goes: the streams app no longer
-- writes it, and its rows were only ever a copy of what channel_metrics' MINUTE rows with usage hold
-- (requests, usage_events, version), which is where `ChannelRequests` now reads them. Nothing else
-- read it. The channel-requests-minute topic is no longer created; an existing one is left alone
-- (delete it with kafka-topics.sh --delete once no older streams app writes it).
DROP TABLE IF EXISTS {db}.channel_requests_minute
