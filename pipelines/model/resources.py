"""The MLflow resource: the home's tracking store and registry, or MLFLOW_TRACKING_URI's."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from journeyheal.home import Home
from models.tracking import TRACKING_URI_ENV_VAR, TrackingSettings


class MlflowResource(dg.ConfigurableResource):
    """Tracking URI: the configured one, else MLFLOW_TRACKING_URI, else the home's SQLite store."""

    root: str
    tracking_uri: str | None = None

    @property
    def home(self) -> Home:
        return Home(Path(self.root).resolve())

    @property
    def settings(self) -> TrackingSettings:
        """Tracking and registry URIs (the same) and the artifact root under the home."""
        environ = {TRACKING_URI_ENV_VAR: self.tracking_uri} if self.tracking_uri else None
        return TrackingSettings.for_home(self.home, environ)


def mlflow_resource_for(home: Home) -> MlflowResource:
    """The resource bound to one home (MLFLOW_TRACKING_URI is read when settings are built)."""
    return MlflowResource(root=str(home.root))
