"""The field table of docs/contract.md is the contract definition in code."""

from __future__ import annotations

from pathlib import Path

from journeyheal.contract.schema import FIELDS, Field

DOC = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
HEADER = "| field | type | nullable | allowed values | min | max |"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _row(spec: Field) -> list[str]:
    return [
        spec.name,
        spec.type.value,
        "yes" if spec.nullable else "no",
        ", ".join(spec.enum or ()),
        _number(spec.min),
        _number(spec.max),
    ]


def _doc_rows() -> list[list[str]]:
    lines = DOC.read_text().splitlines()
    start = lines.index(HEADER) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_docs_field_table_matches_the_schema() -> None:
    assert _doc_rows() == [_row(spec) for spec in FIELDS]
