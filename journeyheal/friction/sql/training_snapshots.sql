-- Training entity frame: one row per (journey, distinct event timestamp) strictly before the
-- journey's known outcome, labelled 1 if it was abandoned and 0 if completed. It carries the
-- entity join keys as of the snapshot (current step, last api call's service and endpoint,
-- ties broken by event_id as in the prefix features) and no feature values.
CREATE OR REPLACE TABLE {output} AS
WITH known AS (
    SELECT journey_id, outcome, outcome_time
    FROM {outcomes}
    WHERE outcome IN ('completed', 'abandoned')
),
keyed AS (
    SELECT
        e.journey_id,
        e.customer_id,
        e.journey_type,
        e.step,
        e.event_time,
        k.outcome,
        k.outcome_time,
        last_value(e.service IGNORE NULLS) OVER journey_order AS service,
        last_value(e.endpoint IGNORE NULLS) OVER journey_order AS endpoint,
        e.event_time IS DISTINCT FROM lead(e.event_time) OVER journey_order
            AS is_last_at_timestamp
    FROM {events} AS e
    JOIN known AS k USING (journey_id)
    WHERE e.event_time <= $as_of::TIMESTAMPTZ
    WINDOW journey_order AS (
        PARTITION BY e.journey_id ORDER BY e.event_time, e.event_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
)
SELECT
    journey_id || '@' || epoch_us(event_time)::VARCHAR AS snapshot_id,
    journey_id,
    customer_id,
    journey_type,
    step,
    service,
    endpoint,
    event_time AS event_timestamp,
    (outcome = 'abandoned')::INTEGER AS label,
    epoch(outcome_time - event_time) / 60.0 AS minutes_to_outcome
FROM keyed
WHERE is_last_at_timestamp AND event_time < outcome_time
ORDER BY event_timestamp, journey_id
