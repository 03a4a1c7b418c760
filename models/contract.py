"""The model's input contract, asked of Feast by FeatureService name (never a copied list)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeyheal.home import Home
from models.config import IDENTIFIER_COLUMNS

if TYPE_CHECKING:
    from journeyheal.featurestore.settings import FeatureStoreSettings

VERSION_TAG = "version"


@dataclass(frozen=True)
class FeatureContract:
    """The FeatureService the model reads, its version and its feature columns in order."""

    service: str
    version: str
    features: list[str]


def feature_contract(
    home: Home, service_name: str, settings: FeatureStoreSettings | None = None
) -> FeatureContract:
    """Features of the named FeatureService in the home's Feast registry; identifiers dropped."""
    from journeyheal.featurestore import feature_store

    store = feature_store(home, settings)
    service = store.get_feature_service(service_name)
    names: list[str] = []
    for projection in service.feature_view_projections:
        names += [field.name for field in projection.features if field.name not in names]

    # Identifiers are never model inputs, even where a view carries them as values.
    features = [name for name in names if name not in IDENTIFIER_COLUMNS]
    if not features:
        msg = f"FeatureService {service_name!r} lists no usable feature"
        raise ValueError(msg)
    return FeatureContract(
        service=service_name,
        version=str(service.tags.get(VERSION_TAG, "unversioned")),
        features=features,
    )
