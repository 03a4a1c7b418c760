"""The policy decision for one repair candidate: a pure function, deny by default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.matching import Candidate
from journeyheal.repairs.models import Policy, Rule

Verdict = Literal["auto_apply", "needs_approval", "blocked"]
AUTO_APPLY: Verdict = "auto_apply"
NEEDS_APPROVAL: Verdict = "needs_approval"
BLOCKED: Verdict = "blocked"


@dataclass(frozen=True)
class Decision:
    """What may happen to a candidate, the policy clause that says so, and why in words."""

    verdict: Verdict
    clause: str
    reason: str


@dataclass(frozen=True)
class ActiveRepair:
    """A repair applied earlier; ended_at is None while it is still active."""

    rule_id: str
    scope: Mapping[str, str]
    started_at: datetime
    ended_at: datetime | None = None


def _blocking(
    rule: Rule, scope: Mapping[str, str], now: datetime, active_repairs: Sequence[ActiveRepair]
) -> Decision | None:
    """The same rule on the same scope is running, or ended too recently."""
    for repair in active_repairs:
        if repair.rule_id != rule.id or dict(repair.scope) != dict(scope):
            continue
        if repair.ended_at is None:
            reason = (
                f"rule {rule.id!r} is already active on {dict(scope)} since {repair.started_at}"
            )
            return Decision(BLOCKED, "rule.idempotency_scope", reason)
        if now - repair.ended_at < rule.cooldown:
            reason = (
                f"rule {rule.id!r} ended on {dict(scope)} at {repair.ended_at}; "
                f"cooldown {rule.cooldown} has not passed"
            )
            return Decision(BLOCKED, "rule.cooldown", reason)
    return None


def _approval_clauses(
    rule: Rule,
    policy: Policy,
    health: FeatureHealth,
    now: datetime,
    active_repairs: Sequence[ActiveRepair],
) -> list[tuple[str, str]]:
    """Every (clause, reason) that keeps this rule from running without a person."""
    allowed = policy.auto_apply
    found: list[tuple[str, str]] = []

    if policy.requires_approval(rule.domain):
        found.append(
            (
                "policy.approval_required_domains",
                f"domain {rule.domain!r} always needs a person's approval",
            )
        )
    if not health.trusted:
        found.append(
            (
                "feature_health",
                f"features not trustworthy (fresh={health.fresh}, "
                f"drifted={health.drifted}): {health.reason}",
            )
        )
    if not rule.automatic:
        found.append(("rule.automatic", f"rule {rule.id!r} is not marked automatic"))

    # Deny by default: each property must be explicitly listed by the policy.
    if rule.risk_level not in allowed.risk_levels:
        found.append(
            ("policy.auto_apply.risk_levels", f"risk level {rule.risk_level!r} not allowed")
        )
    if rule.action.kind not in allowed.action_kinds:
        found.append(
            ("policy.auto_apply.action_kinds", f"action kind {rule.action.kind!r} not allowed")
        )
    if rule.domain not in allowed.domains:
        found.append(("policy.auto_apply.domains", f"domain {rule.domain!r} not allowed"))
    if not any(window.contains(now.hour) for window in allowed.hours_utc):
        found.append(
            ("policy.auto_apply.hours_utc", f"{now:%H:%M} UTC is outside the automatic hours")
        )
    if rule.canary.start_share > policy.max_auto_traffic_share:
        found.append(
            (
                "policy.max_auto_traffic_share",
                f"canary starts at {rule.canary.start_share:.0%}, above the "
                f"{policy.max_auto_traffic_share:.0%} allowed without approval",
            )
        )
    active = sum(1 for repair in active_repairs if repair.ended_at is None)
    if active >= policy.max_active_repairs:
        found.append(
            (
                "policy.max_active_repairs",
                f"{active} repairs active, the policy allows {policy.max_active_repairs}",
            )
        )
    return found


def decide(
    rule: Rule,
    candidate: Candidate,
    policy: Policy,
    health: FeatureHealth,
    now: datetime,
    active_repairs: Sequence[ActiveRepair] = (),
) -> Decision:
    """auto_apply only when every policy clause allows it; otherwise approval or blocked."""
    blocked = _blocking(rule, candidate.scope, now, active_repairs)
    if blocked is not None:
        return blocked

    clauses = _approval_clauses(rule, policy, health, now, active_repairs)
    if clauses:
        return Decision(NEEDS_APPROVAL, clauses[0][0], "; ".join(text for _, text in clauses))

    reason = (
        f"low-risk {rule.action.kind} in domain {rule.domain!r} allowed by policy; "
        f"features fresh and not drifted; canary starts at {rule.canary.start_share:.0%}"
    )
    return Decision(AUTO_APPLY, "policy.auto_apply", reason)
