"""Journey prefix features, for everything at once or for one output time range."""

from __future__ import annotations

from datetime import datetime

import duckdb

from journeyheal.friction.config import FrictionConfig
from journeyheal.friction.queries import run_query

DEFAULT_EVENTS = "validated_journey_events"
PREFIX_TABLE = "journey_prefix_features"
SCOPE_TABLE = "friction_prefix_scope"


def compute_journey_prefix_features(
    con: duckdb.DuckDBPyConnection,
    events: str = DEFAULT_EVENTS,
    out_start: datetime | None = None,
    out_end: datetime | None = None,
    *,
    config: FrictionConfig | None = None,
    output: str = PREFIX_TABLE,
) -> str:
    """Create table `output` of prefix rows; returns its name.

    With out_start and out_end (tz-aware), only rows with event_timestamp in [out_start, out_end)
    are produced, computed from each such journey's whole earlier history, so the values equal
    those of the all-at-once computation. Give both or neither.
    """
    config = config or FrictionConfig()
    if (out_start is None) != (out_end is None):
        msg = "give both out_start and out_end, or neither"
        raise ValueError(msg)

    source = events
    if out_start is not None and out_end is not None:
        if out_start.tzinfo is None or out_end.tzinfo is None:
            msg = f"out_start and out_end must be tz-aware (got {out_start!r}, {out_end!r})"
            raise ValueError(msg)
        if out_start >= out_end:
            msg = f"out_start {out_start} must be before out_end {out_end}"
            raise ValueError(msg)
        # Only the journeys active in the range, and only their events before its end.
        parameters = {"out_start": out_start, "out_end": out_end}
        run_query(con, "journey_prefix_scope", {"events": events, "scope": SCOPE_TABLE}, parameters)
        source = SCOPE_TABLE

    run_query(
        con,
        "journey_prefix_features",
        {"events": source, "output": output},
        {**config.sql_parameters(), "out_start": out_start},
    )
    con.execute(f'DROP TABLE IF EXISTS "{SCOPE_TABLE}"')
    return output
