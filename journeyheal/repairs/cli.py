"""Commands `journeyheal rules ...` and `journeyheal repairs ...`; heavy imports stay inside."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeyheal.home import Home
from journeyheal.repairs.paths import DEFAULT_POLICY_FILE, DEFAULT_RULES_DIR

if TYPE_CHECKING:
    from journeyheal.audit.store import AuditStore
    from journeyheal.repairs.catalogue import Catalogue

rules_app = typer.Typer(help="The repair catalogue: rules and policy.", no_args_is_help=True)
repairs_app = typer.Typer(help="Recommended repairs and the approval queue.", no_args_is_help=True)

RulesOption = Annotated[
    Path, typer.Option("--rules", help="Folder of rule YAML files.", file_okay=False)
]
PolicyOption = Annotated[Path, typer.Option("--policy", help="Policy YAML file.", dir_okay=False)]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=1)


def _catalogue(rules: Path, policy: Path) -> Catalogue:
    from journeyheal.repairs.catalogue import CatalogueError, load_valid_catalogue

    try:
        return load_valid_catalogue(rules, policy)
    except CatalogueError as error:
        raise _fail(str(error)) from error


def _store() -> AuditStore:
    from journeyheal.audit.store import AuditStore

    return AuditStore.for_home(Home.from_env().audit_db)


@rules_app.command("validate")
def validate(
    rules: RulesOption = DEFAULT_RULES_DIR, policy: PolicyOption = DEFAULT_POLICY_FILE
) -> None:
    """Check every rule and the policy; list every problem with file, rule id and field."""
    from journeyheal.repairs.catalogue import load_catalogue

    catalogue = load_catalogue(rules, policy)
    if catalogue.issues:
        for issue in catalogue.issues:
            typer.echo(str(issue), err=True)
        raise _fail(f"{len(catalogue.issues)} problem(s) found; the catalogue is refused")

    automatic = sum(1 for loaded in catalogue.rules if loaded.rule.automatic)
    version = catalogue.policy.version if catalogue.policy else "?"
    typer.echo(f"ok: {len(catalogue.rules)} rules ({automatic} marked automatic), policy {version}")


@repairs_app.command("list")
def list_repairs(
    state: Annotated[
        str | None, typer.Option(help="Only this state, e.g. pending, approved, expired.")
    ] = None,
    policy: PolicyOption = DEFAULT_POLICY_FILE,
) -> None:
    """Repairs in the audit store, newest first, with state and expected benefit."""
    from journeyheal.repairs.approvals import all_statuses

    ttl = _ttl(policy)
    statuses = all_statuses(_store(), datetime.now(UTC), ttl)
    shown = [status for status in statuses if state is None or status.state == state]
    if not shown:
        typer.echo("no repairs" + (f" in state {state!r}" if state else ""))
        return
    for status in shown:
        made = status.recommendation
        scope = ",".join(f"{k}={v}" for k, v in made.scope.items()) or "any"
        typer.echo(
            f"{made.id}  {status.state:<14} {made.rule_id:<28} {scope:<40} "
            f"benefit {made.expected_benefit:>8.2f}  journeys {made.affected_journeys:>5}  "
            f"window {made.window_start:%Y-%m-%d %H:%M}Z"
        )


def _ttl(policy: Path) -> timedelta:
    """How long an approval may wait, from the policy in force."""
    from journeyheal.repairs.catalogue import load_policy

    loaded, issues = load_policy(policy)
    if loaded is None:
        raise _fail("\n".join(str(issue) for issue in issues))
    return loaded.policy.approval_ttl


@repairs_app.command("show")
def show(
    repair_id: Annotated[str, typer.Argument(help="Repair id (rep-...).")],
    policy: PolicyOption = DEFAULT_POLICY_FILE,
) -> None:
    """One repair: decision, explanation, state and audit chain."""
    from journeyheal.repairs.approvals import ApprovalError, repair_status

    try:
        status = repair_status(_store(), repair_id, datetime.now(UTC), _ttl(policy))
    except ApprovalError as error:
        raise _fail(str(error)) from error

    made = status.recommendation
    typer.echo(f"repair {made.id}: {status.state}")
    typer.echo(f"  rule      {made.rule_id} v{made.rule_version} ({made.rule_digest})")
    typer.echo(f"  policy    {made.policy_version}")
    typer.echo(f"  scope     {json.dumps(made.scope)}")
    typer.echo(f"  window    {made.window_start.isoformat()} .. {made.window_end.isoformat()}")
    typer.echo(f"  action    {json.dumps(made.action)}")
    typer.echo(f"  decision  {made.verdict} [{made.clause}] {made.reason}")
    typer.echo(
        f"  benefit   {made.expected_benefit:.2f} expected abandonments avoided, "
        f"confidence {made.confidence:.2f}, {made.affected_journeys} journeys"
    )
    typer.echo(f"  why       {made.explanation.summary}")
    typer.echo(f"  examples  {', '.join(made.explanation.example_journeys)}")
    if status.expires_at is not None:
        typer.echo(f"  expires   {status.expires_at.isoformat()}")
    for record in status.records:
        typer.echo(
            f"  #{record.seq} {record.recorded_at.isoformat()} {record.kind} by {record.actor}: "
            f"{record.verdict} {record.reason}"
        )


def _review(kind: str, repair_id: str, by: str, reason: str, rules: Path, policy: Path) -> None:
    from journeyheal.repairs.approvals import ApprovalError, approve, reject

    catalogue = _catalogue(rules, policy)
    ttl = _ttl(policy)
    now = datetime.now(UTC)
    try:
        if kind == "approve":
            record = approve(_store(), repair_id, by, reason, now, ttl, catalogue)
        else:
            record = reject(_store(), repair_id, by, reason, now, ttl)
    except ApprovalError as error:
        raise _fail(f"refused: {error}") from error
    typer.echo(f"{repair_id}: {record.verdict} by {record.actor} ({record.reason})")


ByOption = Annotated[str, typer.Option("--by", help="Name of the person deciding.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why, in a sentence.")]
IdArgument = Annotated[str, typer.Argument(help="Repair id (rep-...).")]


@repairs_app.command("approve")
def approve_command(
    repair_id: IdArgument,
    by: ByOption,
    reason: ReasonOption,
    rules: RulesOption = DEFAULT_RULES_DIR,
    policy: PolicyOption = DEFAULT_POLICY_FILE,
) -> None:
    """Approve a pending repair (refused if its rule or the policy changed since)."""
    _review("approve", repair_id, by, reason, rules, policy)


@repairs_app.command("reject")
def reject_command(
    repair_id: IdArgument,
    by: ByOption,
    reason: ReasonOption,
    rules: RulesOption = DEFAULT_RULES_DIR,
    policy: PolicyOption = DEFAULT_POLICY_FILE,
) -> None:
    """Reject a pending repair."""
    _review("reject", repair_id, by, reason, rules, policy)
