"""The Feast repository configuration for a home, built in code (same as feature_store.yaml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeyheal.featurestore.paths import online_store_path, registry_path
from journeyheal.featurestore.settings import FeatureStoreSettings, OnlineStoreKind
from journeyheal.home import Home

if TYPE_CHECKING:
    from feast import FeatureStore, RepoConfig

PROJECT = "journeyheal"
PROVIDER = "local"
ENTITY_KEY_SERIALIZATION_VERSION = 3
REPOSITORY_FOLDER = Path(__file__).resolve().parents[2] / "features"


def online_store_config(home: Home, settings: FeatureStoreSettings) -> dict[str, Any]:
    """The `online_store` section: SQLite in the home, or the configured Redis."""
    if settings.online_store is OnlineStoreKind.REDIS:
        return {"type": "redis", "connection_string": settings.redis_connection_string}
    return {"type": "sqlite", "path": str(online_store_path(home))}


def repo_config(home: Home, settings: FeatureStoreSettings | None = None) -> RepoConfig:
    """The RepoConfig that features/feature_store.yaml gives with JOURNEYHEAL_HOME=home."""
    from feast import RepoConfig

    settings = settings or FeatureStoreSettings()
    return RepoConfig(
        project=PROJECT,
        provider=PROVIDER,
        registry=str(registry_path(home)),
        online_store=online_store_config(home, settings),
        offline_store={"type": "duckdb"},
        entity_key_serialization_version=ENTITY_KEY_SERIALIZATION_VERSION,
        repo_path=str(REPOSITORY_FOLDER),
    )


def feature_store(home: Home, settings: FeatureStoreSettings | None = None) -> FeatureStore:
    """The FeatureStore of a home; one instance per home and settings in a process."""
    return _cached_store(home.root.resolve(), settings or FeatureStoreSettings())


@cache
def _cached_store(root: Path, settings: FeatureStoreSettings) -> FeatureStore:
    # Building a store reads the registry and costs about a second: build it once.
    from feast import FeatureStore

    home = Home(root)
    home.feast.mkdir(parents=True, exist_ok=True)
    return FeatureStore(config=repo_config(home, settings))
