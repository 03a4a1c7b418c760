"""One folder holds everything a run writes: the journeyheal home."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV_VAR = "JOURNEYHEAL_HOME"
DEFAULT_HOME = Path(".journeyheal")


@dataclass(frozen=True)
class Home:
    """Paths inside one journeyheal home; two homes never share state."""

    root: Path

    @classmethod
    def from_env(cls) -> Home:
        """The home named by JOURNEYHEAL_HOME, or ./.journeyheal."""
        return cls(Path(os.environ.get(HOME_ENV_VAR, DEFAULT_HOME)).resolve())

    @property
    def landing(self) -> Path:
        """Incoming event files, landing/YYYY-MM-DD/HH/<name>.parquet|.jsonl|.csv (UTC)."""
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        """The simulator's ground truth, laid out like landing/."""
        return self.root / "truth"

    @property
    def simulator_state(self) -> Path:
        """Where the simulator keeps journeys still in flight between hourly steps."""
        return self.root / "simulator"

    @property
    def flags(self) -> Path:
        """The flagd-format flag file that repairs write and the simulator reads."""
        return self.root / "flags.json"

    @property
    def warehouse(self) -> Path:
        """DuckDB file with every table-shaped asset as a table of the same name."""
        return self.root / "warehouse.duckdb"

    @property
    def feast(self) -> Path:
        """Feast registry, online store and offline Parquet sources."""
        return self.root / "feast"

    @property
    def mlflow(self) -> Path:
        """MLflow tracking store (SQLite) and artifacts."""
        return self.root / "mlflow"

    @property
    def mlflow_tracking_uri(self) -> str:
        return f"sqlite:///{self.mlflow / 'mlflow.db'}"

    @property
    def mlflow_artifacts(self) -> Path:
        return self.mlflow / "artifacts"

    @property
    def dagster(self) -> Path:
        """DAGSTER_HOME for runs of this home."""
        return self.root / "dagster"

    @property
    def reports(self) -> Path:
        """HTML reports (drift) and other human-readable output."""
        return self.root / "reports"

    @property
    def audit_db(self) -> Path:
        """Default append-only audit store (SQLite)."""
        return self.root / "audit.db"

    def landing_hour(self, year_month_day: str, hour: int) -> Path:
        """Folder of one arrival hour in landing/."""
        return self.landing / year_month_day / f"{hour:02d}"

    def ensure(self) -> Home:
        """Create the folders a run writes into; returns self."""
        for path in (self.landing, self.truth, self.feast, self.mlflow, self.dagster, self.reports):
            path.mkdir(parents=True, exist_ok=True)
        return self
