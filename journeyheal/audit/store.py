"""The append-only audit store: SQLAlchemy Core over SQLite (a home) or PostgreSQL (a team)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from journeyheal.audit.triggers import append_only_statements

logger = logging.getLogger(__name__)

TABLE_NAME = "audit_records"
AUDIT_URL_ENV_VAR = "JOURNEYHEAL_AUDIT_URL"
SYSTEM_ACTOR = "system"
SQLITE_BUSY_TIMEOUT_S = 30
KEY_LENGTH = 200
NAME_LENGTH = 200


class AuditError(RuntimeError):
    """The audit store refused an operation or holds unexpected data."""


@dataclass(frozen=True)
class AuditRecord:
    """One immutable fact about a repair: a decision, a review, an action or an outcome."""

    record_key: str
    repair_id: str
    kind: str
    actor: str
    recorded_at: datetime
    verdict: str | None = None
    reason: str = ""
    rule_id: str | None = None
    rule_version: int | None = None
    policy_version: str | None = None
    model_version: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None

    def __post_init__(self) -> None:
        if self.recorded_at.tzinfo is None:
            msg = f"audit record {self.record_key!r}: recorded_at must be timezone-aware"
            raise AuditError(msg)


def _table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        TABLE_NAME,
        metadata,
        sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("record_key", sa.String(KEY_LENGTH), nullable=False, unique=True),
        sa.Column("repair_id", sa.String(KEY_LENGTH), nullable=False, index=True),
        sa.Column("kind", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("actor", sa.String(NAME_LENGTH), nullable=False),
        # ISO 8601 UTC text: sorts correctly and reads back identically on both databases.
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("verdict", sa.String(NAME_LENGTH)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("rule_id", sa.String(NAME_LENGTH)),
        sa.Column("rule_version", sa.Integer),
        sa.Column("policy_version", sa.String(NAME_LENGTH)),
        sa.Column("model_version", sa.String(NAME_LENGTH)),
        sa.Column("inputs", sa.JSON, nullable=False),
    )


class AuditStore:
    """Append records, read them back; the database itself refuses UPDATE and DELETE."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S} if url.startswith("sqlite") else {}
        self.engine = sa.create_engine(url, connect_args=connect_args)
        self.table = _table(sa.MetaData(schema=schema))
        self._create()

    @classmethod
    def sqlite_file(cls, path: Path) -> AuditStore:
        """The default store: one SQLite file (e.g. the home's audit.db)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}")

    @classmethod
    def for_home(cls, audit_db: Path) -> AuditStore:
        """JOURNEYHEAL_AUDIT_URL (e.g. a team's PostgreSQL) if set, else the home's SQLite file."""
        url = os.environ.get(AUDIT_URL_ENV_VAR)
        return cls(url) if url else cls.sqlite_file(audit_db)

    def _create(self) -> None:
        """Create the table and its append-only triggers if they are missing."""
        with self.engine.begin() as con:
            if self.schema:
                con.execute(sa.schema.CreateSchema(self.schema, if_not_exists=True))
            self.table.create(con, checkfirst=True)
            for statement in append_only_statements(self.engine.dialect.name, self.table):
                con.execute(sa.text(statement))

    def _insert(self, row: dict[str, Any]) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            return sqlite.insert(self.table).values(row).on_conflict_do_nothing()
        if dialect == "postgresql":
            return postgresql.insert(self.table).values(row).on_conflict_do_nothing()
        raise AuditError(f"audit store: unsupported database {dialect!r}")

    def append(self, records: Iterable[AuditRecord]) -> int:
        """Add records whose key is new, in one transaction; returns how many were added."""
        added = 0
        with self.engine.begin() as con:
            for record in records:
                row = _to_row(record)
                # RETURNING yields a row only when the key was new (rowcount is unreliable here).
                added += len(con.execute(self._insert(row).returning(self.table.c.seq)).all())
        return added

    def chain(self, repair_id: str) -> list[AuditRecord]:
        """Every record of one repair, oldest first."""
        query = self.table.select().where(self.table.c.repair_id == repair_id)
        return self._read(query.order_by(self.table.c.seq))

    def records(self, kinds: Sequence[str] | None = None) -> list[AuditRecord]:
        """All records (optionally of some kinds), oldest first."""
        query = self.table.select()
        if kinds is not None:
            query = query.where(self.table.c.kind.in_(list(kinds)))
        return self._read(query.order_by(self.table.c.seq))

    def has(self, record_key: str) -> bool:
        """True when a record with this key exists."""
        query = sa.select(self.table.c.seq).where(self.table.c.record_key == record_key)
        with self.engine.connect() as con:
            return con.execute(query).first() is not None

    def _read(self, query: sa.Select[Any]) -> list[AuditRecord]:
        with self.engine.connect() as con:
            return [_from_row(row._mapping) for row in con.execute(query)]

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _to_row(record: AuditRecord) -> dict[str, Any]:
    return {
        "record_key": record.record_key,
        "repair_id": record.repair_id,
        "kind": record.kind,
        "actor": record.actor,
        "recorded_at": record.recorded_at.astimezone(UTC).isoformat(),
        "verdict": record.verdict,
        "reason": record.reason,
        "rule_id": record.rule_id,
        "rule_version": record.rule_version,
        "policy_version": record.policy_version,
        "model_version": record.model_version,
        "inputs": record.inputs,
    }


def _from_row(row: Any) -> AuditRecord:
    return AuditRecord(
        record_key=row["record_key"],
        repair_id=row["repair_id"],
        kind=row["kind"],
        actor=row["actor"],
        recorded_at=datetime.fromisoformat(row["recorded_at"]),
        verdict=row["verdict"],
        reason=row["reason"],
        rule_id=row["rule_id"],
        rule_version=row["rule_version"],
        policy_version=row["policy_version"],
        model_version=row["model_version"],
        inputs=row["inputs"],
        seq=row["seq"],
    )
