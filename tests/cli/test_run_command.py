"""`journeyheal run`: clear errors for a bad range, and a non-zero exit when a job fails."""

from __future__ import annotations

from typer.testing import CliRunner

from journeyheal.cli import app
from journeyheal.home import Home


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", *args])
    return result.exit_code, result.output


def test_a_range_that_ends_before_it_starts_is_refused(home: Home) -> None:
    code, output = run("--from", "2026-11-02T05:00Z", "--to", "2026-11-02T04:00Z")

    assert code == 2
    assert "is before --from" in output


def test_nothing_landed_says_what_to_run_first(home: Home) -> None:
    code, output = run()

    assert code == 2
    assert "journeyheal simulate" in output


def test_a_failed_job_fails_the_command_and_is_named(home: Home) -> None:
    folder = home.landing_hour("2026-11-02", 4)
    folder.mkdir(parents=True)
    (folder / "broken.parquet").write_bytes(b"not parquet at all")

    code, output = run("--from", "2026-11-02T04:00Z", "--to", "2026-11-02T04:00Z")

    assert code == 1
    assert "FAILED: journey_hourly_job[2026-11-02-04:00]" in output
    assert "[setup] feature_store_job  ok" in output
