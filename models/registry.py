"""Log a trained candidate to MLflow and register it as the challenger."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models import plots
from models.behaviour import CheckResult
from models.card import CardFacts, model_card
from models.config import LABEL_COLUMN, TrainingParams
from models.evaluate import EvaluationReport
from models.split import TimeSplit
from models.tracking import (
    CHALLENGER_ALIAS,
    MODEL_NAME,
    TrackingSettings,
    ensure_experiment,
    tracking,
)
from models.train import TrainingResult

if TYPE_CHECKING:
    from mlflow.models import ModelSignature

log = logging.getLogger(__name__)

PYFUNC_CODE = Path(__file__).resolve().parent / "pyfunc_code.py"
MODEL_PATH_IN_RUN = "model"
INPUT_EXAMPLE_ROWS = 5
CONTRIBUTION_SAMPLE_ROWS = 2000
PIP_REQUIREMENTS = ["xgboost-cpu==3.2.0", "pandas", "numpy", "scikit-learn"]
GIT_TIMEOUT_S = 5
HOLDOUT_TRAIN_SHARE_TAG = "holdout.train_share"
HOLDOUT_VALIDATION_SHARE_TAG = "holdout.validation_share"
MONOTONE_TAG = "monotone_increasing"


@dataclass(frozen=True)
class RunFacts:
    """Provenance logged with every run: where the features and the data came from."""

    feature_service: str
    feature_service_version: str
    git_commit: str | None = None


@dataclass(frozen=True)
class RegisteredCandidate:
    """The logged run and the registered model version carrying the challenger alias."""

    run_id: str
    experiment_id: str
    model_version: str
    model_uri: str
    run_url: str


def git_commit(folder: Path | None = None) -> str | None:
    """HEAD of the git checkout around folder, or None outside git."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=folder or Path.cwd(),
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def flat_params(params: TrainingParams, result: TrainingResult) -> dict[str, str]:
    """Training settings and the booster parameters actually used, as MLflow params."""
    merged: dict[str, Any] = {
        **asdict(params),
        **{f"xgb.{k}": v for k, v in result.xgb_params.items()},
    }
    merged["best_iteration"] = result.best_iteration
    merged["features"] = ",".join(result.model.features)
    return {key: str(value) for key, value in merged.items()}


def defined_metrics(metrics: Mapping[str, float]) -> tuple[dict[str, float], list[str]]:
    """Metrics with a value, and the names of the undefined ones (NaN)."""
    defined = {key: value for key, value in metrics.items() if not math.isnan(value)}
    return defined, sorted(set(metrics) - set(defined))


def write_figures(
    result: TrainingResult,
    test: pd.DataFrame,
    risk: np.ndarray,
    report: EvaluationReport,
    folder: Path,
) -> None:
    """Every PNG of the run into folder."""
    label = test[LABEL_COLUMN].to_numpy()
    plots.roc_plot(label, risk, folder / "roc.png")
    plots.pr_plot(label, risk, folder / "precision_recall.png")
    plots.calibration_plot(label, risk, folder / "calibration.png")
    plots.lead_time_plot(report.lead_times_min, folder / "lead_time.png")
    plots.importance_plot(result.model, folder / "feature_importance.png")
    sample = test.head(CONTRIBUTION_SAMPLE_ROWS)
    plots.contributions_plot(
        result.model, result.model.contributions(sample), folder / "contributions.png"
    )


def optional_inputs(signature: ModelSignature) -> ModelSignature:
    """The same signature with every input optional: features may be NULL (XGBoost copes).

    Integer features (counts) are declared as any type: a count with no value (a journey
    without a row in some view) arrives as NaN in a float column, which MLflow refuses for a
    `long` column, while a `double` column refuses plain int64 ("not safe"). The model casts
    every feature to float itself.
    """
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, DataType, Schema
    from mlflow.types.schema import AnyType

    integers = {DataType.integer, DataType.long}
    columns = [
        ColSpec(
            type=AnyType() if column.type in integers else column.type,
            name=column.name,
            required=False,
        )
        for column in signature.inputs.inputs
    ]
    return ModelSignature(inputs=Schema(columns), outputs=signature.outputs)


def log_candidate(
    settings: TrackingSettings,
    result: TrainingResult,
    split: TimeSplit,
    params: TrainingParams,
    report: EvaluationReport,
    checks: list[CheckResult],
    facts: RunFacts,
    champion_metrics: Mapping[str, float] | None,
) -> RegisteredCandidate:
    """One MLflow run with params, metrics, figures, card and model; new version = challenger."""
    import mlflow
    from mlflow.models import infer_signature

    from models.pyfunc import MODEL_ARTIFACT

    test = split.test
    risk = result.model.predict(test)
    windows = split.windows()
    metrics, undefined = defined_metrics(report.metrics)
    card = model_card(
        CardFacts(
            feature_service=facts.feature_service,
            feature_service_version=facts.feature_service_version,
            data_windows=windows,
            git_commit=facts.git_commit,
            calibration=result.model.calibration.method,
            best_iteration=result.best_iteration,
            threshold=report.threshold,
        ),
        report.metrics,
        champion_metrics,
        checks,
    )
    example = test.loc[:, result.model.features].head(INPUT_EXAMPLE_ROWS)
    signature = optional_inputs(infer_signature(example, result.model.predict(example)))

    with tracking(settings) as client, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        experiment_id = ensure_experiment(client, settings)
        with mlflow.start_run(experiment_id=experiment_id) as run:
            mlflow.log_params(flat_params(params, result))
            mlflow.log_metrics(metrics)
            for check in checks:
                mlflow.log_metric(f"check.{check.name}", check.value)
            mlflow.set_tags(
                {
                    "feature_service": facts.feature_service,
                    "feature_service_version": facts.feature_service_version,
                    "git_commit": facts.git_commit or "unknown",
                    "data_window": json.dumps(windows),
                    "undefined_metrics": ",".join(undefined),
                    "behaviour_checks_passed": str(all(check.passed for check in checks)),
                }
            )

            write_figures(result, test, risk, report, folder)
            mlflow.log_artifacts(str(folder), artifact_path="plots")
            mlflow.log_text(card, "model_card.md")

            model_folder = result.model.save(folder / "friction_model")
            info = mlflow.pyfunc.log_model(
                name=MODEL_PATH_IN_RUN,
                python_model=str(PYFUNC_CODE),
                artifacts={MODEL_ARTIFACT: str(model_folder)},
                signature=signature,
                input_example=example,
                registered_model_name=MODEL_NAME,
                pip_requirements=PIP_REQUIREMENTS,
            )

        version = str(info.registered_model_version)
        client.set_registered_model_alias(MODEL_NAME, CHALLENGER_ALIAS, version)
        version_tags = {
            "run_id": run.info.run_id,
            "feature_service": facts.feature_service,
            "feature_service_version": facts.feature_service_version,
            # What a later judge needs to rebuild the same held-out window and checks.
            HOLDOUT_TRAIN_SHARE_TAG: str(params.train_share),
            HOLDOUT_VALIDATION_SHARE_TAG: str(params.validation_share),
            MONOTONE_TAG: ",".join(params.monotone_increasing),
        }
        for key, value in version_tags.items():
            client.set_model_version_tag(MODEL_NAME, version, key, value)
        client.update_model_version(MODEL_NAME, version, description=card)
        run_url = f"{settings.tracking_uri}#/experiments/{experiment_id}/runs/{run.info.run_id}"

    log.info("registered %s version %s as %s", MODEL_NAME, version, CHALLENGER_ALIAS)
    return RegisteredCandidate(
        run_id=run.info.run_id,
        experiment_id=experiment_id,
        model_version=version,
        model_uri=f"models:/{MODEL_NAME}/{version}",
        run_url=run_url,
    )
