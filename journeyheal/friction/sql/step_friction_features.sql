-- Step friction per (journey_type, step, window end on the grid) over the $step_buckets grid
-- buckets ending there, holding what was seen in (end - window, end]: views, backtracks per
-- view, failed (error or timeout) share of the step's api calls, and the median time on the
-- step. Time on step runs from a step_view to the journey's next step_view or journey_complete
-- and is counted when that next event is seen. A row exists at every grid point with activity.
CREATE OR REPLACE TABLE {output} AS
WITH visits AS (
    SELECT
        journey_type,
        step,
        event_time,
        lead(event_time) OVER (PARTITION BY journey_id ORDER BY event_time, event_id)
            AS left_at,
        event_type
    FROM {events}
    WHERE event_type IN ('step_view', 'journey_complete')
),
measures AS (
    SELECT
        journey_type, step, event_time AS seen_at, event_type, status,
        NULL::DOUBLE AS time_on_step_s
    FROM {events}
    WHERE event_type IN ('step_view', 'backtrack', 'api_call')
    UNION ALL
    SELECT journey_type, step, left_at, 'time_on_step', NULL, epoch(left_at - event_time)
    FROM visits
    WHERE event_type = 'step_view' AND left_at IS NOT NULL
),
spread AS (
    SELECT
        m.*,
        make_timestamptz(
            (ceil(epoch_us(m.seen_at) / ($grid_s * 1000000)) * $grid_s * 1000000)::BIGINT
            + w.k * $grid_s * 1000000
        ) AS window_end
    FROM measures AS m
    CROSS JOIN range($step_buckets) AS w(k)
)
SELECT
    journey_type,
    step,
    window_end AS event_timestamp,
    count(*) FILTER (WHERE event_type = 'step_view') AS step_views_{step},
    count(*) FILTER (WHERE event_type = 'backtrack')
        / nullif(count(*) FILTER (WHERE event_type = 'step_view'), 0) AS backtrack_rate_{step},
    avg((status IN ('error', 'timeout'))::DOUBLE) FILTER (WHERE event_type = 'api_call')
        AS call_failure_rate_{step},
    median(time_on_step_s) AS median_time_on_step_s_{step}
FROM spread
GROUP BY journey_type, step, window_end
ORDER BY event_timestamp, journey_type, step
