"""The journey event contract: read landing files, validate, quarantine, check with GE."""

from journeyheal.contract.config import GateConfig
from journeyheal.contract.reader import RawRead, read_landing_partition
from journeyheal.contract.schema import CONTRACT_VERSION, FIELDS, Field, FieldType, Reason
from journeyheal.contract.validator import (
    ValidationCounts,
    quarantine_share_ok,
    validate_events,
)

__all__ = [
    "CONTRACT_VERSION",
    "FIELDS",
    "Field",
    "FieldType",
    "GateConfig",
    "RawRead",
    "Reason",
    "ValidationCounts",
    "quarantine_share_ok",
    "read_landing_partition",
    "validate_events",
]
