"""Loading the catalogue: the shipped rules pass, each kind of mistake is reported clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from journeyheal.repairs.catalogue import CatalogueError, load_catalogue, load_valid_catalogue
from journeyheal.repairs.cli import rules_app
from tests.repairs.factories import policy_data, rule_data, write_yaml


def run_cli(*args: str) -> Result:
    """Invoke `rules ...` as the lead's CLI mounts it."""
    app = typer.Typer()
    app.add_typer(rules_app, name="rules")
    return CliRunner().invoke(app, ["rules", *args])


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    """A folder with a valid policy and an empty rules/ folder."""
    write_yaml(tmp_path / "policy.yaml", policy_data())
    (tmp_path / "rules").mkdir()
    return tmp_path


def issues_of(root: Path) -> list[str]:
    return [str(issue) for issue in load_catalogue(root / "rules", root / "policy.yaml").issues]


def test_shipped_catalogue_is_valid_and_covers_the_scenario_faults() -> None:
    catalogue = load_valid_catalogue()

    targets = {loaded.rule.action.target for loaded in catalogue.rules}
    assert {"payment-fallback-routing", "cache-bypass-pricing", "plan-page-rollback"} <= targets
    kinds = {loaded.rule.action.kind for loaded in catalogue.rules}
    assert kinds == {"feature_flag", "webhook", "customer_outreach"}
    billing = [loaded.rule for loaded in catalogue.rules if loaded.rule.domain == "billing"]
    assert billing
    assert not any(rule.automatic for rule in billing)


def test_valid_rule_loads_without_issues(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "ok.yaml", rule_data())

    assert issues_of(catalogue_dir) == []


def test_missing_field_names_file_rule_and_field(catalogue_dir: Path) -> None:
    data = rule_data()
    del data["canary"]
    path = write_yaml(catalogue_dir / "rules" / "broken.yaml", data)

    assert issues_of(catalogue_dir) == [
        f"{path}: rule 'payment-fallback-routing': canary: Field required"
    ]


def test_unknown_action_kind_names_the_kind_field(catalogue_dir: Path) -> None:
    action = {"kind": "sms_blast", "target": "x", "parameters": {"variant": "on"}}
    path = write_yaml(catalogue_dir / "rules" / "sms.yaml", rule_data(action=action))

    (issue,) = issues_of(catalogue_dir)
    assert issue.startswith(f"{path}: rule 'payment-fallback-routing': action.kind: ")
    assert "sms_blast" in issue


def test_conflicting_rules_are_refused(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "a.yaml", rule_data())
    other = rule_data(
        id="payment-fallback-off",
        action={
            "kind": "feature_flag",
            "target": "payment-fallback-routing",
            "parameters": {"variant": "off"},
        },
        compensation={
            "kind": "feature_flag",
            "target": "payment-fallback-routing",
            "parameters": {"variant": "on"},
        },
    )
    other["match"]["scope"] = {"service": "payment-gateway", "endpoint": "authorize"}
    path = write_yaml(catalogue_dir / "rules" / "b.yaml", other)

    (issue,) = issues_of(catalogue_dir)
    assert issue.startswith(f"{path}: rule 'payment-fallback-off': action: conflicts with rule ")
    assert "'payment-fallback-routing'" in issue


def test_same_target_on_disjoint_scopes_is_no_conflict(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "a.yaml", rule_data())
    other = rule_data(id="other-provider")
    other["match"]["scope"] = {"service": "order-service"}
    other["action"]["parameters"] = {"variant": "shadow"}
    write_yaml(catalogue_dir / "rules" / "b.yaml", other)

    assert issues_of(catalogue_dir) == []


@pytest.mark.parametrize("domain", ["billing", "eligibility", "security"])
def test_sensitive_rule_marked_automatic_is_refused(catalogue_dir: Path, domain: str) -> None:
    path = write_yaml(catalogue_dir / "rules" / "s.yaml", rule_data(id="credit", domain=domain))

    (issue,) = issues_of(catalogue_dir)
    assert issue.startswith(f"{path}: rule 'credit': automatic: domain '{domain}' always needs")


def test_every_issue_is_collected_not_only_the_first(catalogue_dir: Path) -> None:
    first = rule_data(id="first", risk_level="extreme")
    del first["description"]
    write_yaml(catalogue_dir / "rules" / "one.yaml", first)
    write_yaml(catalogue_dir / "rules" / "two.yaml", rule_data(id="second", cooldown="soon"))

    issues = issues_of(catalogue_dir)

    assert len(issues) == 3
    assert any("'first': description: Field required" in issue for issue in issues)
    assert any("'first': risk_level:" in issue for issue in issues)
    assert any("'second': cooldown:" in issue and "'soon'" in issue for issue in issues)


def test_nested_action_field_is_named_without_the_union_tag(catalogue_dir: Path) -> None:
    data = rule_data()
    data["action"]["parameters"] = {}
    path = write_yaml(catalogue_dir / "rules" / "flag.yaml", data)

    assert issues_of(catalogue_dir) == [
        f"{path}: rule 'payment-fallback-routing': action.parameters.variant: Field required"
    ]


def test_duplicate_rule_ids_are_refused(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "a.yaml", rule_data())
    path = write_yaml(catalogue_dir / "rules" / "b.yaml", rule_data())

    (issue,) = issues_of(catalogue_dir)
    assert issue.startswith(f"{path}: rule 'payment-fallback-routing': id: id already used")


def test_policy_must_keep_mandatory_domains_manual(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "ok.yaml", rule_data())
    write_yaml(catalogue_dir / "policy.yaml", policy_data(approval_required_domains=["billing"]))

    (issue,) = issues_of(catalogue_dir)
    assert "policy.yaml: (whole document)" in issue
    assert "['eligibility', 'security']" in issue


def test_policy_cannot_allow_medium_risk_automatically(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "ok.yaml", rule_data())
    data = policy_data()
    data["auto_apply"]["risk_levels"] = ["low", "medium"]
    write_yaml(catalogue_dir / "policy.yaml", data)

    (issue,) = issues_of(catalogue_dir)
    assert "auto_apply.risk_levels.1" in issue


def test_load_valid_catalogue_raises_with_every_issue(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "a.yaml", rule_data(id="credit", domain="billing"))

    with pytest.raises(CatalogueError, match=r"(?s)1 problem\(s\).*'credit': automatic"):
        load_valid_catalogue(catalogue_dir / "rules", catalogue_dir / "policy.yaml")


def test_cli_validate_exits_non_zero_and_lists_issues(catalogue_dir: Path) -> None:
    write_yaml(catalogue_dir / "rules" / "a.yaml", rule_data(id="credit", domain="security"))
    rules, policy = str(catalogue_dir / "rules"), str(catalogue_dir / "policy.yaml")

    result = run_cli("validate", "--rules", rules, "--policy", policy)

    assert result.exit_code == 1
    assert "rule 'credit': automatic: domain 'security'" in result.output
    assert "1 problem(s) found" in result.output


def test_cli_validate_accepts_the_shipped_catalogue() -> None:
    result = run_cli("validate")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 7 rules")
