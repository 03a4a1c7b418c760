"""Fixtures of the contract tests: a landing folder and a gate run over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from contract_files import PARTITION_END, PARTITION_START

from journeyheal.contract import GateConfig, ValidationCounts, read_landing_partition
from journeyheal.contract import validate_events as _validate


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The 2024-05-01 10:00 arrival-hour folder of a temporary landing/."""
    path = tmp_path / "landing" / "2024-05-01" / "10"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def gate(folder: Path) -> Callable[..., tuple[duckdb.DuckDBPyConnection, ValidationCounts]]:
    """Read the folder and validate it; returns the connection and the counts."""

    def run(
        accepted_ids: list[str] | None = None, config: GateConfig | None = None
    ) -> tuple[duckdb.DuckDBPyConnection, ValidationCounts]:
        con = duckdb.connect()
        read_landing_partition(con, folder)
        accepted = None
        if accepted_ids is not None:
            con.execute("CREATE TEMP TABLE accepted (event_id VARCHAR)")
            con.execute("INSERT INTO accepted SELECT unnest(?::VARCHAR[])", [sorted(accepted_ids)])
            accepted = "accepted"
        counts = _validate(
            con,
            "raw",
            partition_start=PARTITION_START,
            partition_end=PARTITION_END,
            accepted_ids=accepted,
            config=config or GateConfig(),
        )
        return con, counts

    return run
