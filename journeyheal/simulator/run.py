"""simulate(): run a scenario hour by hour into a journeyheal home."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journeyheal.home import Home
from journeyheal.simulator.engine import customer_tolerance, simulate_hour
from journeyheal.simulator.flags import load_flags
from journeyheal.simulator.output import event_table, journey_table, truth_table, write_parquet
from journeyheal.simulator.scenario import load_scenario
from journeyheal.simulator.state import (
    SimState,
    SimulatorStateError,
    clear_state,
    load_state,
    save_state,
)
from journeyheal.simulator.tables import compile_tables

logger = logging.getLogger(__name__)

EVENTS_FILE = "events.parquet"
TRUTH_FILE = "truth.parquet"
JOURNEYS_FILE = "journeys.parquet"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SimulationSummary:
    """What one simulate() call did."""

    hours: int
    journeys_started: int
    events_written: int
    files: tuple[Path, ...]
    first_hour: datetime
    last_hour: datetime


def _check_start(start: datetime) -> datetime:
    if start.tzinfo is None or start.utcoffset() != timedelta(0):
        raise ValueError(f"start must be a UTC-aware datetime, got {start.isoformat()}")
    if (start.minute, start.second, start.microsecond) != (0, 0, 0):
        raise ValueError(f"start must be on an hour boundary, got {start.isoformat()}")
    return start.astimezone(UTC)


def _hour_folder(root: Path, hour_start: datetime) -> Path:
    return root / hour_start.strftime("%Y-%m-%d") / f"{hour_start.hour:02d}"


def _remove_written_files(home: Home) -> None:
    """Delete the files a previous simulation wrote (and nothing else) in landing/ and truth/."""
    for root, name in (
        (home.landing, EVENTS_FILE),
        (home.truth, TRUTH_FILE),
        (home.truth, JOURNEYS_FILE),
    ):
        if root.exists():
            for path in sorted(root.glob(f"*/*/{name}")):
                path.unlink()


def _resume(
    home: Home, scenario_name: str, digest: str, seed: int, start: datetime | None
) -> SimState:
    """The state to continue from, or a fresh one; refuse to mix different runs."""
    state = load_state(home.simulator_state)
    if state is None:
        if start is None:
            raise SimulatorStateError(
                f"{home.simulator_state}: no saved simulator state; give a start hour"
            )
        origin_us = (start - EPOCH) // timedelta(microseconds=1)
        return SimState(
            scenario=scenario_name, scenario_hash=digest, seed=seed, origin_us=origin_us
        )

    if state.scenario_hash != digest or state.seed != seed:
        raise SimulatorStateError(
            f"{home.simulator_state}: saved state is for scenario {state.scenario!r} "
            f"(hash {state.scenario_hash[:12]}) seed {state.seed}, not scenario "
            f"{scenario_name!r} (hash {digest[:12]}) seed {seed}; use reset=True to start over"
        )
    next_hour = state.hour_start(state.next_hour)
    if start is not None and start != next_hour:
        raise SimulatorStateError(
            f"{home.simulator_state}: saved state continues at {next_hour.isoformat()}, "
            f"not {start.isoformat()}; use reset=True to start over"
        )
    return state


def simulate(
    home: Home,
    scenario_path: Path,
    start: datetime | None,
    hours: int,
    seed: int = 0,
    *,
    reset: bool = False,
) -> SimulationSummary:
    """Simulate `hours` hours of the scenario into home.landing and home.truth."""
    if hours < 1:
        raise ValueError(f"hours must be >= 1, got {hours}")
    scenario_path = Path(scenario_path)
    scenario = load_scenario(scenario_path)
    digest = hashlib.sha256(scenario_path.read_bytes()).hexdigest()
    if start is not None:
        start = _check_start(start)
    if reset:
        clear_state(home.simulator_state)
        _remove_written_files(home)

    state = _resume(home, scenario.name, digest, seed, start)
    tables = compile_tables(scenario)
    tolerance = customer_tolerance(tables, seed)
    first_hour = state.hour_start(state.next_hour)
    files: list[Path] = []
    journeys = 0
    events = 0

    for _ in range(hours):
        # Flags are read at the start of every hour, so a change applies from the next hour on.
        flags = load_flags(home.flags)
        result = simulate_hour(tables, state, flags, tolerance)
        hour_start = state.hour_start(result.hour)

        files.append(
            write_parquet(
                event_table(tables, seed, result.events),
                _hour_folder(home.landing, hour_start) / EVENTS_FILE,
            )
        )
        truth_folder = _hour_folder(home.truth, hour_start)
        files.append(
            write_parquet(
                truth_table(tables, result.conditions, result.truth), truth_folder / TRUTH_FILE
            )
        )
        files.append(
            write_parquet(journey_table(tables, result.ends), truth_folder / JOURNEYS_FILE)
        )

        journeys += result.started
        events += len(result.events["time_us"])
        state = result.state
        logger.info(
            "simulated %s: %d journeys started, %d events landed",
            hour_start.isoformat(),
            result.started,
            len(result.events["time_us"]),
        )

    save_state(home.simulator_state, state)
    return SimulationSummary(
        hours=hours,
        journeys_started=journeys,
        events_written=events,
        files=tuple(files),
        first_hour=first_hour,
        last_hour=first_hour + timedelta(hours=hours - 1),
    )
