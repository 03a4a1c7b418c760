"""Retraining decisions: one run per episode of persistent drift, with a stable key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeyheal.drift.detect import DriftStatus
from journeyheal.drift.episodes import drift_episodes, episodes_to_retrain
from journeyheal.drift.state import WindowStatus

START = datetime(2026, 1, 1, tzinfo=UTC)
CODES = {
    "D": DriftStatus.DRIFTED,
    "o": DriftStatus.OK,
    "n": DriftStatus.NOT_ENOUGH_DATA,
    "q": DriftStatus.DATA_QUALITY_FAILURE,
}


def hours(pattern: str) -> list[WindowStatus]:
    """One window per character, an hour apart: D drifted, o ok, n too few rows, q bad data."""
    return [WindowStatus(START + timedelta(hours=i), CODES[c]) for i, c in enumerate(pattern)]


def key_at(hour: int) -> str:
    return f"retrain-drift-episode-{(START + timedelta(hours=hour)).isoformat()}"


@pytest.mark.parametrize(
    ("pattern", "keys"),
    [
        ("", []),
        ("oooo", []),
        ("DD", []),
        ("oDDo", []),
        ("DDD", [key_at(0)]),
        ("oDDDDDD", [key_at(1)]),
        ("DDnD", [key_at(0)]),  # too few rows says nothing: the episode goes on
        ("DqDD", [key_at(0)]),
        ("DDoDD", []),
        ("DDDoDDD", [key_at(0), key_at(4)]),
    ],
)
def test_episodes_to_retrain(pattern: str, keys: list[str]) -> None:
    episodes = episodes_to_retrain(hours(pattern), persistent_windows=3)

    assert [episode.run_key for episode in episodes] == keys


def test_key_is_stable_while_the_episode_grows() -> None:
    keys = {
        episode.run_key
        for length in range(3, 8)
        for episode in episodes_to_retrain(hours("o" + "D" * length), persistent_windows=3)
    }

    assert keys == {key_at(1)}


def test_episode_counts_its_drifted_windows() -> None:
    (episode,) = drift_episodes(hours("oDnDDo"))

    assert episode.first_window == START + timedelta(hours=1)
    assert episode.last_window == START + timedelta(hours=4)
    assert episode.drifted_windows == 3
