"""The Feast resource: the feature repository of one home, its online store chosen by config."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from journeyheal.featurestore.settings import (
    DEFAULT_WRITE_BATCH_ROWS,
    FeatureStoreSettings,
    OnlineStoreKind,
)
from journeyheal.home import Home

ONLINE_STORE_ENV_VAR = "JOURNEYHEAL_ONLINE_STORE"
REDIS_ENV_VAR = "JOURNEYHEAL_REDIS"


class FeastResource(dg.ConfigurableResource):
    """Feast for one home: registry and Parquet sources in the home; SQLite or Redis online."""

    root: str
    online_store: str = OnlineStoreKind.SQLITE.value
    redis_connection_string: str | None = None
    write_batch_rows: int = DEFAULT_WRITE_BATCH_ROWS

    @property
    def home(self) -> Home:
        return Home(Path(self.root).resolve())

    @property
    def settings(self) -> FeatureStoreSettings:
        """Validated settings; a bad online store kind or missing Redis address raises here."""
        return FeatureStoreSettings(
            online_store=OnlineStoreKind(self.online_store),
            redis_connection_string=self.redis_connection_string,
            write_batch_rows=self.write_batch_rows,
        )


def feast_resource_for(home: Home) -> FeastResource:
    """The resource for `home`: SQLite online store unless JOURNEYHEAL_ONLINE_STORE=redis."""
    return FeastResource(
        root=str(home.root),
        online_store=os.environ.get(ONLINE_STORE_ENV_VAR, OnlineStoreKind.SQLITE.value),
        redis_connection_string=os.environ.get(REDIS_ENV_VAR),
    )
