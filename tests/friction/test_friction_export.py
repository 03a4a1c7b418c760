"""write_parquet copies a feature table to a Parquet file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from journeyheal.friction import compute_journey_prefix_features, write_parquet
from tests.friction.events import Ev, load_events


def test_write_parquet_round_trips(tmp_path: Path) -> None:
    con = duckdb.connect()
    load_events(
        con, [Ev("e1", "j1", 0, "step_view", "cart"), Ev("e2", "j1", 5, "backtrack", "cart")]
    )
    table = compute_journey_prefix_features(con, "events")

    path = write_parquet(con, table, tmp_path / "nested" / "prefix.parquet")

    written = pq.read_table(path)
    assert written.num_rows == 2
    assert written.column("backtrack_count").to_pylist() == [0, 1]
    assert str(written.schema.field("event_timestamp").type) == "timestamp[us, tz=UTC]"
