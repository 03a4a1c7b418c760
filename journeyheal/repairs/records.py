"""Audit records of repairs: the decision record and state-change records, with their keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from journeyheal.audit.store import SYSTEM_ACTOR, AuditRecord
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.recommend import Recommendation

DECISION = "decision"
APPROVAL = "approval"
REJECTION = "rejection"
EXPIRY = "expiry"
# Approval, rejection and expiry share one key: a repair is reviewed at most once.
REVIEW_KEY = "review"


def decision_key(repair_id: str) -> str:
    return f"{DECISION}:{repair_id}"


def review_key(repair_id: str) -> str:
    return f"{REVIEW_KEY}:{repair_id}"


def decision_record(
    recommendation: Recommendation,
    health: FeatureHealth,
    feature_snapshot: str,
    recorded_at: datetime | None = None,
) -> AuditRecord:
    """The system's decision on a new recommendation, with every input behind it.

    recorded_at is the wall-clock time of writing (approval expiry counts from it); it defaults
    to the recommendation's own time, which in a simulation is the partition's end.
    """
    return AuditRecord(
        record_key=decision_key(recommendation.id),
        repair_id=recommendation.id,
        kind=DECISION,
        actor=SYSTEM_ACTOR,
        recorded_at=recorded_at or recommendation.created_at,
        verdict=recommendation.verdict,
        reason=f"[{recommendation.clause}] {recommendation.reason}",
        rule_id=recommendation.rule_id,
        rule_version=recommendation.rule_version,
        policy_version=recommendation.policy_version,
        model_version=",".join(recommendation.explanation.model_versions),
        inputs={
            "recommendation": recommendation.model_dump(mode="json"),
            "feature_health": {
                "fresh": health.fresh,
                "drifted": health.drifted,
                "reason": health.reason,
            },
            "feature_snapshot": feature_snapshot,
        },
    )


def review_record(
    recommendation: Recommendation,
    kind: str,
    actor: str,
    reason: str,
    at: datetime,
    inputs: dict[str, Any] | None = None,
) -> AuditRecord:
    """A person's (or the expiry clock's) review of a pending recommendation."""
    return AuditRecord(
        record_key=review_key(recommendation.id),
        repair_id=recommendation.id,
        kind=kind,
        actor=actor,
        recorded_at=at,
        verdict={APPROVAL: "approved", REJECTION: "rejected", EXPIRY: "expired"}[kind],
        reason=reason,
        rule_id=recommendation.rule_id,
        rule_version=recommendation.rule_version,
        policy_version=recommendation.policy_version,
        inputs=inputs or {},
    )


def state_change_record(
    repair_id: str,
    kind: str,
    actor: str,
    at: datetime,
    reason: str,
    inputs: dict[str, Any] | None = None,
) -> AuditRecord:
    """A later fact about a repair (applied, promoted, rolled_back, outcome ...), keyed by time."""
    return AuditRecord(
        record_key=f"{kind}:{repair_id}:{at.isoformat()}",
        repair_id=repair_id,
        kind=kind,
        actor=actor,
        recorded_at=at,
        verdict=kind,
        reason=reason,
        inputs=inputs or {},
    )
