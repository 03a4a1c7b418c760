"""Typed settings of the friction features: tolerance, windows and the inactivity timeout."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_INACTIVITY_TIMEOUT_S = 30 * 60
DEFAULT_LATENCY_TOLERANCE_MS = 2000.0
DEFAULT_GRID_S = 5 * 60
DEFAULT_SHORT_WINDOW_S = 5 * 60
DEFAULT_LONG_WINDOW_S = 60 * 60


class FrictionConfig(BaseModel):
    """Parameters every friction SQL query reads; windows are whole multiples of the grid."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    inactivity_timeout_s: float = Field(DEFAULT_INACTIVITY_TIMEOUT_S, gt=0)
    latency_tolerance_ms: float = Field(DEFAULT_LATENCY_TOLERANCE_MS, gt=0)
    grid_s: int = Field(DEFAULT_GRID_S, gt=0)
    health_short_window_s: int = Field(DEFAULT_SHORT_WINDOW_S, gt=0)
    health_long_window_s: int = Field(DEFAULT_LONG_WINDOW_S, gt=0)
    step_window_s: int = Field(DEFAULT_LONG_WINDOW_S, gt=0)

    @model_validator(mode="after")
    def _windows_on_grid(self) -> Self:
        """Rolling windows are built from whole grid buckets, so they must divide evenly."""
        for name in ("health_short_window_s", "health_long_window_s", "step_window_s"):
            window = getattr(self, name)
            if window % self.grid_s:
                msg = f"{name}={window} is not a whole multiple of grid_s={self.grid_s}"
                raise ValueError(msg)
        if self.health_short_window_s > self.health_long_window_s:
            msg = "health_short_window_s must not exceed health_long_window_s"
            raise ValueError(msg)
        return self

    def sql_parameters(self) -> dict[str, float | int]:
        """The named parameters ($name) the SQL files may use."""
        return {
            "inactivity_timeout_s": self.inactivity_timeout_s,
            "latency_tolerance_ms": self.latency_tolerance_ms,
            "grid_s": self.grid_s,
            "short_buckets": self.health_short_window_s // self.grid_s,
            "long_buckets": self.health_long_window_s // self.grid_s,
            "step_buckets": self.step_window_s // self.grid_s,
        }
