"""Small scenarios written into tmp_path so simulator tests stay fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

Mutator = Callable[[dict[str, Any]], None]
ScenarioFactory = Callable[..., Path]


def _small_scenario() -> dict[str, Any]:
    """The default scenario shrunk: fewer arrivals, the payment fault from hour 2 to hour 5."""
    data = yaml.safe_load((SCENARIOS / "payment_incident.yaml").read_text(encoding="utf-8"))
    data["name"] = "small_payment"
    data["customers"] = 2000
    data["arrivals"]["base_per_hour"] = 150
    for fault in data["faults"]:
        fault["onset"] = "2h"
        fault["duration"] = "3h"
    return data


@pytest.fixture
def scenario_file(tmp_path: Path) -> ScenarioFactory:
    """Write the small scenario, optionally changed by a mutator, and return its path."""

    def make(mutate: Mutator | None = None, name: str = "scenario.yaml") -> Path:
        data = _small_scenario()
        if mutate is not None:
            mutate(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return make


@pytest.fixture
def scenarios_dir() -> Path:
    """The shipped scenarios folder."""
    return SCENARIOS
