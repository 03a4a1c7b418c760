"""The approval queue: repair state is a fold of audit records; reviews append new records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from journeyheal.audit.store import SYSTEM_ACTOR, AuditRecord, AuditStore
from journeyheal.repairs.catalogue import Catalogue
from journeyheal.repairs.decide import ActiveRepair
from journeyheal.repairs.recommend import ID_PREFIX, Recommendation
from journeyheal.repairs.records import APPROVAL, DECISION, EXPIRY, REJECTION, review_record

PENDING = "pending"
EXPIRED = "expired"
STATE_AFTER_DECISION = {
    "needs_approval": PENDING,
    "auto_apply": "auto_approved",
    "blocked": "blocked",
}
STATE_AFTER_REVIEW = {APPROVAL: "approved", REJECTION: "rejected", EXPIRY: EXPIRED}
# Facts that add to the chain without changing the state.
NEUTRAL_KINDS = frozenset({"outcome", "note"})
# States in which a repair counts as running; the canary records its end as an ENDED_KINDS kind.
ACTIVE_STATES = frozenset({"auto_approved", "approved", "applied", "promoted"})
ENDED_KINDS = frozenset({"rolled_back", "completed", "compensated"})


class ApprovalError(ValueError):
    """A review that cannot be made: unknown repair, wrong state, or changed rule or policy."""


@dataclass(frozen=True)
class RepairStatus:
    """Where one repair stands, folded from its chain of audit records."""

    recommendation: Recommendation
    state: str
    decided_at: datetime
    changed_at: datetime
    expires_at: datetime | None
    records: tuple[AuditRecord, ...]

    @property
    def repair_id(self) -> str:
        return self.recommendation.id


def fold(chain: Sequence[AuditRecord], now: datetime, ttl: timedelta) -> RepairStatus:
    """The state after every record in order; a pending repair older than ttl is expired."""
    if not chain or chain[0].kind != DECISION:
        first = chain[0].record_key if chain else "nothing"
        raise ApprovalError(f"a repair's chain must start with its decision, found {first}")
    decision = chain[0]
    recommendation = Recommendation.model_validate(decision.inputs["recommendation"])

    state = STATE_AFTER_DECISION[decision.verdict or ""]
    changed_at = decision.recorded_at
    for record in chain[1:]:
        if record.kind in NEUTRAL_KINDS:
            continue
        state = STATE_AFTER_REVIEW.get(record.kind, record.kind)
        changed_at = record.recorded_at

    expires_at = decision.recorded_at + ttl if state == PENDING else None
    if expires_at is not None and now >= expires_at:
        state, changed_at = EXPIRED, expires_at
    return RepairStatus(
        recommendation, state, decision.recorded_at, changed_at, expires_at, tuple(chain)
    )


def repair_status(store: AuditStore, repair_id: str, now: datetime, ttl: timedelta) -> RepairStatus:
    """One repair's status; ApprovalError when the store has no such repair."""
    chain = store.chain(repair_id)
    if not chain:
        raise ApprovalError(f"no repair {repair_id!r} in the audit store")
    return fold(chain, now, ttl)


def all_statuses(store: AuditStore, now: datetime, ttl: timedelta) -> list[RepairStatus]:
    """Every repair in the store, newest decision first (other chains, such as model
    promotions, share the store and are left out)."""
    chains: dict[str, list[AuditRecord]] = {}
    for record in store.records():
        if record.repair_id.startswith(ID_PREFIX):
            chains.setdefault(record.repair_id, []).append(record)
    statuses = [fold(chain, now, ttl) for chain in chains.values()]
    return sorted(statuses, key=lambda status: (status.decided_at, status.repair_id), reverse=True)


def active_repairs(
    store: AuditStore, now: datetime, ttl: timedelta, except_window: datetime | None = None
) -> list[ActiveRepair]:
    """Repairs running now, or ended (for cooldowns), as the policy decision needs them.

    except_window leaves out the repairs of one window, so that re-deciding a window does not
    count the window's own earlier decisions against it.
    """
    found = []
    for status in all_statuses(store, now, ttl):
        if status.recommendation.window_start == except_window:
            continue
        ended = status.state in ENDED_KINDS
        if status.state in ACTIVE_STATES or ended:
            found.append(
                ActiveRepair(
                    rule_id=status.recommendation.rule_id,
                    scope=status.recommendation.scope,
                    started_at=status.recommendation.created_at,
                    ended_at=status.changed_at if ended else None,
                )
            )
    return found


def recently_contacted(
    store: AuditStore,
    now: datetime,
    ttl: timedelta,
    cooldown: timedelta,
    except_window: datetime | None = None,
) -> set[str]:
    """Pseudonymous customers that an outreach approved or applied since `now - cooldown`."""
    since = now - cooldown
    contacted: set[str] = set()
    for status in all_statuses(store, now, ttl):
        made = status.recommendation
        if not made.customers or made.window_start == except_window:
            continue
        reached = status.state in ACTIVE_STATES or status.state in ENDED_KINDS
        if reached and since <= made.created_at <= now:
            contacted.update(made.customers)
    return contacted


def _require_pending(store: AuditStore, status: RepairStatus, now: datetime) -> None:
    """Pending or refuse; an expired one gets its expiry recorded on the way."""
    if status.state == EXPIRED and not any(r.kind == EXPIRY for r in status.records):
        reason = f"not reviewed before {status.expires_at:%Y-%m-%d %H:%M}Z; expired means rejected"
        store.append([review_record(status.recommendation, EXPIRY, SYSTEM_ACTOR, reason, now)])
    if status.state != PENDING:
        msg = (
            f"repair {status.repair_id} is {status.state}; only a pending (needs_approval) "
            "repair can be reviewed"
        )
        raise ApprovalError(msg)


def _require_unchanged(status: RepairStatus, catalogue: Catalogue) -> None:
    """The rule and policy the decision was made under must still be the ones in force."""
    made = status.recommendation
    loaded = catalogue.rule(made.rule_id)
    if loaded is None:
        msg = f"rule {made.rule_id!r} is no longer in the catalogue; ask for a fresh decision"
        raise ApprovalError(msg)
    if (loaded.rule.version, loaded.digest) != (made.rule_version, made.rule_digest):
        msg = (
            f"rule {made.rule_id!r} changed since the decision (v{made.rule_version} "
            f"{made.rule_digest} -> v{loaded.rule.version} {loaded.digest}); "
            "ask for a fresh decision"
        )
        raise ApprovalError(msg)
    if catalogue.policy is None or catalogue.policy.version != made.policy_version:
        current = catalogue.policy.version if catalogue.policy else "none"
        msg = (
            f"policy changed since the decision ({made.policy_version} -> {current}); "
            "ask for a fresh decision"
        )
        raise ApprovalError(msg)


def _review(
    store: AuditStore,
    repair_id: str,
    kind: str,
    by: str,
    reason: str,
    now: datetime,
    ttl: timedelta,
    catalogue: Catalogue | None,
) -> AuditRecord:
    if not by.strip() or not reason.strip():
        raise ApprovalError("a review needs the reviewer's name (--by) and a reason (--reason)")
    status = repair_status(store, repair_id, now, ttl)
    _require_pending(store, status, now)
    if catalogue is not None:
        _require_unchanged(status, catalogue)

    record = review_record(status.recommendation, kind, by.strip(), reason.strip(), now)
    if store.append([record]) == 0:
        # Someone else reviewed it between our read and our write.
        raise ApprovalError(f"repair {repair_id} was reviewed meanwhile; see its audit chain")
    return record


def approve(
    store: AuditStore,
    repair_id: str,
    by: str,
    reason: str,
    now: datetime,
    ttl: timedelta,
    catalogue: Catalogue,
) -> AuditRecord:
    """Approve a pending repair made under the rule and policy versions still in force."""
    return _review(store, repair_id, APPROVAL, by, reason, now, ttl, catalogue)


def reject(
    store: AuditStore, repair_id: str, by: str, reason: str, now: datetime, ttl: timedelta
) -> AuditRecord:
    """Reject a pending repair."""
    return _review(store, repair_id, REJECTION, by, reason, now, ttl, None)
