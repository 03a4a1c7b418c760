"""Shared fixtures: every test gets its own journeyheal home."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyheal.home import HOME_ENV_VAR, Home


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A fresh, empty home, also exported as JOURNEYHEAL_HOME for code that reads the env."""
    root = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV_VAR, str(root))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster"))
    return Home(root).ensure()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's stores: `make test` runs with the Makefile's
    JOURNEYHEAL_HOME, DAGSTER_HOME and MLFLOW_TRACKING_URI exported, which point at the demo."""
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "default-home"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "default-home" / "dagster"))
