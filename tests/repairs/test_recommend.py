"""Recommendations: matching, ranking, explanations, deterministic ids, pseudonymous customers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest

from journeyheal.audit.pseudonym import Pseudonymizer
from journeyheal.repairs.catalogue import load_valid_catalogue
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.matching import ScoresError
from journeyheal.repairs.recommend import recommend
from tests.repairs.factories import (
    NOW,
    WINDOW_END,
    WINDOW_START,
    journey,
    make_policy,
    make_rule,
    payment_incident_scores,
)

HEALTHY = FeatureHealth.healthy()


def run(scores: pd.DataFrame, rules: list, **options: object) -> list:
    policy = options.pop("policy", make_policy())
    health = options.pop("health", HEALTHY)
    return recommend(scores, rules, policy, health, WINDOW_START, WINDOW_END, NOW, **options)


def test_payment_incident_puts_fallback_routing_first_with_latency_explanation() -> None:
    catalogue = load_valid_catalogue()
    assert catalogue.policy is not None

    recommendations = recommend(
        payment_incident_scores(),
        catalogue.rules,
        catalogue.policy,
        HEALTHY,
        WINDOW_START,
        WINDOW_END,
        NOW,
    )

    top = recommendations[0]
    assert top.rule_id == "payment-fallback-routing"
    assert top.scope == {"service": "payment-gateway"}
    assert top.action["target"] == "payment-fallback-routing"
    assert top.verdict == "auto_apply"
    features = [signal.feature for signal in top.explanation.signals]
    assert features[:2] == ["latency_max_ms", "timeout_count"]
    assert "payment-gateway" in top.explanation.summary
    assert "latency_max_ms" in top.explanation.summary
    assert top.explanation.model_versions == ["friction-model/3"]
    assert top.affected_journeys == 40


def test_benefit_is_risk_sum_times_declared_reduction_and_ranks() -> None:
    big = make_rule()
    small = make_rule(
        id="plan-page-rollback",
        match={
            "signals": [{"pattern": "backtrack_*", "min_contribution": 0.2}],
            "scope": {"step": "choose_plan"},
            "min_risk": 0.4,
            "min_journeys": 3,
        },
        action={"kind": "feature_flag", "target": "plan", "parameters": {"variant": "on"}},
        compensation={"kind": "feature_flag", "target": "plan", "parameters": {"variant": "off"}},
    )

    first, second = run(payment_incident_scores(), [small, big])

    assert (first.rule_id, second.rule_id) == ("payment-fallback-routing", "plan-page-rollback")
    assert second.expected_benefit == pytest.approx(5 * 0.55 * 0.6)
    assert second.mean_risk == pytest.approx(0.55)


def test_ids_are_deterministic_and_depend_on_the_window() -> None:
    scores = payment_incident_scores()

    once = run(scores, [make_rule()])
    again = run(scores.sample(frac=1.0, random_state=3), [make_rule()])
    later = recommend(
        scores,
        [make_rule()],
        make_policy(),
        HEALTHY,
        WINDOW_END,
        WINDOW_END + timedelta(hours=1),
        NOW,
    )
    bumped = run(scores, [make_rule(version=2)])
    edited = run(scores, [make_rule(description="the same rule, edited without a new version")])
    policy = make_policy()
    new_policy = run(scores, [make_rule()], policy=replace(policy, version="policy-v2"))

    assert once[0].id == again[0].id
    assert once[0].id.startswith("rep-")
    ids = [r[0].id for r in (once, later, bumped, edited, new_policy)]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("risk", "contribution", "matched"),
    [(0.9, 0.5, True), (0.3, 0.5, False), (0.9, 0.1, False)],
)
def test_risk_and_contribution_thresholds(risk: float, contribution: float, matched: bool) -> None:
    scores = pd.DataFrame(
        [journey(f"j{i}", risk, [("timeout_rate_5m", contribution, 0.2)]) for i in range(3)]
    )

    assert bool(run(scores, [make_rule()])) is matched


def test_too_few_journeys_give_no_candidate() -> None:
    scores = pd.DataFrame([journey("j1", 0.9, [("latency_max_ms", 1.0, 9000.0)])])

    assert run(scores, [make_rule()]) == []


def test_journeys_outside_the_scope_do_not_count() -> None:
    scores = pd.DataFrame(
        [journey(f"j{i}", 0.9, [("latency_max_ms", 1.0, 9.0)], service="x") for i in range(5)]
    )

    assert run(scores, [make_rule()]) == []


def test_repeated_scores_of_one_journey_count_once_with_the_latest() -> None:
    early = journey("j1", 0.9, [("latency_max_ms", 1.0, 9000.0)])
    late = journey("j1", 0.1, [("elapsed_s", 0.1, 1.0)])
    others = [journey(f"j{i}", 0.9, [("latency_max_ms", 1.0, 1.0)]) for i in range(2, 5)]
    late["scored_at"] = early["scored_at"] + timedelta(minutes=5)

    (only,) = run(pd.DataFrame([early, late, *others]), [make_rule()])

    assert only.affected_journeys == 3


def test_untrusted_features_mean_no_auto_apply() -> None:
    drifted = FeatureHealth(fresh=True, drifted=True, reason="drift on latency_max_ms")

    (only,) = run(payment_incident_scores(), [make_rule()], health=drifted)

    assert only.verdict == "needs_approval"


def test_max_active_counts_the_automatic_repairs_of_the_same_run() -> None:
    other = make_rule(
        id="second-rule",
        expected_effect={"risk_reduction": 0.1},
        action={"kind": "feature_flag", "target": "other", "parameters": {"variant": "on"}},
        compensation={"kind": "feature_flag", "target": "other", "parameters": {"variant": "off"}},
    )
    policy = make_policy(max_active_repairs=1)

    first, second = run(payment_incident_scores(), [other, make_rule()], policy=policy)

    assert (first.rule_id, first.verdict) == ("payment-fallback-routing", "auto_apply")
    assert (second.verdict, second.clause) == ("needs_approval", "policy.max_active_repairs")


def test_outreach_lists_only_pseudonymous_customers() -> None:
    outreach = make_rule(
        id="assisted-channel",
        domain="support",
        automatic=False,
        action={
            "kind": "customer_outreach",
            "target": "offer",
            "parameters": {"channel": "chat", "template": "help"},
        },
        compensation=None,
    )
    pseudonymize = Pseudonymizer(b"test-key")

    (only,) = run(payment_incident_scores(), [outreach], pseudonymize=pseudonymize)

    assert len(only.customers) == 40
    assert pseudonymize("customer-j-pay-000") in only.customers
    assert "customer-" not in only.model_dump_json()


def outreach_rule() -> object:
    return make_rule(
        id="assisted-channel",
        domain="support",
        automatic=False,
        action={
            "kind": "customer_outreach",
            "target": "offer",
            "parameters": {"channel": "chat", "template": "help"},
        },
        compensation=None,
    )


def test_outreach_leaves_out_customers_in_their_cooldown() -> None:
    pseudonymize = Pseudonymizer(b"test-key")
    contacted = {pseudonymize(f"customer-j-pay-{n:03d}") for n in range(10)}

    (only,) = run(
        payment_incident_scores(),
        [outreach_rule()],
        pseudonymize=pseudonymize,
        recently_contacted=contacted,
    )

    assert only.affected_journeys == 30
    assert not contacted & set(only.customers)
    assert only.verdict != "blocked"


def test_outreach_with_too_few_customers_out_of_cooldown_is_blocked() -> None:
    pseudonymize = Pseudonymizer(b"test-key")
    contacted = {pseudonymize(f"customer-j-pay-{n:03d}") for n in range(39)}

    (only,) = run(
        payment_incident_scores(),
        [outreach_rule()],
        pseudonymize=pseudonymize,
        recently_contacted=contacted,
    )

    assert only.verdict == "blocked"
    assert only.clause == "policy.outreach_customer_cooldown"
    assert "39 of 40 journeys" in only.reason


def test_missing_columns_are_an_error_naming_them() -> None:
    scores = payment_incident_scores().drop(columns=["top_signals", "risk"])

    with pytest.raises(ScoresError, match=r"\['risk', 'top_signals'\]"):
        run(scores, [make_rule()])


def test_risk_outside_zero_one_is_an_error() -> None:
    scores = pd.DataFrame([journey("j-bad", 1.5, [("latency_max_ms", 1.0, 1.0)])])

    with pytest.raises(ScoresError, match="j-bad"):
        run(scores, [make_rule()])


def test_malformed_signal_entry_is_an_error_naming_the_journey() -> None:
    row = journey("j-odd", 0.9, [])
    row["top_signals"] = [{"feature": "latency_max_ms"}]

    with pytest.raises(ScoresError, match="journey j-odd"):
        run(pd.DataFrame([row]), [make_rule()])
