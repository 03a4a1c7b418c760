"""Detection on the default scenario: the champion's AUC against the best reachable AUC.

Simulates the payment-incident day (seed 7), runs the whole pipeline on a temporary home as
`make run` does, then prints the champion's held-out metrics next to the same metrics of the
simulator's true abandonment probability, and the top repair recommendation of every hour.
Target (issue 4): ROC-AUC at least 0.95 of the best reachable one.

Run: .venv/bin/python bench/bench_detection.py [--home PATH]   (about 6 minutes)
An existing `--home` that already ran is measured as it is, without simulating again.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from journeyheal.home import Home
from journeyheal.runner import run_pipeline
from journeyheal.simulator import simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "payment_incident.yaml"
START = datetime(2026, 11, 2, tzinfo=UTC)
HOURS = 24
SEED = 7
RATIO_TARGET = 0.95
SHOWN_METRICS = ("roc_auc", "pr_auc", "brier", "precision_at_threshold", "recall_at_threshold")
TOP_SQL = """
SELECT strftime(partition_hour, '%H:00') AS hour, rule_id, verdict,
       round(expected_benefit, 1) AS benefit, affected_journeys, round(mean_risk, 2) AS risk
FROM repair_recommendations
QUALIFY row_number() OVER (PARTITION BY partition_hour ORDER BY expected_benefit DESC) = 1
ORDER BY partition_hour
"""


def champion_metrics(home: Home) -> dict[str, float]:
    """Metrics of the run behind the champion alias, from the home's tracking store."""
    from models.tracking import CHAMPION_ALIAS, MODEL_NAME, TrackingSettings, tracking

    with tracking(TrackingSettings.for_home(home)) as client:
        version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION_ALIAS)
        metrics = client.get_run(version.run_id).data.metrics
    return {**metrics, "version": float(version.version)}


def run_demo(home: Home) -> float:
    """Simulate the default day and run the pipeline; returns the wall time in seconds."""
    started = time.perf_counter()
    simulate(home, SCENARIO, START, HOURS, seed=SEED, reset=True)
    summary = run_pipeline(home, None, None, echo=lambda _line: None)
    if summary.failed:
        raise SystemExit(f"pipeline runs failed: {summary.failed}")
    return time.perf_counter() - started


def report(home: Home) -> None:
    metrics = champion_metrics(home)
    print(f"champion version {metrics['version']:.0f}, test window of {metrics['rows']:.0f} rows")
    print(f"{'metric':<24}{'model':>10}{'truth':>10}")
    for name in SHOWN_METRICS:
        model, truth = metrics.get(name), metrics.get(f"truth_{name}")
        print(
            f"{name:<24}{model if model is not None else float('nan'):>10.4f}"
            f"{truth if truth is not None else float('nan'):>10.4f}"
        )
    ratio = metrics["auc_ratio_to_best"]
    verdict = "met" if ratio >= RATIO_TARGET else "MISSED"
    print(f"ROC-AUC ratio to best reachable: {ratio:.4f} (target >= {RATIO_TARGET}: {verdict})")

    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        top = con.execute(TOP_SQL).df()
    print("top recommendation per hour:")
    print(top.to_string(index=False) if len(top) else "  none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, help="a home that already ran (skip the run)")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("dagster").setLevel(logging.WARNING)

    if arguments.home is not None:
        home = Home(arguments.home)
        os.environ["MLFLOW_TRACKING_URI"] = home.mlflow_tracking_uri
        report(home)
        return
    with tempfile.TemporaryDirectory(prefix="bench_detection_") as workdir:
        home = Home(Path(workdir)).ensure()
        # The home's own stores, whatever the calling shell points MLflow at.
        os.environ["MLFLOW_TRACKING_URI"] = home.mlflow_tracking_uri
        seconds = run_demo(home)
        print(f"simulated {HOURS} h of {SCENARIO.name} (seed {SEED}) and ran it in {seconds:.0f} s")
        report(home)


if __name__ == "__main__":
    main()
