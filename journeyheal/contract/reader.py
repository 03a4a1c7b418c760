"""Read one arrival-hour folder of landing files into the DuckDB temp table or view `raw`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from journeyheal.contract.schema import (
    EXTRA,
    FIELD_NAMES,
    FIELDS,
    PARSE_ERROR,
    SOURCE_FILE,
    SOURCE_ROW,
    Field,
    FieldType,
)
from journeyheal.contract.sql import ident, literal
from journeyheal.contract.text_formats import read_csv, read_jsonl

logger = logging.getLogger(__name__)

RAW_TABLE = "raw"
PARQUET = ".parquet"
JSONL = ".jsonl"
CSV = ".csv"
SUPPORTED_SUFFIXES = (PARQUET, JSONL, CSV)
TEXT = "VARCHAR"

# Parquet column types that already carry a field's contract type; anything else is read as text.
_NATIVE_TYPES: dict[FieldType, frozenset[str]] = {
    FieldType.STRING: frozenset({"VARCHAR"}),
    FieldType.FLOAT: frozenset({"DOUBLE", "FLOAT"}),
    FieldType.INT: frozenset(
        {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
    ),
    FieldType.TIMESTAMP: frozenset(
        {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMPTZ_NS", "TIMESTAMP_NS WITH TIME ZONE"}
    ),
}


@dataclass(frozen=True)
class RawRead:
    """What reading one landing folder found."""

    rows: int
    files_read: tuple[str, ...]
    unreadable_files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _ParquetFile:
    """A Parquet file whose footer was readable, with its column types."""

    path: Path
    relative: str
    types: dict[str, str]


def _raw_column_types(parquet_files: list[_ParquetFile], text_files: int) -> dict[str, str]:
    """Each raw column keeps the contract type only if every file delivered it natively."""
    types: dict[str, str] = {}
    for field in FIELDS:
        native = bool(parquet_files) and text_files == 0
        native = native and all(
            f.types.get(field.name) in _NATIVE_TYPES[field.type] for f in parquet_files
        )
        types[field.name] = field.type.duckdb_type if native else TEXT
    return types


def _create_raw_table(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, str]) -> None:
    """An empty temp table with the contract fields and the reader's columns."""
    columns = [f"{ident(name)} {types[name]}" for name in FIELD_NAMES]
    columns += [
        f"{SOURCE_FILE} VARCHAR",
        f"{SOURCE_ROW} BIGINT",
        f"{EXTRA} VARCHAR",
        f"{PARSE_ERROR} VARCHAR",
    ]
    con.execute(f"CREATE TEMP TABLE {ident(table)} ({', '.join(columns)})")


def _parquet_field_expr(field: Field, file_type: str | None, raw_type: str) -> str:
    """SQL for one contract field of a Parquet file, in the raw table's column type."""
    if file_type is None:
        return f"NULL::{raw_type}"
    column = ident(field.name)
    if raw_type == file_type:
        return column
    return f"CAST({column} AS {raw_type})"


def _parquet_select(parquet: _ParquetFile, types: dict[str, str]) -> str:
    """SQL selecting one Parquet file as raw rows; unknown columns go to `extra` as JSON."""
    selects = [
        f"{_parquet_field_expr(field, parquet.types.get(field.name), types[field.name])} "
        f"AS {ident(field.name)}"
        for field in FIELDS
    ]

    unknown = [name for name in parquet.types if name not in FIELD_NAMES]
    if unknown:
        packed = ", ".join(f"{ident(name)} := {ident(name)}" for name in unknown)
        extra = f"to_json(struct_pack({packed}))::VARCHAR"
    else:
        extra = "NULL::VARCHAR"

    selects += [
        f"{literal(parquet.relative)} AS {SOURCE_FILE}",
        f"file_row_number + 1 AS {SOURCE_ROW}",
        f"{extra} AS {EXTRA}",
        f"NULL::VARCHAR AS {PARSE_ERROR}",
    ]
    source = f"read_parquet({literal(str(parquet.path))}, file_row_number = true)"
    return f"SELECT {', '.join(selects)} FROM {source}"


def _insert_parquet(
    con: duckdb.DuckDBPyConnection, table: str, parquet: _ParquetFile, types: dict[str, str]
) -> None:
    """Append one Parquet file to the raw table."""
    con.execute(f"INSERT INTO {ident(table)} {_parquet_select(parquet, types)}")


def _drop_raw(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop the temp table or view of that name left by an earlier read, whichever it is."""
    found = con.execute(
        "SELECT table_type FROM information_schema.tables "
        "WHERE table_catalog = 'temp' AND table_name = ?",
        [table],
    ).fetchall()
    for (kind,) in found:
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} temp.main.{ident(table)}")


def _create_parquet_view(
    con: duckdb.DuckDBPyConnection,
    table: str,
    parquet_files: list[_ParquetFile],
    types: dict[str, str],
) -> None:
    """The raw rows as a temp view over the Parquet files: no copy until validation reads them."""
    union = " UNION ALL ".join(_parquet_select(parquet, types) for parquet in parquet_files)
    con.execute(f"CREATE TEMP VIEW {ident(table)} AS {union}")


def _insert_text(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, relative: str) -> None:
    """Append raw rows parsed from a JSONL or CSV file."""
    view = "_journeyheal_text_rows"
    con.register(view, rows)
    try:
        columns = ", ".join(ident(name) for name in FIELD_NAMES)
        con.execute(
            f"INSERT INTO {ident(table)} SELECT {columns}, {literal(relative)}, "
            f"{SOURCE_ROW}, {EXTRA}, {PARSE_ERROR} FROM {view}"
        )
    finally:
        con.unregister(view)


def _describe_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """Column name to DuckDB type, read from the Parquet footer."""
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})")
    return {row[0]: row[1] for row in described.fetchall()}


def _landing_files(folder: Path) -> list[Path]:
    """Files of the folder, sorted; dot files are writes still in progress and are skipped."""
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            logger.info("skipping %s: a dot file is a write still in progress", path)
        elif path.is_file():
            files.append(path)
    return files


def read_landing_partition(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    *,
    landing_root: Path | None = None,
    table: str = RAW_TABLE,
) -> RawRead:
    """Read every landing file of one arrival-hour folder into the temp table or view `raw`.

    When every file is Parquet, `raw` is a temp view over the files (nothing is copied until
    validation reads it once); with any JSONL or CSV file it is a temp table.

    Contract fields are text as received, or their contract type when every file of the folder
    is Parquet with that column natively typed. A file that cannot be read at all is listed in
    `unreadable_files` and the other files are still read. `source_file` is relative to
    `landing_root` (default: the folder two levels up, i.e. landing/).
    """
    root = landing_root if landing_root is not None else folder.parent.parent
    files = _landing_files(folder) if folder.is_dir() else []
    unreadable: list[tuple[str, str]] = []

    # Footers first: the raw column types depend on every file of the folder.
    parquet_files: list[_ParquetFile] = []
    text_files: list[Path] = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        if path.suffix == PARQUET:
            try:
                types = _describe_parquet(con, path)
            except duckdb.Error as error:
                unreadable.append((relative, f"not a readable Parquet file: {error}"))
                continue
            parquet_files.append(_ParquetFile(path, relative, types))
        elif path.suffix in (JSONL, CSV):
            text_files.append(path)
        else:
            allowed = ", ".join(SUPPORTED_SUFFIXES)
            unreadable.append((relative, f"unsupported file extension (expected {allowed})"))

    types = _raw_column_types(parquet_files, len(text_files))
    _drop_raw(con, table)
    read: list[str] = []
    if parquet_files and not text_files:
        # Parquet only: a view, so that validation decodes the files once, in its own pass.
        _create_parquet_view(con, table, parquet_files, types)
        read = [parquet.relative for parquet in parquet_files]
        parquet_files = []
    else:
        _create_raw_table(con, table, types)

    for parquet in parquet_files:
        try:
            _insert_parquet(con, table, parquet, types)
        except duckdb.Error as error:
            unreadable.append((parquet.relative, f"not a readable Parquet file: {error}"))
            continue
        read.append(parquet.relative)

    for path in text_files:
        relative = path.relative_to(root).as_posix()
        parse = read_jsonl if path.suffix == JSONL else read_csv
        try:
            rows = parse(path)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            unreadable.append((relative, f"not a readable {path.suffix} file: {error}"))
            continue
        _insert_text(con, table, rows, relative)
        read.append(relative)

    for relative, message in unreadable:
        logger.warning("landing file %s skipped: %s", relative, message)
    ((rows_read,),) = con.execute(f"SELECT count(*) FROM {ident(table)}").fetchall()
    return RawRead(rows=int(rows_read), files_read=tuple(read), unreadable_files=tuple(unreadable))
