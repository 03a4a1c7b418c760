"""The journeyheal command line; heavy libraries are imported inside the commands that need them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from journeyheal.audit.cli import audit_app
from journeyheal.home import Home
from journeyheal.repairs.cli import repairs_app, rules_app

app = typer.Typer(
    help="Self-healing customer journeys: simulate, run the pipeline, review repairs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(rules_app, name="rules", help="Validate the repair catalogue and the policy.")
app.add_typer(repairs_app, name="repairs", help="Review and approve repair recommendations.")
app.add_typer(audit_app, name="audit", help="Read the append-only audit trail.")

DEFAULT_SCENARIO = Path("scenarios/payment_incident.yaml")


def parse_utc(value: str, option: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime; a naive time is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint=option) from error
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Option(help="Scenario YAML file.")] = DEFAULT_SCENARIO,
    start: Annotated[
        str | None, typer.Option(help="First hour (ISO 8601, UTC); omit to continue.")
    ] = None,
    hours: Annotated[int, typer.Option(min=1, help="How many hours to simulate.")] = 24,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 0,
    reset: Annotated[
        bool, typer.Option(help="Discard earlier simulator state and files in this home.")
    ] = False,
) -> None:
    """Write simulated journey events into landing/ and the ground truth into truth/."""
    from journeyheal.simulator import simulate as run_simulation

    home = Home.from_env().ensure()
    first = parse_utc(start, "--start") if start else None
    summary = run_simulation(home, scenario, first, hours, seed=seed, reset=reset)
    typer.echo(
        f"simulated {summary.hours} h from {summary.first_hour:%Y-%m-%d %H:00}Z: "
        f"{summary.journeys_started:,} journeys, {summary.events_written:,} events "
        f"into {home.landing}"
    )


@app.command()
def run(
    start: Annotated[
        str | None, typer.Option("--from", help="First hourly partition (ISO 8601, UTC).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last hourly partition, inclusive (ISO 8601).")
    ] = None,
) -> None:
    """Materialize the pipeline for hourly partitions through Dagster on this home's instance."""
    from journeyheal.runner import run_pipeline

    home = Home.from_env().ensure()
    first = parse_utc(start, "--from") if start else None
    last = parse_utc(end, "--to") if end else None
    try:
        summary = run_pipeline(home, first, last, echo=typer.echo)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(summary)
    if summary.failed:
        # the Dagster UI (`make ui`) holds each failed run's events and error
        raise typer.Exit(code=1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
