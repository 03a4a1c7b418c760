"""The journey event contract v1 as one declarative definition."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CONTRACT_VERSION = 1


class FieldType(StrEnum):
    """Logical types of contract fields, each with one DuckDB type once validated."""

    STRING = "string"
    FLOAT = "float"
    INT = "int"
    TIMESTAMP = "timestamp"

    @property
    def duckdb_type(self) -> str:
        """The DuckDB type of the column in the validated table."""
        return _DUCKDB_TYPES[self]


_DUCKDB_TYPES = {
    FieldType.STRING: "VARCHAR",
    FieldType.FLOAT: "DOUBLE",
    FieldType.INT: "BIGINT",
    FieldType.TIMESTAMP: "TIMESTAMPTZ",
}


@dataclass(frozen=True)
class Field:
    """One contract field: its name, type, whether it may be null, its enum and its bounds."""

    name: str
    type: FieldType
    nullable: bool = False
    enum: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    description: str = ""

    @property
    def required(self) -> bool:
        """A required field must be present and non-blank in every event."""
        return not self.nullable


CHANNELS = ("web", "mobile_app", "api", "contact_center", "chat")
EVENT_TYPES = ("step_view", "step_submit", "api_call", "backtrack", "journey_complete")
STATUSES = ("ok", "error", "timeout")

FIELDS: tuple[Field, ...] = (
    Field("event_id", FieldType.STRING, description="unique id of the event; the dedupe key"),
    Field("journey_id", FieldType.STRING, description="the journey the event belongs to"),
    Field("customer_id", FieldType.STRING, description="pseudonymous customer id"),
    Field("journey_type", FieldType.STRING, description="kind of journey (any non-empty text)"),
    Field("channel", FieldType.STRING, enum=CHANNELS, description="where the customer is"),
    Field("step", FieldType.STRING, description="the journey step the event happened in"),
    Field("event_type", FieldType.STRING, enum=EVENT_TYPES, description="what happened"),
    Field("service", FieldType.STRING, nullable=True, description="backend service called"),
    Field("endpoint", FieldType.STRING, nullable=True, description="backend endpoint called"),
    Field("latency_ms", FieldType.FLOAT, nullable=True, min=0, description="call latency in ms"),
    Field("status", FieldType.STRING, nullable=True, enum=STATUSES, description="call outcome"),
    Field("retry_count", FieldType.INT, nullable=True, min=0, description="retries of the call"),
    Field(
        "data_age_s",
        FieldType.FLOAT,
        nullable=True,
        min=0,
        description="age in seconds of the data shown to the customer",
    ),
    Field("event_time", FieldType.TIMESTAMP, description="when it happened, UTC with an offset"),
    Field(
        "schema_version",
        FieldType.INT,
        min=CONTRACT_VERSION,
        max=CONTRACT_VERSION,
        description="contract version of the event",
    ),
)

FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}

# Columns the reader adds to every raw row, after the contract fields.
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"
EXTRA = "extra"
PARSE_ERROR = "parse_error"
# A JSON Lines value of the wrong JSON type for a text field (an object as journey_id, say): the
# reader keeps the row and writes "<mark><field>:<detail>" in parse_error for the validator.
JSON_TYPE_MARK = "wrong_json_type:"
READER_COLUMNS: tuple[str, ...] = (SOURCE_FILE, SOURCE_ROW, EXTRA, PARSE_ERROR)


class Reason(StrEnum):
    """Machine-readable quarantine reasons, in the order their rules are checked."""

    UNPARSEABLE_LINE = "unparseable_line"
    WRONG_SCHEMA_VERSION = "wrong_schema_version"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    BAD_TIMESTAMP = "bad_timestamp"
    NAIVE_TIMESTAMP = "naive_timestamp"
    UNKNOWN_ENUM_VALUE = "unknown_enum_value"
    OUT_OF_RANGE = "out_of_range"
    FUTURE_EVENT = "future_event"
    TOO_LATE = "too_late"
