"""Typed settings of the feature store: online store kind, write batches, time-to-live."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journeyheal.friction.catalog import (
    CUSTOMER_HISTORY,
    JOURNEY_PREFIX,
    SERVICE_HEALTH,
    STEP_FRICTION,
)
from journeyheal.friction.config import FrictionConfig

DEFAULT_WRITE_BATCH_ROWS = 20_000
# A customer's history row is written when a journey starts and holds until the next start.
DEFAULT_CUSTOMER_HISTORY_TTL_S = 30 * 24 * 3600
# Grid rows of rolling windows stay valid for this many grid steps: one step late is tolerated.
GRID_STEPS_VALID = 2


class OnlineStoreKind(StrEnum):
    """Where online features live: an SQLite file in the home, or a shared Redis."""

    SQLITE = "sqlite"
    REDIS = "redis"


class FeatureStoreSettings(BaseModel):
    """How journeyheal drives Feast; the defaults are the embedded, single-machine setup."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    online_store: OnlineStoreKind = OnlineStoreKind.SQLITE
    redis_connection_string: str | None = None
    write_batch_rows: int = Field(DEFAULT_WRITE_BATCH_ROWS, gt=0)
    customer_history_ttl_s: int = Field(DEFAULT_CUSTOMER_HISTORY_TTL_S, gt=0)
    friction: FrictionConfig = FrictionConfig()

    @model_validator(mode="after")
    def _redis_needs_connection(self) -> Self:
        """A Redis online store cannot be used without knowing where it is."""
        if self.online_store is OnlineStoreKind.REDIS and not self.redis_connection_string:
            msg = "online_store=redis needs redis_connection_string (e.g. 'localhost:6379,db=0')"
            raise ValueError(msg)
        return self

    def view_ttls(self) -> dict[str, timedelta]:
        """How long a row of each feature view stays the current value of its entity."""
        grid_rows = timedelta(seconds=self.friction.grid_s * GRID_STEPS_VALID)
        return {
            # a journey idle past the inactivity timeout is over: its prefix is no live state
            JOURNEY_PREFIX: timedelta(seconds=self.friction.inactivity_timeout_s),
            # a grid row exists whenever the window had traffic: none means no traffic lately
            SERVICE_HEALTH: grid_rows,
            STEP_FRICTION: grid_rows,
            CUSTOMER_HISTORY: timedelta(seconds=self.customer_history_ttl_s),
        }
