"""The commands a reviewer uses: repairs list|show|approve|reject and audit show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner, Result

from journeyheal.audit.cli import audit_app
from journeyheal.audit.store import AuditStore
from journeyheal.home import Home
from journeyheal.repairs.catalogue import load_valid_catalogue
from journeyheal.repairs.cli import repairs_app, rules_app
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.recommend import Recommendation, recommend
from journeyheal.repairs.records import decision_record
from tests.repairs.factories import NOW, WINDOW_END, WINDOW_START, payment_incident_scores


def cli(*args: str) -> Result:
    """Invoke the sub-apps mounted as the lead's CLI mounts them."""
    app = typer.Typer()
    app.add_typer(rules_app, name="rules")
    app.add_typer(repairs_app, name="repairs")
    app.add_typer(audit_app, name="audit")
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def decided(home: Home) -> dict[str, Recommendation]:
    """The shipped catalogue's recommendations for the payment incident, recorded now."""
    catalogue = load_valid_catalogue()
    assert catalogue.policy is not None
    health = FeatureHealth.healthy()
    made = recommend(
        payment_incident_scores(),
        catalogue.rules,
        catalogue.policy,
        health,
        WINDOW_START,
        WINDOW_END,
        NOW,
    )
    store = AuditStore.sqlite_file(home.audit_db)
    store.append([decision_record(item, health, "test", datetime.now(UTC)) for item in made])
    return {item.rule_id: item for item in made}


def test_list_shows_states(decided: dict[str, Recommendation]) -> None:
    result = cli("repairs", "list")

    assert result.exit_code == 0, result.output
    fallback = decided["payment-fallback-routing"].id
    line = next(line for line in result.output.splitlines() if line.startswith(fallback))
    assert "auto_approved" in line
    pending = cli("repairs", "list", "--state", "pending").output
    assert decided["billing-goodwill-credit"].id in pending
    assert fallback not in pending


def test_show_explains_the_decision(decided: dict[str, Recommendation]) -> None:
    result = cli("repairs", "show", decided["payment-fallback-routing"].id)

    assert result.exit_code == 0, result.output
    assert "auto_apply [policy.auto_apply]" in result.output
    assert "latency_max_ms" in result.output


def test_approve_then_audit_show_prints_the_chain(decided: dict[str, Recommendation]) -> None:
    billing = decided["billing-goodwill-credit"].id

    approved = cli("repairs", "approve", billing, "--by", "Ada", "--reason", "vendor outage")
    again = cli("repairs", "reject", billing, "--by", "Grace", "--reason", "too late")
    chain = cli("audit", "show", billing)

    assert approved.exit_code == 0, approved.output
    assert f"{billing}: approved by Ada (vendor outage)" in approved.output
    assert again.exit_code == 1
    assert "refused" in again.output
    assert chain.exit_code == 0
    assert "decision" in chain.output
    assert "approval   by Ada: approved" in chain.output
    assert "rule billing-goodwill-credit v1" in chain.output


def test_approving_an_automatic_repair_is_refused(decided: dict[str, Recommendation]) -> None:
    fallback = decided["payment-fallback-routing"].id

    result = cli("repairs", "approve", fallback, "--by", "Ada", "--reason", "why not")

    assert result.exit_code == 1
    assert "only a pending" in result.output


def test_unknown_ids_exit_non_zero(home: Home) -> None:
    assert cli("repairs", "show", "rep-nope").exit_code == 1
    assert cli("audit", "show", "rep-nope").exit_code == 1
