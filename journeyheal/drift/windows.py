"""Reading drift windows from the warehouse: rows by arrival hour, and the reference window."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from journeyheal.friction.queries import quote_identifier
from journeyheal.home import Home

FEATURES_TABLE = "journey_prefix_features"
SCORES_TABLE = "friction_scores"
PARTITION_COLUMN = "partition_hour"
EVENT_TIME_COLUMN = "event_timestamp"
DATA_WINDOW_TAG = "data_window"


@dataclass(frozen=True)
class Window:
    """Arrival hours from `start` (included) to `end` (excluded), and where the bounds came from."""

    start: datetime
    end: datetime
    source: str


def champion_reference_window(home: Home) -> tuple[datetime, datetime] | None:
    """The arrival hours of the champion model's training data; None while there is no champion.

    The champion's MLflow run carries its data windows as the `data_window` tag (JSON with the
    first and last snapshot time of the train part).
    """
    from models.tracking import (
        CHAMPION_ALIAS,
        MODEL_NAME,
        TrackingSettings,
        tracking,
        version_by_alias,
    )

    with tracking(TrackingSettings.for_home(home)) as client:
        version = version_by_alias(client, CHAMPION_ALIAS)
        if version is None:
            return None
        run_id = client.get_model_version(MODEL_NAME, version).run_id
        tag = client.get_run(run_id).data.tags.get(DATA_WINDOW_TAG)
    if tag is None:
        return None

    train = json.loads(tag)["train"]
    start = pd.Timestamp(train["start"]).floor("h").to_pydatetime()
    end = pd.Timestamp(train["end"]).floor("h").to_pydatetime() + timedelta(hours=1)
    return start, end


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    return bool(found and found[0])


def require_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Fail with the table's name when an upstream table was never materialized."""
    if not _table_exists(con, table):
        msg = f"warehouse table {table!r} does not exist: materialize it before the drift check"
        raise LookupError(msg)


def time_column(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The column that places a row in time: its arrival hour if kept, else its event time."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, PARTITION_COLUMN],
    ).fetchone()
    return PARTITION_COLUMN if found and found[0] else EVENT_TIME_COLUMN


def reference_window(
    con: duckdb.DuckDBPyConnection, champion: tuple[datetime, datetime] | None, hours: int
) -> Window | None:
    """The champion's training window, else the first `hours` of data; None without any data."""
    if champion is not None:
        return Window(champion[0], champion[1], "champion model's training window")

    require_table(con, FEATURES_TABLE)
    column = time_column(con, FEATURES_TABLE)
    row = con.execute(
        f"SELECT date_trunc('hour', min({column})) FROM {quote_identifier(FEATURES_TABLE)}"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    first: datetime = row[0]
    return Window(
        first,
        first + timedelta(hours=hours),
        f"default: first {hours} h of data (champion model unknown)",
    )


def read_window(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], window: Window
) -> pd.DataFrame:
    """The columns of every row that arrived in the window."""
    require_table(con, table)
    selected = ", ".join(quote_identifier(column) for column in columns)
    when = time_column(con, table)
    return con.execute(
        f"SELECT {selected} FROM {quote_identifier(table)} WHERE {when} >= ? AND {when} < ?",
        [window.start, window.end],
    ).fetchdf()


def newest_event_time(con: duckdb.DuckDBPyConnection, until: datetime) -> datetime | None:
    """Newest feature row's event time at or before `until`; None if there is none."""
    require_table(con, FEATURES_TABLE)
    row = con.execute(
        f"SELECT max({EVENT_TIME_COLUMN}) FROM {quote_identifier(FEATURES_TABLE)} "
        f"WHERE {EVENT_TIME_COLUMN} <= ?",
        [until],
    ).fetchone()
    return None if row is None else row[0]
