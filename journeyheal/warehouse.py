"""Idempotent writes of hourly partitions into the DuckDB warehouse."""

from __future__ import annotations

from datetime import datetime

import duckdb

PARTITION_COLUMN = "partition_hour"


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether a table of that name exists in the main schema."""
    rows = con.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
        [table],
    ).fetchall()
    return bool(rows)


def replace_partition(
    con: duckdb.DuckDBPyConnection, table: str, source: str, partition_hour: datetime
) -> int:
    """Replace one partition's rows of `table` with every row of `source`, in one transaction.

    `source` is a table or view name; a `partition_hour` column is added with the partition's
    start. Re-running with the same source leaves the table as it was: no row is doubled.
    """
    select = f"SELECT *, $hour::TIMESTAMPTZ AS {PARTITION_COLUMN} FROM {source}"
    con.execute("BEGIN TRANSACTION")
    try:
        if not table_exists(con, table):
            con.execute(f"CREATE TABLE {table} AS {select} LIMIT 0", {"hour": partition_hour})
        con.execute(
            f"DELETE FROM {table} WHERE {PARTITION_COLUMN} = $hour", {"hour": partition_hour}
        )
        con.execute(f"INSERT INTO {table} BY NAME {select}", {"hour": partition_hour})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    ((rows,),) = con.execute(
        f"SELECT count(*) FROM {table} WHERE {PARTITION_COLUMN} = $hour", {"hour": partition_hour}
    ).fetchall()
    return int(rows)


def partition_frame_sql(table: str) -> str:
    """SQL selecting one partition's rows of a table (parameter $hour)."""
    return f"SELECT * EXCLUDE ({PARTITION_COLUMN}) FROM {table} WHERE {PARTITION_COLUMN} = $hour"
