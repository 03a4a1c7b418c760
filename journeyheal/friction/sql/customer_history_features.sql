-- Customer history: one row per (customer_id, journey start time) counting the customer's
-- journeys known before that time. A journey counts as started or completed if its first event
-- or its journey_complete event is strictly earlier; as abandoned if, with the events at or before
-- the time, it has no completion and its last event + inactivity timeout <= the time. A journey
-- that resumes after a long idle gap is abandoned in [idle event + timeout, next event).
CREATE OR REPLACE TABLE {output} AS
WITH journeys AS (
    SELECT
        journey_id,
        min(customer_id) AS customer_id,
        min(event_time) AS started_at,
        min(event_time) FILTER (WHERE event_type = 'journey_complete') AS completed_at
    FROM {events}
    GROUP BY journey_id
),
gaps AS (
    SELECT
        e.journey_id,
        e.event_time,
        lead(e.event_time) OVER (PARTITION BY e.journey_id ORDER BY e.event_time) AS next_time
    FROM {events} AS e
),
idle_spells AS (
    SELECT
        j.customer_id,
        g.event_time + to_seconds($inactivity_timeout_s) AS spell_start,
        g.next_time AS spell_end
    FROM gaps AS g
    JOIN journeys AS j USING (journey_id)
    WHERE (j.completed_at IS NULL OR g.event_time < j.completed_at)
      AND (g.next_time IS NULL OR g.next_time > g.event_time + to_seconds($inactivity_timeout_s))
),
-- A running tally per customer. At one instant, idle-spell changes (phase 0) apply before the
-- query row (phase 1) and starts and completions (phase 2) after it.
tally AS (
    SELECT customer_id, spell_start AS moment, 0 AS phase, 0 AS started, 0 AS completed, 1 AS idle
    FROM idle_spells
    UNION ALL
    SELECT customer_id, spell_end, 0, 0, 0, -1 FROM idle_spells WHERE spell_end IS NOT NULL
    UNION ALL
    SELECT DISTINCT customer_id, started_at, 1, 0, 0, 0 FROM journeys
    UNION ALL
    SELECT customer_id, started_at, 2, 1, 0, 0 FROM journeys
    UNION ALL
    SELECT customer_id, completed_at, 2, 0, 1, 0 FROM journeys WHERE completed_at IS NOT NULL
),
running AS (
    SELECT
        customer_id,
        moment,
        phase,
        sum(started) OVER customer_order AS prior_journeys,
        sum(completed) OVER customer_order AS prior_completions,
        sum(idle) OVER customer_order AS prior_abandonments
    FROM tally
    WINDOW customer_order AS (
        PARTITION BY customer_id ORDER BY moment, phase
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
)
SELECT
    customer_id,
    moment AS event_timestamp,
    prior_journeys::BIGINT AS prior_journeys,
    prior_abandonments::BIGINT AS prior_abandonments,
    prior_completions::BIGINT AS prior_completions,
    prior_abandonments / nullif(prior_journeys, 0)::DOUBLE AS prior_abandonment_rate
FROM running
WHERE phase = 1
ORDER BY event_timestamp, customer_id
