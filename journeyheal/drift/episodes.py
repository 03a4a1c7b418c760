"""When persistent drift calls for retraining: one run per drift episode, keyed by its start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from journeyheal.drift.detect import DriftStatus
from journeyheal.drift.state import WindowStatus

RUN_KEY_PREFIX = "retrain-drift-episode"


@dataclass(frozen=True)
class DriftEpisode:
    """A maximal run of drifted windows with no window between them found without drift."""

    first_window: datetime
    last_window: datetime
    drifted_windows: int

    @property
    def run_key(self) -> str:
        """Stable for the whole episode: later windows of the same episode give the same key."""
        return f"{RUN_KEY_PREFIX}-{self.first_window.isoformat()}"


def drift_episodes(windows: Sequence[WindowStatus]) -> list[DriftEpisode]:
    """Episodes in window order; windows that could not be judged neither extend nor end one."""
    episodes: list[DriftEpisode] = []
    current: DriftEpisode | None = None
    for window in sorted(windows, key=lambda w: w.window_start):
        if window.status is DriftStatus.DRIFTED:
            current = (
                DriftEpisode(window.window_start, window.window_start, 1)
                if current is None
                else DriftEpisode(
                    current.first_window, window.window_start, current.drifted_windows + 1
                )
            )
        elif window.status is DriftStatus.OK and current is not None:
            episodes.append(current)
            current = None
    if current is not None:
        episodes.append(current)
    return episodes


def episodes_to_retrain(
    windows: Sequence[WindowStatus], persistent_windows: int
) -> list[DriftEpisode]:
    """Episodes whose drift lasted at least `persistent_windows` windows: one retraining each."""
    return [e for e in drift_episodes(windows) if e.drifted_windows >= persistent_windows]
