"""Audit stores to test against: a SQLite file, and a fresh schema in the local PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from journeyheal.audit.store import AuditStore

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[AuditStore]:
    store = AuditStore.sqlite_file(tmp_path / "audit.db")
    yield store
    store.dispose()


@pytest.fixture
def postgres_store() -> Iterator[AuditStore]:
    """A store in a schema of its own, dropped afterwards; skipped without a server, except in
    CI, whose .ci/run starts one: there a missing server fails instead of passing unseen."""
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        message = f"no PostgreSQL at {POSTGRES_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    schema = f"audit_test_{uuid.uuid4().hex[:12]}"
    store = AuditStore(POSTGRES_URL, schema=schema)
    yield store
    store.dispose()
    with engine.begin() as con:
        con.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
