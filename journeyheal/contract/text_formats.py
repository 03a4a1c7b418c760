"""Parse JSON Lines and CSV files into raw rows of text, one row per line, errors kept."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeyheal.contract.schema import (
    EXTRA,
    FIELD_NAMES,
    FIELDS,
    JSON_TYPE_MARK,
    PARSE_ERROR,
    SOURCE_ROW,
    FieldType,
)

_KNOWN = frozenset(FIELD_NAMES)
# Contract fields a JSON line must give as JSON strings (numbers are text of their own type).
_TEXT_FIELDS = tuple(f.name for f in FIELDS if f.type in (FieldType.STRING, FieldType.TIMESTAMP))
_JSON_TYPE_NAMES = {dict: "an object", list: "an array", bool: "a boolean"}


class _Rows:
    """Column-wise buffer of raw rows: contract fields as text, plus row number, extra, error."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {
            name: [] for name in (*FIELD_NAMES, SOURCE_ROW, EXTRA, PARSE_ERROR)
        }

    def add(
        self, row: int, values: dict[str, str | None], extra: str | None, error: str | None
    ) -> None:
        """Append one raw row; fields absent from values are NULL."""
        for name in FIELD_NAMES:
            self.columns[name].append(values.get(name))
        self.columns[SOURCE_ROW].append(row)
        self.columns[EXTRA].append(extra)
        self.columns[PARSE_ERROR].append(error)

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table (text columns, int64 row number)."""
        arrays = {
            name: pa.array(values, pa.int64() if name == SOURCE_ROW else pa.string())
            for name, values in self.columns.items()
        }
        return pa.table(arrays)


def _json_text(value: Any) -> str | None:
    """A JSON value as the text it was received as (numbers were kept as their source text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _parse_json_line(raw_line: bytes) -> tuple[dict[str, str | None], str | None, str | None]:
    """Contract fields of one JSON object line as text, the JSON of unknown keys, and the
    marked type error of a text field holding an object, array or boolean (else None)."""
    # Numbers stay as their exact source text: validation decides whether they fit the type.
    record = json.loads(
        raw_line.decode("utf-8"), parse_float=str, parse_int=str, parse_constant=str
    )
    if not isinstance(record, dict):
        raise ValueError(f"line is JSON {type(record).__name__}, not a JSON object")

    values = {name: _json_text(record[name]) for name in FIELD_NAMES if name in record}
    type_error = _json_type_error(record)
    unknown = [key for key in record if key not in _KNOWN]
    if not unknown:
        return values, None, type_error
    typed = json.loads(raw_line.decode("utf-8"))
    extra = json.dumps({key: typed[key] for key in unknown}, separators=(",", ":"))
    return values, extra, type_error


def _json_type_error(record: dict[str, Any]) -> str | None:
    """The first text field holding a JSON object, array or boolean, marked for the validator
    (numbers are left to the validator's rules: they were kept as their source text)."""
    for name in _TEXT_FIELDS:
        kind = _JSON_TYPE_NAMES.get(type(record.get(name)))
        if kind is not None:
            shown = json.dumps(record[name], separators=(",", ":"))
            return f"{JSON_TYPE_MARK}{name}:{name} {shown} is {kind}, not a string"
    return None


def read_jsonl(path: Path) -> pa.Table:
    """Raw rows of a JSON Lines file; a line that is not a JSON object becomes a parse error."""
    rows = _Rows()
    for number, received in enumerate(path.read_bytes().split(b"\n"), start=1):
        line = received.rstrip(b"\r")
        if not line.strip():
            continue

        try:
            values, extra, type_error = _parse_json_line(line)
        except UnicodeDecodeError as error:
            rows.add(number, {}, None, f"line is not UTF-8 text: {error}")
        except ValueError as error:
            # json.JSONDecodeError is a ValueError too.
            rows.add(number, {}, None, f"line is not a valid JSON object: {error}")
        else:
            rows.add(number, values, extra, type_error)
    return rows.to_arrow()


def _records(reader: Any) -> Iterator[list[str]]:
    """The reader's records; a malformed record names its line as a ValueError."""
    try:
        yield from reader
    except csv.Error as error:
        raise ValueError(f"line {reader.line_num}: {error}") from error


def read_csv(path: Path) -> pa.Table:
    """Raw rows of a CSV file with a header line; a row with the wrong field count is an error."""
    rows = _Rows()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return rows.to_arrow()
        if len(set(header)) != len(header):
            raise ValueError(f"CSV header repeats a column name: {header}")

        unknown = [index for index, name in enumerate(header) if name not in _KNOWN]
        known = [(index, name) for index, name in enumerate(header) if name in _KNOWN]
        last_line = reader.line_num
        for record in _records(reader):
            # source_row is the file line the record starts on (the header is line 1).
            start_line, last_line = last_line + 1, reader.line_num
            if not record:
                continue
            if len(record) != len(header):
                error = f"row has {len(record)} fields, the header has {len(header)}"
                rows.add(start_line, {}, None, error)
                continue

            # CSV cannot tell null from empty text: an empty cell is absent.
            values = {name: record[index] or None for index, name in known}
            extra = (
                json.dumps({header[i]: record[i] for i in unknown}, separators=(",", ":"))
                if unknown
                else None
            )
            rows.add(start_line, values, extra, None)
    return rows.to_arrow()
