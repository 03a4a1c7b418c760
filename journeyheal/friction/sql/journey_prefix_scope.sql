-- Events needed to compute prefix rows whose timestamp falls in [$out_start, $out_end):
-- every earlier event of each journey that has an event in that range, and nothing later.
CREATE OR REPLACE TEMP TABLE {scope} AS
SELECT e.*
FROM {events} AS e
WHERE e.event_time < $out_end
  AND e.journey_id IN (
      SELECT DISTINCT journey_id
      FROM {events}
      WHERE event_time >= $out_start AND event_time < $out_end
  )
