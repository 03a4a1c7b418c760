"""Thresholds of the contract gate."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from journeyheal.contract.schema import FIELDS_BY_NAME

# Null-share caps from what the simulator writes: only api_call events carry the call fields,
# and only step_view events of data-showing steps carry data_age_s.
DEFAULT_MAX_NULL_SHARE: dict[str, float] = {
    "service": 0.9,
    "endpoint": 0.9,
    "latency_ms": 0.9,
    "status": 0.9,
    "retry_count": 0.9,
    "data_age_s": 0.98,
}


class GateConfig(BaseModel):
    """How strict the contract gate is; every threshold the gate uses lives here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed_lateness: timedelta = Field(default=timedelta(hours=6), ge=timedelta(0))
    clock_skew_tolerance: timedelta = Field(default=timedelta(minutes=5), ge=timedelta(0))
    max_quarantined_share: float = Field(default=0.05, ge=0.0, le=1.0)
    max_null_share: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_MAX_NULL_SHARE))
    min_rows: int = Field(default=1, ge=0)

    @field_validator("max_null_share")
    @classmethod
    def _nullable_fields_only(cls, caps: dict[str, float]) -> dict[str, float]:
        """Caps apply to nullable contract fields and are shares between 0 and 1."""
        for name, share in caps.items():
            field = FIELDS_BY_NAME.get(name)
            if field is None or not field.nullable:
                raise ValueError(f"max_null_share.{name}: not a nullable contract field")
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"max_null_share.{name}: {share} is not between 0 and 1")
        return caps
