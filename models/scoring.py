"""Score journeys with a registered model: risk, model version and the top signals of each."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.friction_model import FrictionModel
from models.tracking import TrackingSettings, tracking

TOP_SIGNALS = 3
KEY_COLUMNS = ("journey_id", "customer_id", "event_timestamp")
REGISTERED_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/]+)|/(?P<version>\d+))$")


@dataclass(frozen=True)
class LoadedModel:
    """A friction model resolved from a URI, and the registry version it came from."""

    model: FrictionModel
    version: str
    uri: str


def resolve_version(model_uri: str) -> str:
    """The registry version a models:/ URI points to now (alias resolved)."""
    from mlflow import MlflowClient

    match = REGISTERED_URI.match(model_uri)
    if match is None:
        msg = f"model URI {model_uri!r} is not models:/<name>@<alias> or models:/<name>/<version>"
        raise ValueError(msg)
    if match["version"]:
        return match["version"]
    return str(MlflowClient().get_model_version_by_alias(match["name"], match["alias"]).version)


def load_friction_model(model_uri: str) -> LoadedModel:
    """Load exactly this model; any failure raises (never a fallback to another model)."""
    import mlflow.pyfunc

    from models.pyfunc import FrictionPyfunc

    # Resolve the alias first and load that version, so the two cannot disagree.
    version = resolve_version(model_uri)
    name = REGISTERED_URI.match(model_uri)["name"]  # type: ignore[index]
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/{version}")
    wrapper = loaded.unwrap_python_model()
    if not isinstance(wrapper, FrictionPyfunc) or wrapper.model is None:
        msg = f"{model_uri} (version {version}) is not a journey friction model"
        raise TypeError(msg)
    return LoadedModel(model=wrapper.model, version=version, uri=model_uri)


def top_signals(
    model: FrictionModel, frame: pd.DataFrame, count: int = TOP_SIGNALS
) -> pd.DataFrame:
    """Per row, the features pushing the risk up most: name, contribution (log-odds), value."""
    contributions = model.contributions(frame)
    count = min(count, len(model.features))
    # Largest contribution first; stable so ties keep the feature order.
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :count]
    rows = np.arange(len(frame))[:, None]
    names = np.asarray(model.features, dtype=object)[order]
    values = frame.loc[:, model.features].to_numpy(dtype=object)[rows, order]
    chosen = contributions[rows, order]

    columns: dict[str, object] = {}
    for rank in range(count):
        columns[f"signal_{rank + 1}_feature"] = names[:, rank]
        columns[f"signal_{rank + 1}_contribution"] = chosen[:, rank]
        columns[f"signal_{rank + 1}_value"] = [
            None if pd.isna(value) else str(value) for value in values[:, rank]
        ]
    return pd.DataFrame(columns, index=frame.index)


def score_frame(loaded: LoadedModel, features_frame: pd.DataFrame) -> pd.DataFrame:
    """Risk, version and top signals for each row of an already loaded model."""
    model = loaded.model
    keys = [name for name in KEY_COLUMNS if name in features_frame.columns]
    scored = features_frame.loc[:, keys].copy()
    scored["risk"] = model.predict(features_frame)
    scored["model_version"] = loaded.version
    return pd.concat([scored, top_signals(model, features_frame)], axis=1)


def score_journeys(
    model_uri: str, features_frame: pd.DataFrame, settings: TrackingSettings | None = None
) -> pd.DataFrame:
    """Score each row (a journey's latest prefix) with the model at model_uri.

    Without settings, MLflow's current tracking and registry URIs are used.
    """
    if settings is None:
        return score_frame(load_friction_model(model_uri), features_frame)
    with tracking(settings):
        loaded = load_friction_model(model_uri)
    return score_frame(loaded, features_frame)
