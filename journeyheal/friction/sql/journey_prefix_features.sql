-- Journey prefix features: one row per (journey_id, event_timestamp), from the journey's events
-- at or before that timestamp only. Events sharing a timestamp make one row whose prefix holds
-- all of them; among them, "last" values (current step, channel, last call) follow event_id.
-- No api call yet: latency_*, service and endpoint are NULL; no data view yet: data_age_max_s
-- is NULL; first event: time_since_last_event_s is NULL (XGBoost treats NULL as missing).
-- Speed: the event-level flags take one ordered pass per (journey, step) and one per journey;
-- every running value then shares a single ordered window, and no window runs after it but
-- the unordered step-index carry (a window after it would sort all rows again).
CREATE OR REPLACE TABLE {output} AS
WITH marked AS (
    SELECT
        journey_id, customer_id, journey_type, channel, step, event_type, service, endpoint,
        latency_ms, status, retry_count, data_age_s, event_time, event_id,
        row_number() OVER step_order = 1 AS is_first_of_step,
        event_type = 'step_view'
            AND count(*) FILTER (WHERE event_type = 'step_view') OVER step_order > 1
            AS is_repeated_view,
        channel <> lag(channel) OVER journey_order AS is_channel_switch,
        lag(event_time) OVER journey_order AS previous_time,
        event_time IS DISTINCT FROM lead(event_time) OVER journey_order AS is_last_at_timestamp
    FROM {events}
    WINDOW
        step_order AS (
            PARTITION BY journey_id, step ORDER BY event_time, event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ),
        journey_order AS (PARTITION BY journey_id ORDER BY event_time, event_id)
),
running AS (
    SELECT
        journey_id, customer_id, journey_type, channel, step, event_time, is_last_at_timestamp,
        first_value(event_time) OVER prefix AS first_event_time,
        count(*) FILTER (WHERE is_first_of_step) OVER prefix AS steps_reached,
        count(*) FILTER (WHERE status = 'error') OVER prefix AS error_count,
        count(*) FILTER (WHERE status = 'timeout') OVER prefix AS timeout_count,
        coalesce(sum(retry_count) OVER prefix, 0) AS retry_count,
        count(*) FILTER (WHERE event_type = 'backtrack') OVER prefix AS backtrack_count,
        count(*) FILTER (WHERE is_repeated_view) OVER prefix AS repeated_step_count,
        last_value(latency_ms IGNORE NULLS) OVER prefix AS latency_last_ms,
        max(latency_ms) OVER prefix AS latency_max_ms,
        avg(latency_ms) OVER prefix AS latency_mean_ms,
        count(latency_ms) FILTER (WHERE latency_ms > $latency_tolerance_ms) OVER prefix
            / nullif(count(latency_ms) OVER prefix, 0) AS latency_over_tolerance_share,
        max(data_age_s) OVER prefix AS data_age_max_s,
        count(*) FILTER (WHERE is_channel_switch) OVER prefix AS channel_switches,
        last_value(service IGNORE NULLS) OVER prefix AS service,
        last_value(endpoint IGNORE NULLS) OVER prefix AS endpoint,
        -- the latest earlier timestamp is the one just before the first event of a timestamp
        max(previous_time) FILTER (WHERE previous_time < event_time) OVER prefix
            AS previous_timestamp,
        -- the ordinal a step gets when it first appears; carried to its later rows below
        CASE WHEN is_first_of_step THEN count(*) FILTER (WHERE is_first_of_step) OVER prefix END
            AS first_seen_ordinal
    FROM marked
    WINDOW prefix AS (
        PARTITION BY journey_id ORDER BY event_time, event_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
),
with_step_index AS (
    SELECT
        *,
        max(first_seen_ordinal) OVER (PARTITION BY journey_id, step) AS step_index
    FROM running
    QUALIFY is_last_at_timestamp
)
SELECT
    journey_id,
    event_time AS event_timestamp,
    customer_id,
    journey_type,
    channel,
    step,
    service,
    endpoint,
    epoch(event_time - first_event_time) AS elapsed_s,
    steps_reached::BIGINT AS steps_reached,
    step_index::BIGINT AS step_index,
    error_count::BIGINT AS error_count,
    timeout_count::BIGINT AS timeout_count,
    retry_count::BIGINT AS retry_count,
    backtrack_count::BIGINT AS backtrack_count,
    repeated_step_count::BIGINT AS repeated_step_count,
    latency_last_ms,
    latency_max_ms,
    latency_mean_ms,
    latency_over_tolerance_share,
    data_age_max_s,
    channel_switches::BIGINT AS channel_switches,
    epoch(event_time - previous_timestamp) AS time_since_last_event_s
FROM with_step_index
WHERE $out_start::TIMESTAMPTZ IS NULL OR event_time >= $out_start::TIMESTAMPTZ
