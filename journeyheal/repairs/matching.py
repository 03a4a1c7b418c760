"""Matching scored journeys to rules: scope, minimum risk and friction signals by name pattern."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from journeyheal.repairs.models import SCOPE_FIELDS, Rule

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = (
    "journey_id",
    "customer_id",
    *SCOPE_FIELDS,
    "scored_at",
    "risk",
    "model_version",
    "top_signals",
)


class ScoresError(ValueError):
    """A friction scores frame the engine cannot read."""


@dataclass(frozen=True)
class Signal:
    """One contributing feature of a journey's score (contribution in log-odds)."""

    feature: str
    contribution: float
    value: float | None


@dataclass(frozen=True)
class AffectedJourney:
    """A scored journey a rule matched, with the signals that made it match."""

    journey_id: str
    customer_id: str
    risk: float
    model_version: str
    matched: tuple[Signal, ...]
    all_signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Candidate:
    """One rule on one scope with the journeys it would help."""

    rule_id: str
    scope: dict[str, str]
    journeys: tuple[AffectedJourney, ...]

    @property
    def affected(self) -> int:
        return len(self.journeys)

    @property
    def risk_sum(self) -> float:
        return sum(journey.risk for journey in self.journeys)


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def parse_signals(raw: Any, journey_id: str) -> tuple[Signal, ...]:
    """The top_signals cell as Signals; a malformed entry is an error naming the journey."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return ()
    signals = []
    for entry in list(raw):
        try:
            signals.append(
                Signal(
                    feature=str(entry["feature"]),
                    contribution=float(entry["contribution"]),
                    value=_as_float(entry.get("value")),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            msg = f"journey {journey_id}: top_signals entry {entry!r} lacks {error}"
            raise ScoresError(msg) from error
    return tuple(signals)


def prepare_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Check the columns and risks, and keep the latest score of each journey."""
    missing = [column for column in REQUIRED_COLUMNS if column not in scores.columns]
    if missing:
        raise ScoresError(f"friction scores lack column(s) {missing}")
    bad_risk = scores["risk"].isna() | (scores["risk"] < 0) | (scores["risk"] > 1)
    if bad_risk.any():
        examples = scores.loc[bad_risk, "journey_id"].head(3).tolist()
        raise ScoresError(f"{int(bad_risk.sum())} score(s) with risk outside 0..1, e.g. {examples}")

    latest = scores.sort_values(["journey_id", "scored_at"]).drop_duplicates(
        "journey_id", keep="last"
    )
    if len(latest) < len(scores):
        # Several scores of one journey in a window: only the newest reflects its state.
        logger.info("kept the latest of %d repeated journey scores", len(scores) - len(latest))
    return latest.reset_index(drop=True)


def _in_scope(scores: pd.DataFrame, rule: Rule) -> pd.Series:
    mask = scores["risk"] >= rule.match.min_risk
    for field, value in rule.match.scope.fixed().items():
        mask &= scores[field] == value
    return mask


def _affected(row: Any, rule: Rule) -> AffectedJourney | None:
    signals = parse_signals(row.top_signals, str(row.journey_id))
    matched = tuple(
        signal
        for signal in signals
        if any(want.matches(signal.feature, signal.contribution) for want in rule.match.signals)
    )
    if not matched:
        return None
    return AffectedJourney(
        journey_id=str(row.journey_id),
        customer_id=str(row.customer_id),
        risk=float(row.risk),
        model_version=str(row.model_version),
        matched=matched,
        all_signals=signals,
    )


def match_rule(scores: pd.DataFrame, rule: Rule) -> Candidate | None:
    """The rule's candidate when enough in-scope journeys show its signals, else None."""
    in_scope = scores[_in_scope(scores, rule)]
    journeys = [
        journey
        for row in in_scope.itertuples(index=False)
        if (journey := _affected(row, rule)) is not None
    ]
    if len(journeys) < rule.match.min_journeys:
        return None
    journeys.sort(key=lambda journey: (-journey.risk, journey.journey_id))
    return Candidate(rule.id, rule.match.scope.fixed(), tuple(journeys))


def match_rules(scores: pd.DataFrame, rules: Iterable[Rule]) -> list[Candidate]:
    """Every rule's candidate on prepared scores."""
    return [candidate for rule in rules if (candidate := match_rule(scores, rule)) is not None]
