"""The audit store as a Dagster resource: SQLite in the home by default, PostgreSQL for a team."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from journeyheal.audit.store import AUDIT_URL_ENV_VAR, AuditStore
from journeyheal.home import Home


class AuditStoreResource(dg.ConfigurableResource):
    """An SQLAlchemy URL (sqlite:///... or postgresql://...) and an optional schema."""

    url: str
    db_schema: str | None = None

    def open(self) -> AuditStore:
        """The store, with its table and append-only triggers in place."""
        if self.url.startswith("sqlite:///"):
            # Make sure the file's folder exists, as a fresh home may not have it yet.
            return AuditStore.sqlite_file(Path(self.url.removeprefix("sqlite:///")))
        return AuditStore(self.url, schema=self.db_schema)


def audit_resource_for(home: Home) -> AuditStoreResource:
    """JOURNEYHEAL_AUDIT_URL when set, else the home's SQLite audit file."""
    url = os.environ.get(AUDIT_URL_ENV_VAR) or f"sqlite:///{home.audit_db}"
    return AuditStoreResource(url=url)
