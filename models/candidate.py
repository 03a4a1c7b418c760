"""One candidate end to end: split, train, evaluate, check, log and register as challenger."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.behaviour import CheckResult, run_behaviour_checks
from models.config import BehaviourParams, EvaluationParams, TrainingParams
from models.evaluate import EvaluationReport, evaluate, resolve_threshold
from models.registry import RegisteredCandidate, RunFacts, log_candidate
from models.split import TimeSplit, split_by_journey_start
from models.tracking import CHAMPION_ALIAS, MODEL_NAME, TrackingSettings, tracking, version_by_alias
from models.train import TrainingResult, train_friction_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A trained, evaluated and registered challenger."""

    registered: RegisteredCandidate
    training: TrainingResult
    split: TimeSplit
    report: EvaluationReport
    checks: list[CheckResult]
    champion_metrics: dict[str, float] | None


def champion_metrics_on(
    settings: TrackingSettings, window: pd.DataFrame, params: EvaluationParams
) -> dict[str, float] | None:
    """The current champion's metrics on the window, or None when there is no champion."""
    import mlflow.pyfunc

    with tracking(settings) as client:
        version = version_by_alias(client, CHAMPION_ALIAS)
        if version is None:
            return None
        model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
        inputs = model.metadata.get_input_schema().input_names()
        risk = np.asarray(model.predict(window[inputs]), dtype=np.float64)
    return evaluate(window, risk, params).metrics


def train_candidate(
    frame: pd.DataFrame,
    features: list[str],
    settings: TrackingSettings,
    facts: RunFacts,
    training: TrainingParams,
    evaluation: EvaluationParams,
    behaviour: BehaviourParams,
) -> Candidate:
    """Train on the earlier journeys, judge on the latest, register as the challenger."""
    split = split_by_journey_start(frame, training.train_share, training.validation_share)
    result = train_friction_model(split.train, split.validation, features, training)
    evaluation = resolve_threshold(
        evaluation, split.validation, result.model.predict(split.validation)
    )

    report = evaluate(split.test, result.model.predict(split.test), evaluation)
    monotone = [name for name in training.monotone_increasing if name in features]
    checks = run_behaviour_checks(result.model.predict, split.test, monotone, behaviour)
    champion = champion_metrics_on(settings, split.test, evaluation)

    registered = log_candidate(settings, result, split, training, report, checks, facts, champion)
    log.info("candidate %s: roc_auc=%.4f", registered.model_version, report.metrics["roc_auc"])
    return Candidate(
        registered=registered,
        training=result,
        split=split,
        report=report,
        checks=checks,
        champion_metrics=champion,
    )
