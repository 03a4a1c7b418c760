"""Scenario files: shipped ones load, bad ones fail naming the file and the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeyheal.simulator import ScenarioError, load_scenario
from journeyheal.simulator.scenario import parse_duration

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["calm_week", "payment_incident", "mixed_faults", "channel_shift"])
def test_shipped_scenarios_load(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    assert scenario.name == name


def test_default_scenario_has_the_payment_remedy() -> None:
    scenario = load_scenario(SCENARIOS / "payment_incident.yaml")
    assert [remedy.flag for remedy in scenario.remedies] == ["payment-fallback-routing"]
    assert {fault.target for fault in scenario.faults} == {"payment-gateway"}


def _drop_customers(data: dict[str, Any]) -> None:
    del data["customers"]


def _bad_type(data: dict[str, Any]) -> None:
    data["arrivals"]["base_per_hour"] = "lots"


def _unknown_key(data: dict[str, Any]) -> None:
    data["journey_types"]["checkout"]["steps"][1]["colour"] = "red"


def _bad_duration(data: dict[str, Any]) -> None:
    data["faults"][0]["onset"] = "90m"


def _unknown_target(data: dict[str, Any]) -> None:
    data["faults"][1]["target"] = "nowhere"


def _unknown_fix(data: dict[str, Any]) -> None:
    data["remedies"][0]["fixes"] = {"ghost": 0.5}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (_drop_customers, "customers"),
        (_bad_type, "arrivals.base_per_hour"),
        (_unknown_key, "journey_types.checkout.steps.1.colour"),
        (_bad_duration, "faults.0.onset"),
        (_unknown_target, "faults[1].target"),
        (_unknown_fix, "remedies[0].fixes"),
    ],
)
def test_invalid_scenario_names_file_and_field(
    scenario_file: Callable[..., Path], mutate: Any, field: str
) -> None:
    path = scenario_file(mutate, "broken.yaml")

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)

    assert str(path) in str(caught.value)
    assert field in str(caught.value)


def test_unreadable_yaml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.yaml"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("26h", 26), ("2d", 48), ("30m", 0.5), ("PT26H", 26), ("P1DT2H", 26), (3, 3)],
)
def test_parse_duration(text: object, hours: float) -> None:
    assert parse_duration(text) == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["soon", "P", "-2h", ""])
def test_parse_duration_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
