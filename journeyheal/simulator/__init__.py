"""Scenario-driven journey simulator: events, ground truth and flag-aware remedies."""

from journeyheal.simulator.flags import FlagError, evaluate_flag, load_flags
from journeyheal.simulator.run import SimulationSummary, simulate
from journeyheal.simulator.scenario import Scenario, ScenarioError, load_scenario
from journeyheal.simulator.state import SimulatorStateError

__all__ = [
    "FlagError",
    "Scenario",
    "ScenarioError",
    "SimulationSummary",
    "SimulatorStateError",
    "evaluate_flag",
    "load_flags",
    "load_scenario",
    "simulate",
]
