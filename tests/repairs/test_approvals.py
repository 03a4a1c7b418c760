"""The approval queue: one record per review, expiry, refusal when rule or policy changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from journeyheal.audit.pseudonym import Pseudonymizer
from journeyheal.audit.store import AuditRecord, AuditStore
from journeyheal.repairs.approvals import (
    ApprovalError,
    active_repairs,
    all_statuses,
    approve,
    recently_contacted,
    reject,
    repair_status,
)
from journeyheal.repairs.catalogue import Catalogue, LoadedPolicy, LoadedRule
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.recommend import Recommendation, recommend
from journeyheal.repairs.records import decision_record
from tests.repairs.factories import (
    NOW,
    WINDOW_END,
    WINDOW_START,
    make_policy,
    make_rule,
    payment_incident_scores,
)

TTL = timedelta(hours=24)
HEALTHY = FeatureHealth.healthy()


def pending_rule(**overrides: object) -> LoadedRule:
    return make_rule(automatic=False, **overrides)


def decide_and_record(
    store: AuditStore, rule: LoadedRule, policy: LoadedPolicy | None = None
) -> Recommendation:
    policy = policy or make_policy()
    (only,) = recommend(
        payment_incident_scores(), [rule], policy, HEALTHY, WINDOW_START, WINDOW_END, NOW
    )
    store.append([decision_record(only, HEALTHY, "friction_scores@2026-11-02T05")])
    return only


@pytest.fixture
def store(tmp_path: Path) -> AuditStore:
    return AuditStore.sqlite_file(tmp_path / "audit.db")


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue((pending_rule(),), make_policy(), ())


def test_new_decision_is_pending_until_reviewed(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())

    status = repair_status(store, made.id, NOW, TTL)

    assert status.state == "pending"
    assert status.expires_at == NOW + TTL


def test_rerun_adds_no_decision_record(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())
    decide_and_record(store, pending_rule())

    assert len(store.chain(made.id)) == 1


def test_approval_appends_exactly_one_record(store: AuditStore, catalogue: Catalogue) -> None:
    made = decide_and_record(store, pending_rule())

    record = approve(store, made.id, "Ada", "gateway vendor confirmed", NOW, TTL, catalogue)

    assert (record.kind, record.actor, record.verdict) == ("approval", "Ada", "approved")
    assert [item.kind for item in store.chain(made.id)] == ["decision", "approval"]
    assert repair_status(store, made.id, NOW, TTL).state == "approved"


def test_rejection_appends_exactly_one_record(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())

    reject(store, made.id, "Grace", "side effects on orders", NOW, TTL)

    assert [item.kind for item in store.chain(made.id)] == ["decision", "rejection"]
    assert repair_status(store, made.id, NOW, TTL).state == "rejected"


def test_second_review_is_refused(store: AuditStore, catalogue: Catalogue) -> None:
    made = decide_and_record(store, pending_rule())
    reject(store, made.id, "Grace", "no", NOW, TTL)

    with pytest.raises(ApprovalError, match="is rejected; only a pending"):
        approve(store, made.id, "Ada", "yes", NOW, TTL, catalogue)
    assert len(store.chain(made.id)) == 2


def test_expired_approval_counts_as_rejected(store: AuditStore, catalogue: Catalogue) -> None:
    made = decide_and_record(store, pending_rule())
    late = NOW + TTL + timedelta(minutes=1)

    with pytest.raises(ApprovalError, match="is expired"):
        approve(store, made.id, "Ada", "finally", late, TTL, catalogue)

    chain = store.chain(made.id)
    assert [item.kind for item in chain] == ["decision", "expiry"]
    assert repair_status(store, made.id, late, TTL).state == "expired"


def test_automatic_decision_cannot_be_approved(store: AuditStore, catalogue: Catalogue) -> None:
    made = decide_and_record(store, make_rule())

    with pytest.raises(ApprovalError, match="is auto_approved"):
        approve(store, made.id, "Ada", "sure", NOW, TTL, catalogue)


def test_changed_rule_version_refuses_approval(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())
    newer = Catalogue((pending_rule(version=2),), make_policy(), ())

    with pytest.raises(ApprovalError, match=r"changed since the decision.*fresh decision"):
        approve(store, made.id, "Ada", "ok", NOW, TTL, newer)
    assert len(store.chain(made.id)) == 1


def test_changed_rule_content_without_version_bump_refuses(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())
    edited = Catalogue((pending_rule(expected_effect={"risk_reduction": 0.9}),), make_policy(), ())

    with pytest.raises(ApprovalError, match="changed since the decision"):
        approve(store, made.id, "Ada", "ok", NOW, TTL, edited)


def test_changed_policy_refuses_approval(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())
    policy = make_policy()
    other_policy = type(policy)(policy.policy, policy.path, "another-hash")

    changed = Catalogue((pending_rule(),), other_policy, ())
    with pytest.raises(ApprovalError, match="policy changed"):
        approve(store, made.id, "Ada", "ok", NOW, TTL, changed)

    # The fresh decision: a rerun of the same hour under the new policy is a new repair.
    fresh = decide_and_record(store, pending_rule(), other_policy)
    assert fresh.id != made.id
    assert approve(store, fresh.id, "Ada", "ok", NOW, TTL, changed).verdict == "approved"


@pytest.mark.parametrize(("by", "reason"), [("", "because"), ("Ada", "  ")])
def test_review_needs_a_name_and_a_reason(
    store: AuditStore, catalogue: Catalogue, by: str, reason: str
) -> None:
    made = decide_and_record(store, pending_rule())

    with pytest.raises(ApprovalError, match="--by"):
        approve(store, made.id, by, reason, NOW, TTL, catalogue)


def test_unknown_repair_is_an_error(store: AuditStore) -> None:
    with pytest.raises(ApprovalError, match="no repair 'rep-missing'"):
        reject(store, "rep-missing", "Ada", "typo", NOW, TTL)


def test_model_promotions_in_the_same_store_are_not_repairs(store: AuditStore) -> None:
    made = decide_and_record(store, pending_rule())
    store.append(
        [
            AuditRecord(
                record_key="model_promotion:journey-friction:1:none",
                repair_id="model:journey-friction:v1",
                kind="model_promotion",
                actor="system",
                recorded_at=NOW,
                verdict="promoted",
            )
        ]
    )

    assert [status.repair_id for status in all_statuses(store, NOW, TTL)] == [made.id]


def test_approved_and_automatic_repairs_count_as_active(
    store: AuditStore, catalogue: Catalogue
) -> None:
    automatic = decide_and_record(store, make_rule(id="auto-rule"))
    pending = decide_and_record(store, pending_rule())

    before = active_repairs(store, NOW, TTL)
    approve(store, pending.id, "Ada", "ok", NOW, TTL, catalogue)
    after = active_repairs(store, NOW, TTL)

    assert [repair.rule_id for repair in before] == [automatic.rule_id]
    assert sorted(repair.rule_id for repair in after) == ["auto-rule", "payment-fallback-routing"]
    assert len(all_statuses(store, NOW, TTL)) == 2


def test_customers_of_an_approved_outreach_are_in_cooldown_until_it_passes(
    store: AuditStore,
) -> None:
    outreach = pending_rule(
        id="assisted-channel",
        domain="support",
        action={
            "kind": "customer_outreach",
            "target": "offer",
            "parameters": {"channel": "chat", "template": "help"},
        },
        compensation=None,
    )
    (made,) = recommend(
        payment_incident_scores(),
        [outreach],
        make_policy(),
        HEALTHY,
        WINDOW_START,
        WINDOW_END,
        NOW,
        pseudonymize=Pseudonymizer(b"test-key"),
    )
    store.append([decision_record(made, HEALTHY, "friction_scores@2026-11-02T05")])
    week = timedelta(days=7)

    pending = recently_contacted(store, NOW, TTL, week)
    approve(store, made.id, "Ada", "call them", NOW, TTL, Catalogue((outreach,), make_policy(), ()))
    reached = recently_contacted(store, NOW, TTL, week)
    later = recently_contacted(store, NOW + week + timedelta(hours=1), TTL, week)

    assert pending == set()
    assert reached == set(made.customers)
    assert len(reached) == 40
    assert later == set()
