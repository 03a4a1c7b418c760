"""Customer history features: what was known of a customer's earlier journeys."""

from __future__ import annotations

import duckdb

from journeyheal.friction.config import FrictionConfig
from journeyheal.friction.prefix import DEFAULT_EVENTS
from journeyheal.friction.queries import run_query

CUSTOMER_HISTORY_TABLE = "customer_history_features"


def compute_customer_history_features(
    con: duckdb.DuckDBPyConnection,
    events: str = DEFAULT_EVENTS,
    *,
    config: FrictionConfig | None = None,
    output: str = CUSTOMER_HISTORY_TABLE,
) -> str:
    """Create table `output`, one row per (customer, journey start time); returns its name."""
    config = config or FrictionConfig()
    tables = {"events": events, "output": output}
    run_query(con, "customer_history_features", tables, config.sql_parameters())
    return output
