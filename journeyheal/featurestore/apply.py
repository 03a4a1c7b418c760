"""`feast apply` in code: register the repository's objects and create online tables."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from journeyheal.featurestore.config import feature_store
from journeyheal.featurestore.definitions import build_repository
from journeyheal.featurestore.online import serving_plan
from journeyheal.featurestore.settings import FeatureStoreSettings
from journeyheal.home import Home

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppliedRepository:
    """What the registry holds after an apply."""

    entities: list[str]
    feature_views: dict[str, list[str]]
    feature_services: dict[str, list[str]]


def apply_repository(home: Home, settings: FeatureStoreSettings | None = None) -> AppliedRepository:
    """Apply every definition for `home` (idempotent); returns what the registry then holds."""
    store = feature_store(home, settings)
    repository = build_repository(home, settings)
    store.apply(repository.objects())
    serving_plan.cache_clear()  # services may have changed

    applied = AppliedRepository(
        entities=sorted(entity.name for entity in store.list_entities()),
        feature_views={
            view.name: [feature.name for feature in view.features]
            for view in sorted(store.list_feature_views(), key=lambda view: view.name)
        },
        feature_services={
            service.name: [
                f"{projection.name}:{feature.name}"
                for projection in service.feature_view_projections
                for feature in projection.features
            ]
            for service in store.list_feature_services()
        },
    )
    log.info(
        "feast apply: views %s, services %s",
        list(applied.feature_views),
        list(applied.feature_services),
    )
    return applied
