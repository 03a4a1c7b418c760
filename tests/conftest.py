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
