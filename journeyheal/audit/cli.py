"""Command `journeyheal audit show ID`: the whole chain of records of one repair."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from journeyheal.home import Home

audit_app = typer.Typer(help="The append-only audit trail.", no_args_is_help=True)


@audit_app.command("show")
def show(
    repair_id: Annotated[
        str,
        typer.Argument(help="Repair id (rep-...) or model version (model:journey-friction:vN)."),
    ],
    inputs: Annotated[bool, typer.Option(help="Also print each record's inputs (JSON).")] = False,
) -> None:
    """Print every record of one repair, oldest first."""
    from journeyheal.audit.store import AuditStore

    store = AuditStore.for_home(Home.from_env().audit_db)
    chain = store.chain(repair_id)
    if not chain:
        typer.echo(f"no audit records for {repair_id!r}", err=True)
        raise typer.Exit(code=1)

    for record in chain:
        versions = f"rule {record.rule_id} v{record.rule_version}" if record.rule_id else ""
        if record.policy_version:
            versions += f", policy {record.policy_version}"
        if record.model_version:
            versions += f", model {record.model_version}"
        typer.echo(
            f"#{record.seq} {record.recorded_at.isoformat()} {record.kind:<10} "
            f"by {record.actor}: {record.verdict or '-'}"
        )
        typer.echo(f"    reason: {record.reason}")
        if versions:
            typer.echo(f"    under:  {versions.lstrip(', ')}")
        if inputs:
            typer.echo("    inputs: " + json.dumps(record.inputs, indent=2, sort_keys=True))
