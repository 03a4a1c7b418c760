"""Property: whatever the rules and scores, nothing auto-applies beyond what the policy allows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.models import MANDATORY_APPROVAL_DOMAINS
from journeyheal.repairs.recommend import recommend
from tests.repairs.factories import WINDOW_END, WINDOW_START, journey, make_policy, make_rule

DOMAINS = ["routing", "content", "performance", "support", *sorted(MANDATORY_APPROVAL_DOMAINS)]
SAFE_DOMAINS = [domain for domain in DOMAINS if domain not in MANDATORY_APPROVAL_DOMAINS]
KINDS = ["feature_flag", "webhook", "customer_outreach"]
SERVICES = ["payment-gateway", "address-service"]
FEATURES = ["latency_max_ms", "timeout_count", "error_rate_5m", "backtrack_count"]
PATTERNS = ["latency_*", "timeout_*", "error_*", "*"]


def action_for(kind: str, index: int, variant: str) -> dict[str, Any]:
    parameters = {
        "feature_flag": {"variant": variant},
        "webhook": {"operation": f"op-{variant}"},
        "customer_outreach": {"channel": "chat", "template": f"t-{variant}"},
    }[kind]
    return {"kind": kind, "target": f"target-{index}", "parameters": parameters}


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Any]:
    rules = []
    if draw(st.booleans()):
        # A rule every permissive policy allows, so that automatic repairs actually occur.
        any_signal = {"signals": [{"pattern": "*"}], "min_risk": 0.0, "min_journeys": 1}
        rules.append(make_rule(id="rule-safe", match=any_signal))
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(KINDS))
        start = draw(st.sampled_from([0.01, 0.1, 0.3, 0.6]))
        service = draw(st.sampled_from([None, *SERVICES]))
        rules.append(
            make_rule(
                id=f"rule-{index}",
                domain=draw(st.sampled_from(DOMAINS)),
                risk_level=draw(st.sampled_from(["low", "low", "medium", "high"])),
                automatic=draw(st.sampled_from([True, True, False])),
                action=action_for(kind, index, "on"),
                compensation=action_for(kind, index, "off"),
                canary={
                    "start_share": start,
                    "steps": [start, 1.0],
                    "min_journeys": 10,
                    "allowed_regression": 0.01,
                },
                match={
                    "signals": [{"pattern": draw(st.sampled_from(PATTERNS))}],
                    "scope": {"service": service} if service else {},
                    "min_risk": draw(st.sampled_from([0.0, 0.5])),
                    "min_journeys": draw(st.integers(1, 3)),
                },
            )
        )
    return rules


@st.composite
def policies(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return make_policy()
    # Lean towards permissive policies so that automatic repairs actually occur.
    start, end = draw(st.sampled_from([(0, 24), (0, 24), (8, 20), (22, 6), (5, 5)]))
    return make_policy(
        max_active_repairs=draw(st.integers(0, 3)),
        max_auto_traffic_share=draw(st.sampled_from([0.05, 0.25, 1.0, 1.0])),
        auto_apply={
            "action_kinds": draw(st.just(KINDS) | st.lists(st.sampled_from(KINDS), unique=True)),
            "domains": draw(
                st.just(SAFE_DOMAINS) | st.lists(st.sampled_from(SAFE_DOMAINS), unique=True)
            ),
            "risk_levels": draw(st.sampled_from([["low"], ["low"], []])),
            "hours_utc": [{"start": start, "end": end}] if start != end else [],
        },
    )


@st.composite
def score_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for index in range(draw(st.integers(1, 15))):
        signals = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(FEATURES),
                    st.floats(-1.0, 2.0, allow_nan=False),
                    st.floats(0.0, 1e4, allow_nan=False),
                ),
                max_size=3,
            )
        )
        risk = draw(st.floats(0.0, 1.0, allow_nan=False))
        rows.append(journey(f"j{index}", risk, signals, service=draw(st.sampled_from(SERVICES))))
    return pd.DataFrame(rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=rule_sets(),
    loaded_policy=policies(),
    scores=score_frames(),
    fresh=st.sampled_from([True, True, True, False]),
    drifted=st.sampled_from([False, False, False, True]),
    hour=st.integers(0, 23),
)
def test_no_auto_apply_outside_what_the_policy_allows(
    rules: list[Any],
    loaded_policy: Any,
    scores: pd.DataFrame,
    fresh: bool,
    drifted: bool,
    hour: int,
) -> None:
    health = FeatureHealth(fresh=fresh, drifted=drifted, reason="generated")
    now = WINDOW_END.replace(hour=hour)
    policy = loaded_policy.policy
    by_id = {loaded.rule.id: loaded.rule for loaded in rules}

    recommendations = recommend(
        scores, rules, loaded_policy, health, WINDOW_START, WINDOW_START + timedelta(hours=1), now
    )

    automatic = [r for r in recommendations if r.verdict == "auto_apply"]
    event(f"auto_apply recommendations: {min(len(automatic), 2)}")
    assert len(automatic) <= policy.max_active_repairs
    for recommendation in automatic:
        rule = by_id[recommendation.rule_id]
        assert health.fresh
        assert not health.drifted
        assert rule.automatic
        assert rule.risk_level == "low"
        assert rule.domain not in MANDATORY_APPROVAL_DOMAINS
        assert rule.domain in policy.auto_apply.domains
        assert rule.action.kind in policy.auto_apply.action_kinds
        assert any(window.contains(hour) for window in policy.auto_apply.hours_utc)
        assert rule.canary.start_share <= policy.max_auto_traffic_share
