"""Write a feature table out as Parquet."""

from __future__ import annotations

from pathlib import Path

import duckdb

from journeyheal.friction.queries import quote_identifier


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> Path:
    """Copy table `table` to the Parquet file `path` (parent folders created); returns path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY {quote_identifier(table)} TO ? (FORMAT parquet)", [str(path)])
    return path
