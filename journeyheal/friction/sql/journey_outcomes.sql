-- Journey outcomes as of $as_of from events at or before it: completed once a journey_complete
-- event arrived; abandoned once idle for at least the inactivity timeout (outcome_time = last
-- event + timeout <= as_of); in flight otherwise (outcome_time NULL).
CREATE OR REPLACE TABLE {output} AS
WITH journeys AS (
    SELECT
        journey_id,
        min(customer_id) AS customer_id,
        min(journey_type) AS journey_type,
        min(event_time) AS first_event_time,
        max(event_time) AS last_event_time,
        min(event_time) FILTER (WHERE event_type = 'journey_complete') AS completed_at
    FROM {events}
    WHERE event_time <= $as_of::TIMESTAMPTZ
    GROUP BY journey_id
)
SELECT
    journey_id,
    customer_id,
    journey_type,
    first_event_time,
    last_event_time,
    CASE
        WHEN completed_at IS NOT NULL THEN 'completed'
        WHEN last_event_time + to_seconds($inactivity_timeout_s) <= $as_of::TIMESTAMPTZ
            THEN 'abandoned'
        ELSE 'in_flight'
    END AS outcome,
    CASE
        WHEN completed_at IS NOT NULL THEN completed_at
        WHEN last_event_time + to_seconds($inactivity_timeout_s) <= $as_of::TIMESTAMPTZ
            THEN last_event_time + to_seconds($inactivity_timeout_s)
    END AS outcome_time
FROM journeys
