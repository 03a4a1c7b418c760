"""The project itself: style, the command line's start-up time, the code location."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_check_passes() -> None:
    result = subprocess.run(
        [BIN / "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [BIN / "ruff", "format", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_imports_no_heavy_library() -> None:
    # --help must answer in well under 2 s (bench/bench_cli.py measures it): heavy libraries
    # stay out of the CLI's import graph.
    code = (
        "import sys, journeyheal.cli as c; "
        "heavy = [m for m in ('feast', 'great_expectations', 'evidently', 'mlflow', 'dagster') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

    help_text = subprocess.run(
        [BIN / "journeyheal", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("simulate", "run"):
        assert command in help_text


def test_definitions_load(home: object) -> None:
    from pipelines.definitions import defs

    definitions = defs()
    repository = definitions.get_repository_def()
    assert repository.get_all_jobs()
    assert definitions.resolve_job_def("journey_hourly_job").partitions_def is not None
