"""Tiny hand-made rules, policies and friction scores for the repair tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from journeyheal.repairs.catalogue import LoadedPolicy, LoadedRule, content_digest
from journeyheal.repairs.models import Policy, Rule

WINDOW_START = datetime(2026, 11, 2, 5, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(hours=1)
NOW = WINDOW_END
POLICY_VERSION = "policy-test-v1"


def rule_data(**overrides: Any) -> dict[str, Any]:
    """A valid low-risk, automatic feature-flag rule on payment-gateway; overrides replace keys."""
    data: dict[str, Any] = {
        "id": "payment-fallback-routing",
        "version": 1,
        "description": "Fallback routing for a slow payment gateway.",
        "match": {
            "signals": [
                {"pattern": "latency_*", "min_contribution": 0.2},
                {"pattern": "timeout_*", "min_contribution": 0.2},
            ],
            "scope": {"service": "payment-gateway"},
            "min_risk": 0.4,
            "min_journeys": 3,
        },
        "expected_effect": {"risk_reduction": 0.6},
        "action": {
            "kind": "feature_flag",
            "target": "payment-fallback-routing",
            "parameters": {"variant": "on"},
        },
        "compensation": {
            "kind": "feature_flag",
            "target": "payment-fallback-routing",
            "parameters": {"variant": "off"},
        },
        "domain": "routing",
        "risk_level": "low",
        "canary": {
            "start_share": 0.1,
            "steps": [0.1, 0.5, 1.0],
            "min_journeys": 100,
            "allowed_regression": 0.02,
        },
        "cooldown": "2h",
        "idempotency_scope": "scope",
        "automatic": True,
    }
    data.update(copy.deepcopy(overrides))
    return data


def make_rule(**overrides: Any) -> LoadedRule:
    rule = Rule.model_validate(rule_data(**overrides))
    return LoadedRule(rule, Path(f"{rule.id}.yaml"), content_digest(rule))


def policy_data(**overrides: Any) -> dict[str, Any]:
    """A permissive valid policy: low-risk flags in routing/content, any hour."""
    data: dict[str, Any] = {
        "version": 1,
        "approval_required_domains": ["billing", "eligibility", "security"],
        "max_active_repairs": 3,
        "max_auto_traffic_share": 0.25,
        "outreach_customer_cooldown": "7d",
        "approval_ttl": "24h",
        "auto_apply": {
            "action_kinds": ["feature_flag"],
            "domains": ["routing", "content"],
            "risk_levels": ["low"],
            "hours_utc": [{"start": 0, "end": 24}],
        },
    }
    data.update(copy.deepcopy(overrides))
    return data


def make_policy(**overrides: Any) -> LoadedPolicy:
    return LoadedPolicy(
        Policy.model_validate(policy_data(**overrides)), Path("policy.yaml"), POLICY_VERSION
    )


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def journey(
    journey_id: str,
    risk: float,
    signals: list[tuple[str, float, float | None]],
    **fields: str,
) -> dict[str, Any]:
    """One scored journey row; scope fields default to a checkout payment step."""
    row: dict[str, Any] = {
        "journey_id": journey_id,
        "customer_id": f"customer-{journey_id}",
        "journey_type": "checkout",
        "channel": "web",
        "step": "payment",
        "service": "payment-gateway",
        "endpoint": "authorize",
        "partition_hour": WINDOW_START,
        "scored_at": WINDOW_START + timedelta(minutes=30),
        "risk": risk,
        "model_version": "friction-model/3",
        "top_signals": [
            {"feature": name, "contribution": contribution, "value": value}
            for name, contribution, value in signals
        ],
    }
    row.update(fields)
    return row


def payment_incident_scores(journeys: int = 40) -> pd.DataFrame:
    """Many checkout journeys slowed by payment-gateway, plus a little unrelated friction."""
    rows = [
        journey(
            f"j-pay-{index:03d}",
            0.6 + 0.3 * (index % 4) / 3,
            [
                ("latency_max_ms", 1.2, 9000.0 + index),
                ("timeout_count", 0.8, 2.0),
                ("elapsed_s", 0.1, 300.0),
            ],
        )
        for index in range(journeys)
    ]
    rows += [
        journey(
            f"j-plan-{index:03d}",
            0.55,
            [("backtrack_count", 0.9, 3.0), ("repeated_step_count", 0.4, 2.0)],
            journey_type="onboarding",
            step="choose_plan",
            service="pricing-service",
            endpoint="quote",
        )
        for index in range(5)
    ]
    rows += [
        journey(f"j-calm-{index:03d}", 0.05, [("elapsed_s", 0.05, 40.0)], step="cart")
        for index in range(20)
    ]
    return pd.DataFrame(rows)


def as_scores_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The engine's frame in the shape of the friction_scores table: signals in flat columns."""
    table = scores.drop(columns=["top_signals", "scored_at"]).assign(
        event_timestamp=scores["scored_at"]
    )
    for slot in (1, 2, 3):
        entries = [
            signals[slot - 1] if len(signals) >= slot else None for signals in scores.top_signals
        ]
        table[f"signal_{slot}_feature"] = [e and e["feature"] for e in entries]
        table[f"signal_{slot}_contribution"] = [e and e["contribution"] for e in entries]
        table[f"signal_{slot}_value"] = [
            None if e is None or e["value"] is None else str(e["value"]) for e in entries
        ]
    return table
