"""The Feast repository is built from the friction catalog, and the YAML matches the code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from journeyheal.featurestore import FeatureStoreSettings, build_repository, repo_config
from journeyheal.featurestore.config import REPOSITORY_FOLDER
from journeyheal.featurestore.definitions import FEATURE_SERVICE, model_feature_columns
from journeyheal.featurestore.settings import OnlineStoreKind
from journeyheal.friction import feature_views
from journeyheal.home import Home

JOIN_KEYS_IN_PREFIX = {"customer_id", "journey_type", "step", "service", "endpoint"}


def test_every_catalog_feature_becomes_a_described_field(home: Home) -> None:
    repository = build_repository(home)

    for name, view in feature_views().items():
        fields = {field.name: field for field in repository.views[name].features}
        assert list(fields) == list(view.features)
        for feature_name, feature in view.features.items():
            assert fields[feature_name].description == feature.description
            assert fields[feature_name].tags["dtype"] == feature.dtype
        assert repository.views[name].description == view.description
        assert [c.name for c in repository.views[name].entity_columns] == list(view.entity_columns)


def test_sources_read_the_partition_files_in_the_home(home: Home) -> None:
    repository = build_repository(home)

    for name, source in repository.sources.items():
        assert source.path == str(home.feast / "data" / name / "*.parquet")
        assert source.timestamp_field == "event_timestamp"


@pytest.mark.parametrize(
    ("view", "ttl"),
    [
        ("journey_prefix", timedelta(minutes=30)),
        ("service_health", timedelta(minutes=10)),
        ("step_friction", timedelta(minutes=10)),
        ("customer_history", timedelta(days=30)),
    ],
)
def test_view_ttls_follow_the_friction_config(home: Home, view: str, ttl: timedelta) -> None:
    assert build_repository(home).views[view].ttl == ttl


def test_feature_service_is_the_model_contract_without_join_keys(home: Home) -> None:
    service = build_repository(home).feature_service
    served = [
        feature.name
        for projection in service.feature_view_projections
        for feature in projection.features
    ]

    assert service.name == FEATURE_SERVICE
    assert service.tags["version"] == "1"
    assert served == model_feature_columns()
    assert not JOIN_KEYS_IN_PREFIX & set(served)
    assert {"error_count", "error_rate_5m", "step_views_60m", "prior_journeys"} <= set(served)


def test_yaml_gives_the_same_config_as_the_code(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feast.repo_config import load_repo_config

    monkeypatch.setenv("JOURNEYHEAL_HOME", str(home.root))
    from_yaml = load_repo_config(REPOSITORY_FOLDER, REPOSITORY_FOLDER / "feature_store.yaml")
    from_code = repo_config(home)

    assert from_yaml.project == from_code.project == "journeyheal"
    assert Path(from_yaml.registry.path) == Path(from_code.registry.path)
    assert from_yaml.online_store.path == from_code.online_store.path
    assert from_yaml.offline_store.type == from_code.offline_store.type == "duckdb"
    assert from_yaml.entity_key_serialization_version == 3


def test_redis_online_store_needs_its_address(home: Home) -> None:
    with pytest.raises(ValidationError, match="redis_connection_string"):
        FeatureStoreSettings(online_store=OnlineStoreKind.REDIS)

    settings = FeatureStoreSettings(
        online_store=OnlineStoreKind.REDIS, redis_connection_string="cache:6379,db=2"
    )
    config = repo_config(home, settings)
    assert config.online_store.type == "redis"
    assert config.online_store.connection_string == "cache:6379,db=2"
