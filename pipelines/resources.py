"""Typed resources: every outside system the pipeline touches, configured from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from journeyheal.home import Home
from pipelines.features.resources import feast_resource_for
from pipelines.model.resources import mlflow_resource_for
from pipelines.repairs.resources import audit_resource_for

DUCKDB_THREADS = 2
DUCKDB_MEMORY_LIMIT = "4GB"


class HomeResource(dg.ConfigurableResource):
    """The journeyheal home: landing files, reports and every embedded store live under it."""

    root: str

    @property
    def home(self) -> Home:
        return Home(Path(self.root).resolve())


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse where every table-shaped asset is a table of the same name."""

    path: str
    threads: int = DUCKDB_THREADS
    memory_limit: str = DUCKDB_MEMORY_LIMIT

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An open connection; closed (and its writes made durable) on exit."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path)
        try:
            con.execute(f"SET threads = {int(self.threads)}")
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
            con.execute("SET TimeZone = 'UTC'")
            yield con
        finally:
            con.close()


def resources_for(home: Home) -> dict[str, dg.ConfigurableResource]:
    """Resources bound to one home; the single place that decides the environment."""
    return {
        "home": HomeResource(root=str(home.root)),
        "warehouse": WarehouseResource(path=str(home.warehouse)),
        "audit": audit_resource_for(home),
        "feast": feast_resource_for(home),
        "mlflow": mlflow_resource_for(home),
    }
