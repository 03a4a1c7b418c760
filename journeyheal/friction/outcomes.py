"""Journey outcomes as of a time, and the labelled snapshot frame for training."""

from __future__ import annotations

from datetime import datetime

import duckdb

from journeyheal.friction.config import FrictionConfig
from journeyheal.friction.prefix import DEFAULT_EVENTS
from journeyheal.friction.queries import run_query

OUTCOMES_TABLE = "journey_outcomes"
SNAPSHOTS_TABLE = "training_snapshots"
SNAPSHOT_OUTCOMES = "friction_snapshot_outcomes"


def _require_aware(as_of: datetime) -> None:
    if as_of.tzinfo is None:
        msg = f"as_of must be a tz-aware datetime (got naive {as_of!r})"
        raise ValueError(msg)


def compute_journey_outcomes(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    events: str = DEFAULT_EVENTS,
    *,
    config: FrictionConfig | None = None,
    output: str = OUTCOMES_TABLE,
) -> str:
    """Create table `output`: each journey's outcome as of `as_of`; returns its name."""
    config = config or FrictionConfig()
    _require_aware(as_of)
    tables = {"events": events, "output": output}
    run_query(con, "journey_outcomes", tables, {**config.sql_parameters(), "as_of": as_of})
    return output


def compute_training_snapshots(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    events: str = DEFAULT_EVENTS,
    *,
    config: FrictionConfig | None = None,
    output: str = SNAPSHOTS_TABLE,
) -> str:
    """Create table `output`: labelled snapshot entity rows of journeys ended by `as_of`.

    Columns: snapshot_id, journey_id, customer_id, journey_type, step, service, endpoint (join
    keys as of the snapshot), event_timestamp, label (1 abandoned, 0 completed),
    minutes_to_outcome. No feature values: join them point-in-time (Feast).
    """
    config = config or FrictionConfig()
    compute_journey_outcomes(con, as_of, events, config=config, output=SNAPSHOT_OUTCOMES)

    tables = {"events": events, "outcomes": SNAPSHOT_OUTCOMES, "output": output}
    run_query(con, "training_snapshots", tables, {"as_of": as_of})
    con.execute(f'DROP TABLE "{SNAPSHOT_OUTCOMES}"')
    return output
