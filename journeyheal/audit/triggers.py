"""Database triggers that make the audit table append-only: UPDATE and DELETE are refused."""

from __future__ import annotations

import sqlalchemy as sa

REFUSAL = "audit records are append-only"


def _sqlite(table: sa.Table) -> list[str]:
    name = table.name
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_no_{verb.lower()} BEFORE {verb} ON {name} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {verb} refused'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def _postgresql(table: sa.Table) -> list[str]:
    schema = f'"{table.schema}".' if table.schema else ""
    function = f"{schema}{table.name}_refuse_change"
    qualified = f'{schema}"{table.name}"'
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{REFUSAL}: % refused', TG_OP; END $$",
        f"CREATE OR REPLACE TRIGGER {table.name}_no_change BEFORE UPDATE OR DELETE ON {qualified} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE OR REPLACE TRIGGER {table.name}_no_truncate BEFORE TRUNCATE ON {qualified} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def append_only_statements(dialect: str, table: sa.Table) -> list[str]:
    """The idempotent DDL that installs the refusal triggers on this database."""
    if dialect == "sqlite":
        return _sqlite(table)
    if dialect == "postgresql":
        return _postgresql(table)
    msg = f"no append-only triggers for database {dialect!r}; use SQLite or PostgreSQL"
    raise ValueError(msg)
