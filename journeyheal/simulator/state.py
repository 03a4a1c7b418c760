"""Simulator state between hourly steps: journeys in flight and rows not yet arrived."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

Columns = dict[str, np.ndarray]

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3600 * US_PER_SECOND
STATE_ARRAYS = "state.npz"
STATE_META = "state.json"

FLIGHT_COLUMNS = {
    "journey": np.int64,
    "customer": np.int64,
    "jtype": np.int64,
    "channel": np.int64,
    "start_channel": np.int64,
    "step": np.int64,
    "next_us": np.int64,
    "start_us": np.int64,
}
EVENT_COLUMNS = {
    "journey": np.int64,
    "customer": np.int64,
    "jtype": np.int64,
    "channel": np.int64,
    "step": np.int64,
    "etype": np.int64,
    "service": np.int64,
    "endpoint": np.int64,
    "latency_ms": np.float64,
    "status": np.int64,
    "retry": np.int64,
    "data_age_s": np.float64,
    "time_us": np.int64,
    "gen_hour": np.int64,
    "seq": np.int64,
    "arrival": np.int64,
}
END_COLUMNS = {
    "journey": np.int64,
    "customer": np.int64,
    "jtype": np.int64,
    "channel": np.int64,
    "start_us": np.int64,
    "end_us": np.int64,
    "abandoned": np.bool_,
    "abandon_step": np.int64,
    "end_hour": np.int64,
}
_GROUPS = {"flight": FLIGHT_COLUMNS, "events": EVENT_COLUMNS, "ends": END_COLUMNS}


class SimulatorStateError(ValueError):
    """Saved state that does not fit the requested run."""


def empty(spec: dict[str, type]) -> Columns:
    """Zero-row columns of the given dtypes."""
    return {name: np.zeros(0, dtype=dtype) for name, dtype in spec.items()}


def concat(parts: list[Columns], spec: dict[str, type]) -> Columns:
    """Stack column blocks in order, keeping the declared dtypes."""
    if not parts:
        return empty(spec)
    return {
        name: np.concatenate([part[name] for part in parts]).astype(dtype)
        for name, dtype in spec.items()
    }


def take(columns: Columns, index: np.ndarray) -> Columns:
    """Rows at index (a boolean mask or positions) of every column."""
    return {name: values[index] for name, values in columns.items()}


@dataclass
class SimState:
    """Everything one hour hands to the next."""

    scenario: str
    scenario_hash: str
    seed: int
    origin_us: int
    next_hour: int = 0
    next_journey: int = 0
    flight: Columns = field(default_factory=lambda: empty(FLIGHT_COLUMNS))
    events: Columns = field(default_factory=lambda: empty(EVENT_COLUMNS))
    ends: Columns = field(default_factory=lambda: empty(END_COLUMNS))

    def hour_start(self, hour: int) -> datetime:
        """UTC start of hour `hour` counted from the run's first hour."""
        origin = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=self.origin_us)
        return origin + timedelta(hours=hour)


def save_state(folder: Path, state: SimState) -> None:
    """Write arrays (npz) and metadata (JSON) atomically enough for a single writer."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        f"{group}__{name}": values
        for group in _GROUPS
        for name, values in getattr(state, group).items()
    }
    tmp = folder / f"{STATE_ARRAYS}.tmp"
    with tmp.open("wb") as handle:
        np.savez(handle, **arrays)
    tmp.replace(folder / STATE_ARRAYS)

    meta = {
        "scenario": state.scenario,
        "scenario_hash": state.scenario_hash,
        "seed": state.seed,
        "origin_us": state.origin_us,
        "next_hour_index": state.next_hour,
        "next_hour": state.hour_start(state.next_hour).isoformat(),
        "next_journey": state.next_journey,
    }
    (folder / STATE_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def load_state(folder: Path) -> SimState | None:
    """The saved state, or None when the folder holds none."""
    meta_path = folder / STATE_META
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with np.load(folder / STATE_ARRAYS) as arrays:
            groups = {
                group: {
                    name: arrays[f"{group}__{name}"].astype(dtype) for name, dtype in spec.items()
                }
                for group, spec in _GROUPS.items()
            }
        return SimState(
            scenario=meta["scenario"],
            scenario_hash=meta["scenario_hash"],
            seed=int(meta["seed"]),
            origin_us=int(meta["origin_us"]),
            next_hour=int(meta["next_hour_index"]),
            next_journey=int(meta["next_journey"]),
            **groups,
        )
    except (OSError, KeyError, ValueError) as error:
        raise SimulatorStateError(f"{folder}: unreadable simulator state: {error}") from error


def clear_state(folder: Path) -> None:
    """Forget the saved state."""
    if folder.exists():
        shutil.rmtree(folder)
