"""Evidently: the HTML report is complete, and the sampled check agrees with a full run."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from journeyheal.drift.detect import detect_drift
from journeyheal.drift.report import column_drifts, run_evidently_drift, write_report
from journeyheal.drift.statistics import METHOD_LABELS
from tests.drift.synthetic import COLUMNS, config, window

# Large enough that Evidently picks its large-sample methods and the check samples a fifth.
FULL_ROWS = 12_000
SAMPLE_SIZE = 5_000
# Two samples of n values differ by about sqrt(2 / n) in these scores (0.02 at 5 000); allow
# three of those, plus a few percent for Wasserstein, whose scale is the sampled reference spread.
# The thresholds (0.1) sit far above, so drifted/not drifted must agree exactly.
SCORE_ABS_TOLERANCE = 3 * math.sqrt(2 / SAMPLE_SIZE)
SCORE_REL_TOLERANCE = 0.05
# What every Evidently 0.7 HTML report carries: its dashboard renderer and the preset's widgets.
EVIDENTLY_MARKERS = ("window.drawDashboard(", "root_metric_", "Dataset Drift", "Drift Score")


@pytest.fixture(scope="module")
def windows() -> tuple[pd.DataFrame, pd.DataFrame]:
    return window(FULL_ROWS, 11), window(FULL_ROWS, 12, shifted=True)


def test_sampled_check_agrees_with_a_full_evidently_run(
    windows: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    reference, current = windows
    settings = config(sample_size=SAMPLE_SIZE)

    check = detect_drift(reference, current, COLUMNS, settings)
    full = column_drifts(run_evidently_drift(reference, current, COLUMNS, settings))

    assert set(full) == set(COLUMNS)
    for feature in check.features:
        evidently = full[feature.column]
        assert feature.method is not None
        assert feature.score is not None
        assert evidently.method == METHOD_LABELS[feature.method]
        assert feature.drifted == evidently.drifted, feature.column
        assert feature.score == pytest.approx(
            evidently.score, rel=SCORE_REL_TOLERANCE, abs=SCORE_ABS_TOLERANCE
        )
    assert {c for c, d in full.items() if d.drifted} == {"channel", "latency_max_ms"}


def test_html_report_is_a_complete_evidently_report(
    windows: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    reference, current = windows
    target = tmp_path / "reports" / "drift.html"

    written = write_report(reference, current, target, COLUMNS, config(sample_size=2_000))

    assert written == target
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert html.rstrip().lower().endswith("</html>")
    for marker in EVIDENTLY_MARKERS:
        assert marker in html
    for column in COLUMNS:
        assert column in html
    assert "Wasserstein distance (normed)" in html
    assert "Jensen-Shannon distance" in html


def test_report_refuses_a_column_without_values(tmp_path: Path) -> None:
    reference, current = window(500, 1), window(500, 2)
    current["elapsed_s"] = None

    with pytest.raises(ValueError, match=r"columns \['elapsed_s'\] have no values"):
        write_report(reference, current, tmp_path / "r.html", COLUMNS, config())
    assert not (tmp_path / "r.html").exists()
