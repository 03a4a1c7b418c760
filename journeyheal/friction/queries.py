"""Load the friction SQL files and run them with table names and named parameters."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent / "sql"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LABEL = re.compile(r"^[A-Za-z0-9_]+$")
# `$name` parameters; `$$` never appears in these files.
PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

log = logging.getLogger(__name__)


@cache
def load_sql(name: str) -> str:
    """Text of journeyheal/friction/sql/<name>.sql."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        msg = f"no friction query named {name!r} (looked for {path})"
        raise FileNotFoundError(msg)
    return path.read_text(encoding="utf-8")


def quote_identifier(name: str) -> str:
    """A table name safe to paste into SQL; anything but a plain identifier is refused."""
    if not IDENTIFIER.match(name):
        msg = f"table name {name!r} must be a plain identifier (letters, digits, underscore)"
        raise ValueError(msg)
    return f'"{name}"'


def render(
    name: str, tables: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> tuple[str, list[str]]:
    """SQL of `name` with its {slot}s filled, and the parameter names it uses.

    Table slots get quoted identifiers; label slots (column name parts such as a window
    length, "5m") are pasted as they are after checking they are plain words.
    """
    slots = {slot: quote_identifier(table) for slot, table in tables.items()}
    for slot, label in (labels or {}).items():
        if not LABEL.match(label):
            msg = f"column label {label!r} for {{{slot}}} must be letters, digits or underscore"
            raise ValueError(msg)
        slots[slot] = label

    try:
        sql = load_sql(name).format_map(slots)
    except KeyError as missing:
        msg = f"friction query {name!r} needs a value for the slot {missing}"
        raise KeyError(msg) from None
    return sql, sorted(set(PARAMETER.findall(sql)))


def run_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    tables: Mapping[str, str],
    parameters: Mapping[str, object],
    labels: Mapping[str, str] | None = None,
) -> None:
    """Run one SQL file; only the parameters the file names are bound, all must be given."""
    sql, used = render(name, tables, labels)
    missing = [key for key in used if key not in parameters]
    if missing:
        msg = f"friction query {name!r} needs parameters {missing}"
        raise KeyError(msg)

    log.debug("running friction query %s on %s", name, dict(tables))
    con.execute(sql, {key: parameters[key] for key in used})
