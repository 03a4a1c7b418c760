"""Drift state kept in the home: the feature health the repairs read, and each window's status."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from journeyheal.drift.detect import DriftStatus
from journeyheal.home import Home
from journeyheal.repairs.health import FeatureHealth

HEALTH_FILE = "feature_health.json"
HISTORY_FILE = "drift_history.json"


class DriftStateError(ValueError):
    """A drift state file in the home that cannot be read."""


@dataclass(frozen=True)
class WindowStatus:
    """The drift verdict of one current window, keyed by the window's start."""

    window_start: datetime
    status: DriftStatus


def health_path(home: Home) -> Path:
    return home.reports / HEALTH_FILE


def history_path(home: Home) -> Path:
    return home.reports / HISTORY_FILE


def _write_json(path: Path, payload: Any) -> None:
    """Replace the file in one step, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
    partial.replace(path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        msg = f"cannot read drift state {path}: {error}"
        raise DriftStateError(msg) from error


def write_feature_health(home: Home, health: FeatureHealth, window_start: datetime) -> Path:
    """Record the health of the features as of one window; the newest write wins."""
    payload = {**asdict(health), "window_start": window_start.isoformat()}
    path = health_path(home)
    _write_json(path, payload)
    return path


def current_feature_health(home: Home) -> FeatureHealth:
    """The latest recorded feature health; before any drift check, features are not trusted."""
    path = health_path(home)
    if not path.exists():
        return FeatureHealth(
            fresh=False, drifted=False, reason=f"no feature health recorded yet ({path})"
        )

    payload = _read_json(path)
    try:
        return FeatureHealth(
            fresh=bool(payload["fresh"]),
            drifted=bool(payload["drifted"]),
            reason=str(payload["reason"]),
        )
    except (KeyError, TypeError) as error:
        msg = f"feature health file {path} lacks field {error}"
        raise DriftStateError(msg) from error


def read_history(home: Home) -> list[WindowStatus]:
    """Every window's recorded drift status, oldest first."""
    path = history_path(home)
    if not path.exists():
        return []

    payload = _read_json(path)
    try:
        windows = [
            WindowStatus(datetime.fromisoformat(start), DriftStatus(status))
            for start, status in payload.items()
        ]
    except (AttributeError, ValueError) as error:
        msg = f"drift history {path} is not a mapping of window start to status: {error}"
        raise DriftStateError(msg) from error
    return sorted(windows, key=lambda window: window.window_start)


def record_window(home: Home, window: WindowStatus) -> Path:
    """Add or replace one window's status in the history (a re-run replaces its window)."""
    history = {w.window_start.isoformat(): w.status.value for w in read_history(home)}
    history[window.window_start.isoformat()] = window.status.value
    path = history_path(home)
    _write_json(path, history)
    return path
