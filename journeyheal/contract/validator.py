"""Split the raw table into `validated` and `quarantined` with one vectorised DuckDB pass."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from journeyheal.contract.config import GateConfig
from journeyheal.contract.schema import (
    CONTRACT_VERSION,
    EXTRA,
    FIELD_NAMES,
    FIELDS,
    FIELDS_BY_NAME,
    JSON_TYPE_MARK,
    PARSE_ERROR,
    SOURCE_FILE,
    SOURCE_ROW,
    Field,
    FieldType,
    Reason,
)
from journeyheal.contract.sql import ident, literal

logger = logging.getLogger(__name__)

VALIDATED_TABLE = "validated"
QUARANTINED_TABLE = "quarantined"
_DUPLICATES_TABLE = "_journeyheal_duplicates"
TEXT = "VARCHAR"
IS_LATE = "is_late"
SCHEMA_VERSION = "schema_version"
EVENT_TIME = "event_time"
EVENT_ID = "event_id"

# ISO 8601 date and time, then a zone (Z or a numeric offset) or nothing (a naive timestamp).
_DATE_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
ZONED_TIMESTAMP = _DATE_TIME + r"\s*(Z|z|[+-]\d{2}(:?\d{2})?)"
NAIVE_TIMESTAMP = _DATE_TIME

# The first character above the space: text sorting before it is empty or starts with a space
# or control character.
_FIRST_VISIBLE = "!"

# Integers arrive as text; a value beyond this cannot be told apart exactly from a double.
_MAX_EXACT_INT = 2**53


@dataclass(frozen=True)
class ValidationCounts:
    """Where every input row of one partition went."""

    input_rows: int
    validated: int
    quarantined: int
    duplicates: int
    late: int
    reasons: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.balanced:
            raise AssertionError(f"rows lost or doubled by the contract gate: {self}")

    @property
    def balanced(self) -> bool:
        """True when every input row is validated, quarantined or a dropped duplicate."""
        return self.validated + self.quarantined + self.duplicates == self.input_rows

    @property
    def quarantined_share(self) -> float:
        """Share of input rows quarantined (0 for an empty partition)."""
        return self.quarantined / self.input_rows if self.input_rows else 0.0


def quarantine_share_ok(counts: ValidationCounts, config: GateConfig) -> tuple[bool, float]:
    """Whether the quarantined share is within the cap, and the observed share."""
    share = counts.quarantined_share
    return share <= config.max_quarantined_share, share


def _value(name: str) -> str:
    return ident(f"__value_{name}")


def _naive_flag() -> str:
    return ident("__naive_event_time")


def _blank_to_null(column: str) -> str:
    """Blank text counts as absent."""
    # trim is costly, so only text that is empty or starts with a space or control character
    # (code point 32 or below: exactly the text that sorts before "!") is trimmed.
    return (
        f"CASE WHEN {column} < {literal(_FIRST_VISIBLE)} AND trim({column}) = '' "
        f"THEN NULL ELSE {column} END"
    )


def _typed_expr(spec: Field, raw_type: str) -> str:
    """SQL turning one raw column into its contract type; NULL when absent or unparseable."""
    column = ident(spec.name)
    if raw_type != TEXT:
        typed = f"CAST({column} AS {spec.type.duckdb_type})"
        return (
            f"CASE WHEN isfinite({typed}) THEN {typed} END"
            if spec.type == FieldType.FLOAT
            else typed
        )

    text = _blank_to_null(column)
    if spec.type == FieldType.STRING:
        return text
    if spec.type == FieldType.FLOAT:
        number = f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN isfinite({number}) THEN {number} END"
    if spec.type == FieldType.INT:
        # TRY_CAST to BIGINT would round '1.5'; only integral values are integers.
        number = f"TRY_CAST({text} AS DOUBLE)"
        return (
            f"CASE WHEN isfinite({number}) AND {number} = trunc({number}) "
            f"AND abs({number}) < {_MAX_EXACT_INT} THEN CAST({number} AS BIGINT) END"
        )
    return (
        f"CASE WHEN regexp_full_match({text}, {literal(ZONED_TIMESTAMP)}) "
        f"THEN TRY_CAST({text} AS TIMESTAMPTZ) END"
    )


def _naive_expr(raw_type: str) -> str:
    """SQL true when event_time is a valid timestamp without a zone."""
    if raw_type != TEXT:
        return "false"
    text = _blank_to_null(ident(EVENT_TIME))
    return (
        f"coalesce(regexp_full_match({text}, {literal(NAIVE_TIMESTAMP)}) "
        f"AND TRY_CAST({text} AS TIMESTAMP) IS NOT NULL, false)"
    )


def _present(spec: Field, raw_type: str) -> str:
    column = ident(spec.name)
    if raw_type != TEXT:
        return f"({column} IS NOT NULL)"
    return f"({_blank_to_null(column)} IS NOT NULL)"


def _verdict(reason: Reason, spec_name: str | None, detail: str) -> str:
    """A struct literal naming the reason, the field and a human detail (SQL text)."""
    name = literal(spec_name) if spec_name else "NULL::VARCHAR"
    return f"{{'reason': {literal(reason.value)}, 'field': {name}, 'detail': {detail}}}"


def _shown(spec: Field) -> str:
    """The received value of a field as text, for details."""
    return f"CAST({ident(spec.name)} AS VARCHAR)"


def _rules(types: dict[str, str]) -> list[tuple[str, str]]:
    """(condition, verdict) pairs in the order they are checked; the first match decides."""
    mark = literal(JSON_TYPE_MARK)
    rules: list[tuple[str, str]] = [
        (
            f"starts_with({PARSE_ERROR}, {mark})",
            f"{{'reason': {literal(Reason.WRONG_TYPE.value)}, "
            f"'field': split_part({PARSE_ERROR}, ':', 2), "
            f"'detail': {PARSE_ERROR}[length({mark}) + length(split_part({PARSE_ERROR}, ':', 2))"
            " + 2:]}",
        ),
        (f"{PARSE_ERROR} IS NOT NULL", _verdict(Reason.UNPARSEABLE_LINE, None, PARSE_ERROR)),
    ]

    # The version comes first: a row of another version is not judged by v1's rules.
    version = FIELDS_BY_NAME[SCHEMA_VERSION]
    rules += [
        (f"NOT {_present(version, types[SCHEMA_VERSION])}", _missing(version)),
        (f"{_value(SCHEMA_VERSION)} IS NULL", _wrong_type(version)),
        (
            f"{_value(SCHEMA_VERSION)} <> {CONTRACT_VERSION}",
            _verdict(
                Reason.WRONG_SCHEMA_VERSION,
                SCHEMA_VERSION,
                f"'schema_version is ' || {_shown(version)} || ', expected {CONTRACT_VERSION}'",
            ),
        ),
    ]

    others = [spec for spec in FIELDS if spec.name != SCHEMA_VERSION]
    rules += [
        (f"NOT {_present(spec, types[spec.name])}", _missing(spec))
        for spec in others
        if spec.required
    ]
    rules += [
        (f"{_present(spec, types[spec.name])} AND {_value(spec.name)} IS NULL", _wrong_type(spec))
        for spec in others
        if spec.type not in (FieldType.STRING, FieldType.TIMESTAMP)
    ]

    # event_time is required, so here it is present: unparseable, or parseable but naive.
    event_time = FIELDS_BY_NAME[EVENT_TIME]
    rules += [
        (
            f"{_value(EVENT_TIME)} IS NULL AND NOT {_naive_flag()}",
            _verdict(
                Reason.BAD_TIMESTAMP,
                EVENT_TIME,
                f"'event_time ' || {_shown(event_time)} "
                "|| ' is not an ISO 8601 timestamp with Z or an offset'",
            ),
        ),
        (
            f"{_value(EVENT_TIME)} IS NULL",
            _verdict(
                Reason.NAIVE_TIMESTAMP,
                EVENT_TIME,
                f"'event_time ' || {_shown(event_time)} || ' has no zone or offset'",
            ),
        ),
    ]

    rules += [(_enum_condition(spec), _enum_verdict(spec)) for spec in others if spec.enum]
    rules += [
        (f"{_value(spec.name)} < {spec.min}", _below_verdict(spec))
        for spec in others
        if spec.min is not None
    ]
    return rules


def _missing(spec: Field) -> str:
    return _verdict(Reason.MISSING_FIELD, spec.name, literal(f"{spec.name} is missing or blank"))


def _wrong_type(spec: Field) -> str:
    detail = f"{literal(spec.name + ' ')} || {_shown(spec)} || {literal(' is not ' + spec.type)}"
    if spec.type == FieldType.FLOAT:
        detail += " || ' (a finite number)'"
    return _verdict(Reason.WRONG_TYPE, spec.name, detail)


def _enum_condition(spec: Field) -> str:
    allowed = ", ".join(literal(value) for value in spec.enum or ())
    return f"{_value(spec.name)} NOT IN ({allowed})"


def _enum_verdict(spec: Field) -> str:
    allowed = ", ".join(spec.enum or ())
    detail = (
        f"{literal(spec.name + ' ')} || {_shown(spec)} || {literal(' is not one of ' + allowed)}"
    )
    return _verdict(Reason.UNKNOWN_ENUM_VALUE, spec.name, detail)


def _below_verdict(spec: Field) -> str:
    detail = f"{literal(spec.name + ' ')} || {_shown(spec)} || {literal(f' is below {spec.min}')}"
    return _verdict(Reason.OUT_OF_RANGE, spec.name, detail)


def _time_window_rules() -> list[tuple[str, str]]:
    """Future and too-late events; the bounds are bound parameters $future and $too_late."""
    shown = _shown(FIELDS_BY_NAME[EVENT_TIME])
    return [
        (
            f"{_value(EVENT_TIME)} > $future",
            _verdict(
                Reason.FUTURE_EVENT,
                EVENT_TIME,
                f"'event_time ' || {shown} || ' is after the partition end plus clock skew'",
            ),
        ),
        (
            f"{_value(EVENT_TIME)} < $too_late",
            _verdict(
                Reason.TOO_LATE,
                EVENT_TIME,
                f"'event_time ' || {shown} || ' is before the partition start minus lateness'",
            ),
        ),
    ]


def _raw_types(con: duckdb.DuckDBPyConnection, raw: str) -> dict[str, str]:
    """Column types of the raw table; every contract and reader column must be there."""
    described = con.execute(f"DESCRIBE {ident(raw)}").fetchall()
    types = {row[0]: row[1] for row in described}
    needed = (*FIELD_NAMES, SOURCE_FILE, SOURCE_ROW, EXTRA, PARSE_ERROR)
    missing = [name for name in needed if name not in types]
    if missing:
        raise ValueError(f"raw table {raw!r} lacks columns {missing}: read it with the reader")
    return types


def _checked_sql(raw: str, types: dict[str, str]) -> str:
    """SQL of a query over raw: raw columns, typed values and the first failed rule."""
    values = [f"{_typed_expr(spec, types[spec.name])} AS {_value(spec.name)}" for spec in FIELDS]
    values.append(f"{_naive_expr(types[EVENT_TIME])} AS {_naive_flag()}")

    cases = " ".join(
        f"WHEN {condition} THEN {verdict}"
        for condition, verdict in (*_rules(types), *_time_window_rules())
    )
    return f"""
        SELECT *, CASE {cases} END AS __verdict
        FROM (SELECT *, {", ".join(values)} FROM {ident(raw)})
    """


def _split_sql(raw: str, types: dict[str, str]) -> tuple[str, str]:
    """SQL creating the validated and quarantined tables; each is one pass over raw."""
    # Only the validated table is materialised with typed copies; quarantine is a small filter.
    checked = _checked_sql(raw, types)
    typed = ", ".join(f"{_value(name)} AS {ident(name)}" for name in FIELD_NAMES)
    validated = f"""
        CREATE OR REPLACE TEMP TABLE {VALIDATED_TABLE} AS
        SELECT {typed}, {SOURCE_FILE}, {SOURCE_ROW}, {EXTRA},
               {_value(EVENT_TIME)} < $start AS {IS_LATE}
        FROM ({checked})
        WHERE __verdict IS NULL
    """

    texts = ", ".join(
        ident(name) if types[name] == TEXT else f"CAST({ident(name)} AS VARCHAR) AS {ident(name)}"
        for name in FIELD_NAMES
    )
    quarantined = f"""
        CREATE OR REPLACE TEMP TABLE {QUARANTINED_TABLE} AS
        SELECT {texts}, {SOURCE_FILE}, {SOURCE_ROW}, {EXTRA}, {PARSE_ERROR},
               __verdict.reason AS reason, __verdict.field AS field, __verdict.detail AS detail
        FROM ({checked})
        WHERE __verdict IS NOT NULL
    """
    return validated, quarantined


def _duplicates_sql(accepted_ids: str | None) -> str:
    """SQL creating the table of (source_file, source_row) of validated rows that are repeats.

    Only rows that pass every rule claim their event_id; the first by file and row wins. The
    window runs on repeated ids only, which are few, instead of on the whole partition.
    """
    key = f"{SOURCE_FILE}, {SOURCE_ROW}"
    repeats = f"""
        SELECT {key} FROM (
            SELECT {key}, row_number() OVER (PARTITION BY {EVENT_ID} ORDER BY {key}) AS n
            FROM {VALIDATED_TABLE}
            WHERE {EVENT_ID} IN (
                SELECT {EVENT_ID} FROM {VALIDATED_TABLE} GROUP BY {EVENT_ID} HAVING count(*) > 1
            )
        ) WHERE n > 1
    """
    if accepted_ids is not None:
        repeats += f"""
            UNION
            SELECT {key} FROM {VALIDATED_TABLE} v
            SEMI JOIN {ident(accepted_ids)} a ON v.{EVENT_ID} = a.{EVENT_ID}
        """
    return f"CREATE OR REPLACE TEMP TABLE {_DUPLICATES_TABLE} AS {repeats}"


def _drop_duplicates_sql() -> str:
    """SQL deleting the duplicate rows from the validated table."""
    return f"""
        DELETE FROM {VALIDATED_TABLE} v USING {_DUPLICATES_TABLE} d
        WHERE v.{SOURCE_FILE} = d.{SOURCE_FILE} AND v.{SOURCE_ROW} = d.{SOURCE_ROW}
    """


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {moment.isoformat()}")


def validate_events(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    *,
    partition_start: datetime,
    partition_end: datetime,
    accepted_ids: str | None,
    config: GateConfig,
) -> ValidationCounts:
    """Create temp tables `validated` and `quarantined` from the raw table and count the split.

    `accepted_ids` names a table or view with an `event_id` column of events accepted in other
    partitions; such events and repeats within the partition are dropped as duplicates.
    """
    _require_aware("partition_start", partition_start)
    _require_aware("partition_end", partition_end)
    if partition_end < partition_start:
        raise ValueError(
            f"partition_end {partition_end} is before partition_start {partition_start}"
        )

    types = _raw_types(con, raw)
    bounds = {
        "future": partition_end + config.clock_skew_tolerance,
        "too_late": partition_start - config.allowed_lateness,
    }
    validated_sql, quarantined_sql = _split_sql(raw, types)
    con.execute(validated_sql, {**bounds, "start": partition_start})
    con.execute(quarantined_sql, bounds)
    ((input_rows,),) = con.execute(f"SELECT count(*) FROM {ident(raw)}").fetchall()

    con.execute(_duplicates_sql(accepted_ids))
    ((duplicates,),) = con.execute(f"SELECT count(*) FROM {_DUPLICATES_TABLE}").fetchall()
    if duplicates:
        con.execute(_drop_duplicates_sql())
    con.execute(f"DROP TABLE {_DUPLICATES_TABLE}")

    counts = _count(con, int(input_rows), int(duplicates))
    logger.info("contract gate: %s", counts)
    return counts


def _count(con: duckdb.DuckDBPyConnection, input_rows: int, duplicates: int) -> ValidationCounts:
    """Counts of the split, read back from the tables themselves."""
    ((validated, late),) = con.execute(
        f"SELECT count(*), coalesce(count_if({IS_LATE}), 0) FROM {VALIDATED_TABLE}"
    ).fetchall()
    reasons = con.execute(
        f"SELECT reason, count(*) FROM {QUARANTINED_TABLE} GROUP BY reason ORDER BY reason"
    ).fetchall()

    return ValidationCounts(
        input_rows=input_rows,
        validated=int(validated),
        quarantined=sum(int(count) for _, count in reasons),
        duplicates=duplicates,
        late=int(late),
        reasons={str(reason): int(count) for reason, count in reasons},
    )
