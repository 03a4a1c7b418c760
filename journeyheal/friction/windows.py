"""Rolling-window features on a time grid: service health and step friction."""

from __future__ import annotations

import duckdb

from journeyheal.friction.catalog import window_label
from journeyheal.friction.config import FrictionConfig
from journeyheal.friction.prefix import DEFAULT_EVENTS
from journeyheal.friction.queries import run_query

SERVICE_HEALTH_TABLE = "service_health_features"
STEP_FRICTION_TABLE = "step_friction_features"


def compute_service_health_features(
    con: duckdb.DuckDBPyConnection,
    events: str = DEFAULT_EVENTS,
    *,
    config: FrictionConfig | None = None,
    output: str = SERVICE_HEALTH_TABLE,
) -> str:
    """Create table `output` of rolling service endpoint health; returns its name."""
    config = config or FrictionConfig()
    labels = {
        "short": window_label(config.health_short_window_s),
        "long": window_label(config.health_long_window_s),
    }
    tables = {"events": events, "output": output}
    run_query(con, "service_health_features", tables, config.sql_parameters(), labels)
    return output


def compute_step_friction_features(
    con: duckdb.DuckDBPyConnection,
    events: str = DEFAULT_EVENTS,
    *,
    config: FrictionConfig | None = None,
    output: str = STEP_FRICTION_TABLE,
) -> str:
    """Create table `output` of rolling friction per journey type and step; returns its name."""
    config = config or FrictionConfig()
    labels = {"step": window_label(config.step_window_s)}
    tables = {"events": events, "output": output}
    run_query(con, "step_friction_features", tables, config.sql_parameters(), labels)
    return output
