"""Where MLflow keeps runs, the registry and artifacts for one journeyheal home."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeyheal.home import Home

if TYPE_CHECKING:
    from mlflow import MlflowClient

TRACKING_URI_ENV_VAR = "MLFLOW_TRACKING_URI"
REGISTRY_URI_ENV_VAR = "MLFLOW_REGISTRY_URI"
EXPERIMENT_NAME = "journey-friction"
MODEL_NAME = "journey-friction"
CHAMPION_ALIAS = "champion"
CHALLENGER_ALIAS = "challenger"


@dataclass(frozen=True)
class TrackingSettings:
    """Tracking and registry URIs, and the artifact root of new experiments."""

    tracking_uri: str
    registry_uri: str
    artifact_location: str

    @classmethod
    def for_home(cls, home: Home, environ: Mapping[str, str] | None = None) -> TrackingSettings:
        """MLFLOW_TRACKING_URI if set, else the home's SQLite store; artifacts under the home."""
        environ = os.environ if environ is None else environ
        uri = environ.get(TRACKING_URI_ENV_VAR) or home.mlflow_tracking_uri
        home.mlflow.mkdir(parents=True, exist_ok=True)
        return cls(
            tracking_uri=uri,
            registry_uri=uri,
            artifact_location=home.mlflow_artifacts.resolve().as_uri(),
        )


@contextmanager
def tracking(settings: TrackingSettings) -> Iterator[MlflowClient]:
    """Point MLflow's fluent API at these stores for the block, then restore what was set.

    MLflow mirrors its URIs into environment variables; restoring from those variables (not
    from get_tracking_uri(), which answers a default) leaves no stray default store behind.
    """
    import mlflow

    previous_tracking = os.environ.get(TRACKING_URI_ENV_VAR)
    previous_registry = os.environ.get(REGISTRY_URI_ENV_VAR)
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.registry_uri)
    try:
        yield mlflow.MlflowClient(settings.tracking_uri, settings.registry_uri)
    finally:
        mlflow.set_tracking_uri(previous_tracking)  # type: ignore[arg-type]
        mlflow.set_registry_uri(previous_registry)  # type: ignore[arg-type]
        if previous_registry is None:
            # set_registry_uri(None) leaves the variable behind; drop it as it was.
            os.environ.pop(REGISTRY_URI_ENV_VAR, None)


def ensure_experiment(client: MlflowClient, settings: TrackingSettings) -> str:
    """Id of the journey-friction experiment, created with its artifacts under the home."""
    experiment = client.get_experiment_by_name(EXPERIMENT_NAME)
    if experiment is not None:
        return str(experiment.experiment_id)
    return str(client.create_experiment(EXPERIMENT_NAME, settings.artifact_location))


def version_by_alias(client: MlflowClient, alias: str) -> str | None:
    """Version number holding the alias, or None when no version has it yet."""
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(MODEL_NAME, alias).version)
    except MlflowException as error:
        # Only "no such alias / model" means absent; anything else is a real failure.
        if error.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            return None
        raise
