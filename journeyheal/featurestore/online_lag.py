"""Is the online store current? Its rows for journeys in flight, judged by their age.

Feast applies no TTL on online reads and never says when a row was last written, so a missed or
failed hourly update would go on serving old rows. This probe takes journeys in flight at a time,
reads their rows of every view of the FeatureService from the online store with their event
timestamps, and judges each key the warehouse holds a row for within the view's TTL: `missing`
when the online store has no row, `expired` when its row is older than the TTL. A key the
warehouse has nothing recent for (a quiet service endpoint) is not judged: serving it nothing, or
an expired row that the read path nulls, is right. A journey is in flight only if its last event
is younger than the inactivity timeout, which is the journey view's TTL, so a skipped update
leaves the journeys of the last hour missing or expired.

Rows that late events added after the update ran are in the warehouse and not online; they are
judged like the others, so replaying an hour after late events can count the odd key as expired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from journeyheal.featurestore.config import feature_store
from journeyheal.featurestore.definitions import FEATURE_SERVICE
from journeyheal.featurestore.online import (
    IN_FLIGHT_TABLE,
    MISSING_KEY,
    TIMESTAMP_SUFFIX,
    is_expired,
    select_in_flight,
)
from journeyheal.featurestore.settings import FeatureStoreSettings
from journeyheal.friction import DEFAULT_EVENTS, feature_views
from journeyheal.friction.catalog import JOURNEY_PREFIX
from journeyheal.friction.queries import quote_identifier
from journeyheal.home import Home

# Journeys probed per check: a missed update leaves most of them missing or expired.
DEFAULT_SAMPLE = 200
EXAMPLES = 5


@dataclass(frozen=True)
class ViewLag:
    """One view's verdict over the probed keys."""

    view: str
    keys: int
    missing: int
    expired: int
    examples: tuple[str, ...]

    @property
    def current(self) -> bool:
        return self.missing == 0 and self.expired == 0


@dataclass(frozen=True)
class OnlineLag:
    """The probe's verdict at `as_of`: journeys probed and each view's lag."""

    as_of: datetime
    journeys: int
    views: tuple[ViewLag, ...]

    @property
    def current(self) -> bool:
        return all(view.current for view in self.views)

    @property
    def reason(self) -> str:
        if self.journeys == 0:
            return f"no journey in flight at {self.as_of}: nothing served, nothing to compare"
        lagging = [view for view in self.views if not view.current]
        if not lagging:
            return f"online rows of {self.journeys} journeys in flight are current"
        parts = [
            f"{view.view}: {view.missing} missing, {view.expired} expired of {view.keys} keys "
            f"(e.g. {', '.join(view.examples)})"
            for view in lagging
        ]
        return f"online store is not current at {self.as_of}: {'; '.join(parts)}"


def online_lag(
    home: Home,
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    *,
    sample: int = DEFAULT_SAMPLE,
    events: str = DEFAULT_EVENTS,
    service_name: str = FEATURE_SERVICE,
    settings: FeatureStoreSettings | None = None,
) -> OnlineLag:
    """Judge the online rows of up to `sample` journeys in flight at `as_of`: missing or
    expired where the warehouse holds a row of the same key within the view's TTL."""
    if as_of.tzinfo is None:
        msg = f"as_of must be tz-aware (got {as_of!r})"
        raise ValueError(msg)
    settings = settings or FeatureStoreSettings()
    views = feature_views(settings.friction)
    ttls = settings.view_ttls()
    store = feature_store(home, settings)
    service = store.get_feature_service(service_name)

    # The journeys in flight, as the hourly update chose them, in a stable sample.
    select_in_flight(con, views[JOURNEY_PREFIX], events, as_of, ttls[JOURNEY_PREFIX])
    journeys = con.execute(
        f"SELECT * FROM {IN_FLIGHT_TABLE} ORDER BY hash(journey_id), journey_id LIMIT $sample",
        {"sample": sample},
    ).df()
    con.execute(f"DROP TABLE {IN_FLIGHT_TABLE}")
    if journeys.empty:
        return OnlineLag(as_of, 0, ())

    # Every join key of the service, from the journey's own latest prefix row.
    projections = service.feature_view_projections
    keys = list(dict.fromkeys(key for p in projections for key in views[p.name].entity_columns))
    rows = [
        {key: MISSING_KEY if _is_null(row[key]) else row[key] for key in keys}
        for row in journeys[keys].to_dict("records")
    ]
    probe = [f"{p.name}:{p.features[0].name}" for p in projections]
    online = store.get_online_features(features=probe, entity_rows=rows).to_dict(
        include_event_timestamps=True
    )

    lags = []
    for projection in projections:
        view = views[projection.name]
        stamps = online[projection.features[0].name + TIMESTAMP_SUFFIX]
        start = as_of - ttls[projection.name]
        recent = _warehouse_recent(con, view.table, view.entity_columns, rows, start, as_of)
        lags.append(_judge(projection.name, view.entity_columns, rows, stamps, recent, start))
    return OnlineLag(as_of, len(rows), tuple(lags))


def _warehouse_recent(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: list[str],
    rows: list[dict[str, Any]],
    start: datetime,
    end: datetime,
) -> set[tuple[Any, ...]]:
    """The probed keys that have a warehouse row in (start, end]."""
    wanted = {tuple(row[key] for key in keys) for row in rows}
    columns = ", ".join(quote_identifier(key) for key in keys)
    found = con.execute(
        f"SELECT DISTINCT {columns} FROM {quote_identifier(table)} "
        "WHERE event_timestamp > $start AND event_timestamp <= $end",
        {"start": start, "end": end},
    ).fetchall()
    return {tuple(row) for row in found} & wanted


def _judge(
    name: str,
    keys: list[str],
    rows: list[dict[str, Any]],
    stamps: list[Any],
    recent: set[tuple[Any, ...]],
    valid_from: datetime,
) -> ViewLag:
    """Missing and expired keys of one view; each distinct key counted once."""
    cutoff = valid_from.timestamp()
    missing: set[tuple[Any, ...]] = set()
    expired: set[tuple[Any, ...]] = set()
    checked: set[tuple[Any, ...]] = set()
    for row, stamp in zip(rows, stamps, strict=True):
        key = tuple(row[column] for column in keys)
        if key not in recent or key in checked:
            continue
        checked.add(key)
        if _is_null(stamp) or stamp == 0:
            missing.add(key)
        elif is_expired(stamp, cutoff):
            expired.add(key)
    examples = tuple("/".join(map(str, key)) for key in sorted(missing | expired)[:EXAMPLES])
    return ViewLag(name, len(checked), len(missing), len(expired), examples)


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
