"""The Feast objects of journeyheal, built from the friction catalog for one home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeyheal.featurestore.paths import source_glob
from journeyheal.featurestore.settings import FeatureStoreSettings
from journeyheal.friction.catalog import (
    CUSTOMER_HISTORY,
    JOURNEY_PREFIX,
    SERVICE_HEALTH,
    STEP_FRICTION,
    FeatureView,
    feature_views,
)
from journeyheal.home import Home

if TYPE_CHECKING:
    from feast import Entity, FeatureService, FileSource
    from feast import FeatureView as FeastFeatureView

FEATURE_SERVICE = "friction_model_v1"
FEATURE_SERVICE_VERSION = "1"
MODEL_VIEWS = (JOURNEY_PREFIX, SERVICE_HEALTH, STEP_FRICTION, CUSTOMER_HISTORY)
# Feast entities have one join key each: a view keyed on two columns uses two entities.
ENTITY_OF_COLUMN = {
    "journey_id": "journey",
    "customer_id": "customer",
    "service": "service",
    "endpoint": "endpoint",
    "journey_type": "journey_type",
    "step": "step",
}
ENTITY_DESCRIPTIONS = {
    "journey": "One customer journey, in flight or ended.",
    "customer": "A pseudonymous customer.",
    "service": "A backend service the journeys call.",
    "endpoint": "An endpoint of a backend service (with service, keys its health).",
    "journey_type": "A kind of journey, e.g. checkout.",
    "step": "A step of a journey type (with journey_type, keys its friction).",
}
CATALOG_TAG = "journeyheal.friction.catalog"


@dataclass(frozen=True)
class Repository:
    """Every Feast object of the repository, by name."""

    entities: dict[str, Entity]
    sources: dict[str, FileSource]
    views: dict[str, FeastFeatureView]
    feature_service: FeatureService

    def objects(self) -> list[Any]:
        """All objects, in the order `FeatureStore.apply` takes them."""
        return [
            *self.entities.values(),
            *self.sources.values(),
            *self.views.values(),
            self.feature_service,
        ]


def join_key_columns(views: dict[str, FeatureView]) -> set[str]:
    """Columns that key some feature view."""
    return {column for view in views.values() for column in view.entity_columns}


def model_feature_columns(settings: FeatureStoreSettings | None = None) -> list[str]:
    """The model's input columns, in FeatureService order: the contract of friction_model_v1."""
    settings = settings or FeatureStoreSettings()
    views = feature_views(settings.friction)
    keys = join_key_columns(views)
    return [name for view in MODEL_VIEWS for name in views[view].features if name not in keys]


def build_repository(home: Home, settings: FeatureStoreSettings | None = None) -> Repository:
    """Entities, Parquet sources in `home`, feature views and the FeatureService."""
    from feast import Entity, FeatureService, FileSource
    from feast import FeatureView as FeastFeatureView
    from feast.value_type import ValueType

    settings = settings or FeatureStoreSettings()
    catalog = feature_views(settings.friction)
    ttls = settings.view_ttls()
    model_columns = set(model_feature_columns(settings))

    entities = {
        name: Entity(
            name=name,
            join_keys=[column],
            value_type=ValueType.STRING,
            description=ENTITY_DESCRIPTIONS[name],
        )
        for column, name in ENTITY_OF_COLUMN.items()
    }

    sources: dict[str, FileSource] = {}
    views: dict[str, FeastFeatureView] = {}
    for view in catalog.values():
        sources[view.name] = FileSource(
            name=f"{view.name}_source",
            path=source_glob(home, view.name),
            timestamp_field=view.timestamp_column,
            description=f"Hourly Parquet partitions of warehouse table {view.table}.",
        )
        views[view.name] = FeastFeatureView(
            name=view.name,
            entities=[entities[ENTITY_OF_COLUMN[column]] for column in view.entity_columns],
            ttl=ttls[view.name],
            schema=_schema(view, model_columns),
            source=sources[view.name],
            description=view.description,
            tags={"catalog": CATALOG_TAG, "warehouse_table": view.table},
        )

    # The journey's own keys into the other views come in the entity rows, not as features.
    prefix_columns = [name for name in catalog[JOURNEY_PREFIX].features if name in model_columns]
    service = FeatureService(
        name=FEATURE_SERVICE,
        features=[
            views[JOURNEY_PREFIX][prefix_columns],
            views[SERVICE_HEALTH],
            views[STEP_FRICTION],
            views[CUSTOMER_HISTORY],
        ],
        description="Inputs of the friction model, version 1: the journey's prefix, the "
        "health of its service endpoint, the friction of its step, its customer's history.",
        tags={"version": FEATURE_SERVICE_VERSION, "model": "friction"},
    )
    return Repository(entities=entities, sources=sources, views=views, feature_service=service)


def _schema(view: FeatureView, model_columns: set[str]) -> list[Any]:
    """Feast fields of a catalog view: entity keys, then every feature with its description."""
    from feast import Field
    from feast.types import Float64, Int64, String

    dtypes = {"string": String, "int64": Int64, "float64": Float64}
    fields = [Field(name=column, dtype=String) for column in view.entity_columns]
    for name, feature in view.features.items():
        if feature.dtype not in dtypes:
            msg = f"catalog view {view.name!r} feature {name!r}: unknown dtype {feature.dtype!r}"
            raise ValueError(msg)
        fields.append(
            Field(
                name=name,
                dtype=dtypes[feature.dtype],
                description=feature.description,
                tags={"dtype": feature.dtype, "model_input": str(name in model_columns).lower()},
            )
        )
    return fields
