-- Service health per (service, endpoint, window end on the grid): rolling windows of
-- $short_buckets and $long_buckets grid buckets ending at the row's time, holding the
-- measurements taken in (end - window, end]. A row exists at every grid point whose long window
-- has traffic. Staleness: a step_view's data_age_s is charged to the first api call that the
-- same journey made at the same step (the call that served the data), at the later of the two
-- times so that it is never counted before both were seen; views of steps without a call are
-- not charged to any service.
CREATE OR REPLACE TABLE {output} AS
WITH calls AS (
    SELECT journey_id, step, service, endpoint, latency_ms, status, event_time, event_id
    FROM {events}
    WHERE event_type = 'api_call' AND service IS NOT NULL
),
step_data_source AS (
    SELECT
        journey_id,
        step,
        arg_min(service, struct_pack(t := event_time, i := event_id)) AS service,
        arg_min(endpoint, struct_pack(t := event_time, i := event_id)) AS endpoint,
        min(event_time) AS called_at
    FROM calls
    GROUP BY journey_id, step
),
measures AS (
    SELECT
        service, endpoint, event_time AS seen_at, TRUE AS is_call, latency_ms, status,
        NULL::DOUBLE AS data_age_s
    FROM calls
    UNION ALL
    SELECT
        s.service, s.endpoint, greatest(v.event_time, s.called_at), FALSE, NULL, NULL, v.data_age_s
    FROM {events} AS v
    JOIN step_data_source AS s USING (journey_id, step)
    WHERE v.event_type = 'step_view' AND v.data_age_s IS NOT NULL
),
-- each measurement belongs to the grid bucket ending at or after it, and to the windows
-- ending at that bucket end and the following ones (k buckets later)
spread AS (
    SELECT
        m.*,
        w.k,
        make_timestamptz(
            (ceil(epoch_us(m.seen_at) / ($grid_s * 1000000)) * $grid_s * 1000000)::BIGINT
            + w.k * $grid_s * 1000000
        ) AS window_end
    FROM measures AS m
    CROSS JOIN range($long_buckets) AS w(k)
)
SELECT
    service,
    endpoint,
    window_end AS event_timestamp,
    count(*) FILTER (WHERE is_call AND k < $short_buckets) AS request_count_{short},
    quantile_cont(latency_ms, 0.5) FILTER (WHERE k < $short_buckets) AS latency_p50_ms_{short},
    quantile_cont(latency_ms, 0.95) FILTER (WHERE k < $short_buckets) AS latency_p95_ms_{short},
    avg((status = 'error')::DOUBLE) FILTER (WHERE is_call AND k < $short_buckets)
        AS error_rate_{short},
    avg((status = 'timeout')::DOUBLE) FILTER (WHERE is_call AND k < $short_buckets)
        AS timeout_rate_{short},
    quantile_cont(data_age_s, 0.95) FILTER (WHERE k < $short_buckets) AS staleness_p95_s_{short},
    count(*) FILTER (WHERE is_call) AS request_count_{long},
    quantile_cont(latency_ms, 0.5) AS latency_p50_ms_{long},
    quantile_cont(latency_ms, 0.95) AS latency_p95_ms_{long},
    avg((status = 'error')::DOUBLE) FILTER (WHERE is_call) AS error_rate_{long},
    avg((status = 'timeout')::DOUBLE) FILTER (WHERE is_call) AS timeout_rate_{long},
    quantile_cont(data_age_s, 0.95) AS staleness_p95_s_{long}
FROM spread
GROUP BY service, endpoint, window_end
ORDER BY event_timestamp, service, endpoint
