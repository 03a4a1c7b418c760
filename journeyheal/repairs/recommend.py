"""The recommendation engine: scored journeys in, ranked and explained repair decisions out."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence, Set
from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from journeyheal.repairs.catalogue import LoadedPolicy, LoadedRule
from journeyheal.repairs.decide import AUTO_APPLY, BLOCKED, ActiveRepair, Decision, decide
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.matching import Candidate, match_rule, prepare_scores

ID_PREFIX = "rep-"
ID_HEX_CHARS = 16
EXAMPLE_JOURNEYS = 5
TOP_SIGNALS_SHOWN = 3
ROUND_DIGITS = 4


class SignalSummary(BaseModel):
    """One matched feature across the affected journeys."""

    model_config = ConfigDict(frozen=True)

    feature: str
    journeys: int
    mean_contribution: float
    mean_value: float | None


class Explanation(BaseModel):
    """Why the repair is proposed: signals, example journeys, model and rule versions."""

    model_config = ConfigDict(frozen=True)

    summary: str
    signals: list[SignalSummary]
    example_journeys: list[str]
    model_versions: list[str]
    rule_version: int
    rule_digest: str
    policy_version: str


class Recommendation(BaseModel):
    """A proposed repair for one rule on one scope in one time window, with its decision."""

    model_config = ConfigDict(frozen=True)

    id: str
    rule_id: str
    rule_version: int
    rule_digest: str
    policy_version: str
    scope: dict[str, str]
    window_start: datetime
    window_end: datetime
    created_at: datetime
    domain: str
    risk_level: str
    action: dict[str, Any]
    compensation: dict[str, Any] | None
    affected_journeys: int
    mean_risk: float
    expected_benefit: float
    confidence: float
    verdict: str
    clause: str
    reason: str
    explanation: Explanation
    # Pseudonymous keys of the customers reached; filled for customer_outreach only.
    customers: list[str]

    @property
    def decision(self) -> Decision:
        return Decision(self.verdict, self.clause, self.reason)  # type: ignore[arg-type]


def recommendation_id(
    rule: LoadedRule, policy_version: str, scope: dict[str, str], start: datetime, end: datetime
) -> str:
    """Deterministic id: the same rule (version and content), policy, scope and window always
    give the same id; a changed rule or policy gives a new one, so a rerun decides afresh."""
    key = json.dumps(
        [
            rule.rule.id,
            rule.rule.version,
            rule.digest,
            policy_version,
            sorted(scope.items()),
            start.isoformat(),
            end.isoformat(),
        ],
        separators=(",", ":"),
    )
    return ID_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:ID_HEX_CHARS]


def _signal_summaries(candidate: Candidate) -> list[SignalSummary]:
    by_feature: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
    for journey in candidate.journeys:
        for signal in journey.matched:
            by_feature[signal.feature].append((signal.contribution, signal.value))

    summaries = []
    for feature, pairs in by_feature.items():
        values = [value for _, value in pairs if value is not None]
        summaries.append(
            SignalSummary(
                feature=feature,
                journeys=len(pairs),
                mean_contribution=round(sum(c for c, _ in pairs) / len(pairs), ROUND_DIGITS),
                mean_value=round(sum(values) / len(values), ROUND_DIGITS) if values else None,
            )
        )
    summaries.sort(key=lambda item: (-item.journeys * item.mean_contribution, item.feature))
    return summaries


def confidence(candidate: Candidate, min_journeys: int) -> float:
    """Signal share (matched / all positive contributions) damped by how many journeys agree."""
    shares = []
    for journey in candidate.journeys:
        positive = sum(s.contribution for s in journey.all_signals if s.contribution > 0)
        matched = sum(s.contribution for s in journey.matched if s.contribution > 0)
        shares.append(matched / positive if positive > 0 else 0.0)
    signal_share = sum(shares) / len(shares)

    # n / (n + minimum): 0.5 at the rule's minimum, approaching 1 as evidence grows.
    support = candidate.affected / (candidate.affected + min_journeys)
    return round(signal_share * support, ROUND_DIGITS)


def _explanation(candidate: Candidate, loaded: LoadedRule, policy_version: str) -> Explanation:
    rule = loaded.rule
    signals = _signal_summaries(candidate)
    models = sorted({journey.model_version for journey in candidate.journeys})
    scope_text = ", ".join(f"{k}={v}" for k, v in candidate.scope.items()) or "any scope"
    signal_text = "; ".join(
        f"{s.feature} (+{s.mean_contribution:.2f} log-odds, mean value "
        f"{'n/a' if s.mean_value is None else f'{s.mean_value:g}'}, {s.journeys} journeys)"
        for s in signals[:TOP_SIGNALS_SHOWN]
    )
    summary = (
        f"{candidate.affected} journeys at mean risk {candidate.risk_sum / candidate.affected:.2f} "
        f"on {scope_text}; top signals: {signal_text}; model {', '.join(models)}; "
        f"rule {rule.id} v{rule.version}"
    )
    return Explanation(
        summary=summary,
        signals=signals,
        example_journeys=[j.journey_id for j in candidate.journeys[:EXAMPLE_JOURNEYS]],
        model_versions=models,
        rule_version=rule.version,
        rule_digest=loaded.digest,
        policy_version=policy_version,
    )


def _recommendation(
    candidate: Candidate,
    loaded: LoadedRule,
    policy: LoadedPolicy,
    decision: Decision,
    window: tuple[datetime, datetime],
    now: datetime,
    pseudonymize: Callable[[str], str] | None,
) -> Recommendation:
    rule = loaded.rule
    reached = []
    if rule.action.kind == "customer_outreach" and pseudonymize is not None:
        reached = sorted({pseudonymize(journey.customer_id) for journey in candidate.journeys})

    return Recommendation(
        id=recommendation_id(loaded, policy.version, candidate.scope, *window),
        rule_id=rule.id,
        rule_version=rule.version,
        rule_digest=loaded.digest,
        policy_version=policy.version,
        scope=candidate.scope,
        window_start=window[0],
        window_end=window[1],
        created_at=now,
        domain=rule.domain,
        risk_level=rule.risk_level,
        action=rule.action.model_dump(mode="json"),
        compensation=rule.compensation.model_dump(mode="json") if rule.compensation else None,
        affected_journeys=candidate.affected,
        mean_risk=round(candidate.risk_sum / candidate.affected, ROUND_DIGITS),
        expected_benefit=round(
            candidate.risk_sum * rule.expected_effect.risk_reduction, ROUND_DIGITS
        ),
        confidence=confidence(candidate, rule.match.min_journeys),
        verdict=decision.verdict,
        clause=decision.clause,
        reason=decision.reason,
        explanation=_explanation(candidate, loaded, policy.version),
        customers=reached,
    )


COOLDOWN_CLAUSE = "policy.outreach_customer_cooldown"


def _outreach_cooldown(
    candidate: Candidate,
    loaded: LoadedRule,
    policy: LoadedPolicy,
    recently_contacted: Set[str],
    pseudonymize: Callable[[str], str] | None,
) -> tuple[Candidate, Decision | None]:
    """Leave out the customers an outreach reached within the policy's per-customer cooldown.

    Returns the candidate with the customers still reachable, and a blocking decision when too
    few are left for the rule (the original candidate is kept then, so the record shows whom
    the cooldown held back).
    """
    if loaded.rule.action.kind != "customer_outreach" or not recently_contacted:
        return candidate, None
    if pseudonymize is None:
        msg = "outreach cooldown needs the pseudonymizer that keyed the earlier contacts"
        raise ValueError(msg)

    reachable = tuple(
        journey
        for journey in candidate.journeys
        if pseudonymize(journey.customer_id) not in recently_contacted
    )
    held_back = candidate.affected - len(reachable)
    if len(reachable) >= loaded.rule.match.min_journeys:
        return replace(candidate, journeys=reachable), None
    cooldown = policy.policy.outreach_customer_cooldown
    reason = (
        f"{held_back} of {candidate.affected} journeys belong to customers reached by outreach "
        f"within the last {cooldown}; {len(reachable)} left, the rule needs "
        f"{loaded.rule.match.min_journeys}"
    )
    return candidate, Decision(BLOCKED, COOLDOWN_CLAUSE, reason)


def recommend(
    scores: pd.DataFrame,
    rules: Sequence[LoadedRule],
    policy: LoadedPolicy,
    health: FeatureHealth,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    active_repairs: Sequence[ActiveRepair] = (),
    pseudonymize: Callable[[str], str] | None = None,
    recently_contacted: Set[str] = frozenset(),
) -> list[Recommendation]:
    """Match, rank by expected benefit (expected abandonments avoided) and decide each one.

    recently_contacted holds the pseudonymous keys of customers an outreach reached within the
    policy's per-customer cooldown; outreach rules leave them out.
    """
    if scores.empty:
        return []
    prepared = prepare_scores(scores)

    matched = [
        (candidate, loaded)
        for loaded in rules
        if (candidate := match_rule(prepared, loaded.rule)) is not None
    ]
    matched.sort(
        key=lambda pair: (
            -pair[0].risk_sum * pair[1].rule.expected_effect.risk_reduction,
            pair[1].rule.id,
        )
    )

    # Decide in benefit order; each automatic repair counts against the active limit of the next.
    active = list(active_repairs)
    recommendations = []
    for matched_candidate, loaded in matched:
        candidate, held = _outreach_cooldown(
            matched_candidate, loaded, policy, recently_contacted, pseudonymize
        )
        decision = held or decide(loaded.rule, candidate, policy.policy, health, now, active)
        if decision.verdict == AUTO_APPLY:
            active.append(ActiveRepair(loaded.rule.id, candidate.scope, now))
        recommendations.append(
            _recommendation(
                candidate, loaded, policy, decision, (window_start, window_end), now, pseudonymize
            )
        )
    return recommendations
