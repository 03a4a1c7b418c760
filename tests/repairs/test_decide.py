"""The policy decision: deny by default, sensitive domains never automatic, each clause cited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from journeyheal.repairs.decide import ActiveRepair, decide
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.matching import Candidate
from journeyheal.repairs.models import MANDATORY_APPROVAL_DOMAINS, AutoApply, HourWindow, Policy
from tests.repairs.factories import NOW, make_policy, make_rule, policy_data

SCOPE = {"service": "payment-gateway"}
CANDIDATE = Candidate("payment-fallback-routing", SCOPE, ())
HEALTHY = FeatureHealth.healthy()


def careless_policy(domains: list[str]) -> Policy:
    """A policy built without validation: it lists sensitive domains and requires no approval."""
    auto_apply = AutoApply(
        action_kinds=["feature_flag"],
        domains=domains,
        risk_levels=["low"],
        hours_utc=[HourWindow(start=0, end=24)],
    )
    return make_policy().policy.model_copy(
        update={"auto_apply": auto_apply, "approval_required_domains": []}
    )


def test_low_risk_allowed_rule_with_healthy_features_is_auto_applied() -> None:
    decision = decide(make_rule().rule, CANDIDATE, make_policy().policy, HEALTHY, NOW)

    assert decision.verdict == "auto_apply"
    assert decision.clause == "policy.auto_apply"


@pytest.mark.parametrize("domain", sorted(MANDATORY_APPROVAL_DOMAINS))
def test_sensitive_domain_is_never_automatic_whatever_the_rule_says(domain: str) -> None:
    # The rule asks for automation and the (unvalidated) policy even lists the domain.
    rule = make_rule(domain=domain, automatic=True).rule
    policy = careless_policy(["routing", "content", domain])

    decision = decide(rule, CANDIDATE, policy, HEALTHY, NOW)

    assert decision.verdict == "needs_approval"
    assert decision.clause == "policy.approval_required_domains"
    assert domain in decision.reason


@pytest.mark.parametrize(
    ("health", "words"),
    [
        (FeatureHealth(fresh=False, drifted=False, reason="scores 3 h old"), "scores 3 h old"),
        (FeatureHealth(fresh=True, drifted=True, reason="latency_max_ms drifted"), "drifted"),
    ],
)
def test_untrusted_features_allow_at_most_approval(health: FeatureHealth, words: str) -> None:
    decision = decide(make_rule().rule, CANDIDATE, make_policy().policy, health, NOW)

    assert decision.verdict == "needs_approval"
    assert decision.clause == "feature_health"
    assert words in decision.reason


@pytest.mark.parametrize(
    ("rule_changes", "policy_changes", "clause"),
    [
        ({"automatic": False}, {}, "rule.automatic"),
        ({"risk_level": "medium"}, {}, "policy.auto_apply.risk_levels"),
        ({"domain": "performance"}, {}, "policy.auto_apply.domains"),
        (
            {
                "action": {
                    "kind": "webhook",
                    "target": "cache",
                    "parameters": {"operation": "refresh"},
                },
                "compensation": None,
            },
            {},
            "policy.auto_apply.action_kinds",
        ),
        ({}, {"auto_apply": {}}, "policy.auto_apply.risk_levels"),
        ({}, {"max_auto_traffic_share": 0.05}, "policy.max_auto_traffic_share"),
        ({}, {"max_active_repairs": 0}, "policy.max_active_repairs"),
    ],
)
def test_anything_not_explicitly_allowed_needs_approval(
    rule_changes: dict[str, Any], policy_changes: dict[str, Any], clause: str
) -> None:
    rule = make_rule(**rule_changes).rule
    policy = make_policy(**policy_changes).policy

    decision = decide(rule, CANDIDATE, policy, HEALTHY, NOW)

    assert (decision.verdict, decision.clause) == ("needs_approval", clause)


def test_outside_automatic_hours_needs_approval() -> None:
    data = policy_data()
    data["auto_apply"]["hours_utc"] = [{"start": 22, "end": 4}]
    policy = Policy.model_validate(data)

    at_night = decide(make_rule().rule, CANDIDATE, policy, HEALTHY, NOW.replace(hour=1))
    by_day = decide(make_rule().rule, CANDIDATE, policy, HEALTHY, NOW.replace(hour=12))

    assert at_night.verdict == "auto_apply"
    assert (by_day.verdict, by_day.clause) == ("needs_approval", "policy.auto_apply.hours_utc")


def test_every_failing_clause_is_named_in_the_reason() -> None:
    rule = make_rule(automatic=False, domain="billing").rule

    decision = decide(rule, CANDIDATE, make_policy().policy, HEALTHY, NOW)

    assert decision.clause == "policy.approval_required_domains"
    assert "not marked automatic" in decision.reason
    assert "domain 'billing' not allowed" in decision.reason


def test_same_rule_already_active_on_the_scope_is_blocked() -> None:
    active = [ActiveRepair("payment-fallback-routing", SCOPE, NOW - timedelta(hours=1))]

    decision = decide(make_rule().rule, CANDIDATE, make_policy().policy, HEALTHY, NOW, active)

    assert (decision.verdict, decision.clause) == ("blocked", "rule.idempotency_scope")


@pytest.mark.parametrize(("ended_ago", "verdict"), [(1, "blocked"), (3, "auto_apply")])
def test_cooldown_after_a_repair_ended(ended_ago: int, verdict: str) -> None:
    ended = ActiveRepair(
        "payment-fallback-routing",
        SCOPE,
        NOW - timedelta(hours=5),
        ended_at=NOW - timedelta(hours=ended_ago),
    )

    decision = decide(make_rule().rule, CANDIDATE, make_policy().policy, HEALTHY, NOW, [ended])

    assert decision.verdict == verdict


def test_other_scope_of_the_same_rule_is_not_blocked() -> None:
    active = [ActiveRepair("payment-fallback-routing", {"service": "other"}, NOW)]

    decision = decide(make_rule().rule, CANDIDATE, make_policy().policy, HEALTHY, NOW, active)

    assert decision.verdict == "auto_apply"
