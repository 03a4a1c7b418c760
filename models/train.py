"""Train the friction classifier: XGBoost hist, early stopping, class weights, calibration."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from models.calibration import fit_calibration
from models.config import (
    IDENTIFIER_COLUMNS,
    LABEL_COLUMN,
    OUTCOME_COLUMNS,
    TIMESTAMP_COLUMN,
    TrainingParams,
)
from models.friction_model import FrictionModel, design_matrix

log = logging.getLogger(__name__)

FORBIDDEN_FEATURES = frozenset((*IDENTIFIER_COLUMNS, *OUTCOME_COLUMNS, TIMESTAMP_COLUMN))


@dataclass(frozen=True)
class TrainingResult:
    """The model and what the run learned about itself."""

    model: FrictionModel
    best_iteration: int
    scale_pos_weight: float
    validation_metric: float
    xgb_params: dict[str, Any]


def check_feature_list(features: list[str], frame: pd.DataFrame) -> None:
    """Refuse identifiers, outcomes or absent columns as features."""
    forbidden = sorted(set(features) & FORBIDDEN_FEATURES)
    if forbidden:
        msg = f"identifier or outcome columns may not be features: {forbidden}"
        raise ValueError(msg)
    missing = [name for name in features if name not in frame.columns]
    if missing:
        msg = f"training frame lacks features {missing}"
        raise KeyError(msg)
    if not features:
        msg = "no features given"
        raise ValueError(msg)


def text_categories(frame: pd.DataFrame, features: list[str]) -> dict[str, list[str]]:
    """Category levels of every non-numeric feature, sorted for a stable encoding."""
    return {
        name: sorted(frame[name].dropna().astype(str).unique().tolist())
        for name in features
        if not pd.api.types.is_numeric_dtype(frame[name])
        and not pd.api.types.is_bool_dtype(frame[name])
    }


def xgb_parameters(
    params: TrainingParams, features: list[str], scale_pos_weight: float
) -> dict[str, Any]:
    """Booster parameters; monotone constraints on the friction counts that must raise risk."""
    constraints = tuple(1 if name in params.monotone_increasing else 0 for name in features)
    return {
        "objective": "binary:logistic",
        "eval_metric": params.early_stopping_metric,
        "tree_method": "hist",
        "max_depth": params.max_depth,
        "eta": params.learning_rate,
        "min_child_weight": params.min_child_weight,
        "subsample": params.subsample,
        "colsample_bytree": params.colsample_bytree,
        "lambda": params.reg_lambda,
        "max_bin": params.max_bin,
        "nthread": params.nthread,
        "seed": params.seed,
        "scale_pos_weight": scale_pos_weight,
        "monotone_constraints": str(constraints),
    }


def train_friction_model(
    train: pd.DataFrame,
    validation: pd.DataFrame,
    features: list[str],
    params: TrainingParams,
) -> TrainingResult:
    """Fit on the train split, stop early and calibrate on the validation split."""
    check_feature_list(features, train)
    for name, part in (("train", train), ("validation", validation)):
        if part[LABEL_COLUMN].nunique() < 2:
            msg = f"the {name} split holds only one class; cannot train"
            raise ValueError(msg)

    # Frequent completions would otherwise drown the rarer abandonments.
    positives = float(train[LABEL_COLUMN].sum())
    weight = params.scale_pos_weight or (len(train) - positives) / positives

    categories = text_categories(train, features)
    train_x = design_matrix(train, features, categories)
    valid_x = design_matrix(validation, features, categories)
    with_categories = bool(categories)
    train_matrix = xgb.QuantileDMatrix(
        train_x,
        label=train[LABEL_COLUMN],
        enable_categorical=with_categories,
        max_bin=params.max_bin,
        nthread=params.nthread,
    )
    valid_matrix = xgb.QuantileDMatrix(
        valid_x,
        label=validation[LABEL_COLUMN],
        ref=train_matrix,
        enable_categorical=with_categories,
        max_bin=params.max_bin,
        nthread=params.nthread,
    )

    xgb_params = xgb_parameters(params, features, weight)
    history: dict[str, dict[str, list[float]]] = {}
    booster = xgb.train(
        xgb_params,
        train_matrix,
        num_boost_round=params.num_boost_round,
        evals=[(valid_matrix, "validation")],
        early_stopping_rounds=params.early_stopping_rounds,
        evals_result=history,
        verbose_eval=False,
    )
    # Keep only the trees up to the best round, so every consumer predicts the same thing.
    best = int(booster.best_iteration)
    log.info(
        "stopped after %d rounds, best %d; scale_pos_weight=%.3f",
        booster.num_boosted_rounds(),
        best + 1,
        weight,
    )
    booster = booster[: best + 1]

    valid_margin = np.asarray(booster.inplace_predict(valid_x, predict_type="margin"))
    calibration = fit_calibration(valid_margin, validation[LABEL_COLUMN], params.calibration)
    model = FrictionModel(
        booster=booster, features=features, categories=categories, calibration=calibration
    )
    return TrainingResult(
        model=model,
        best_iteration=best,
        scale_pos_weight=float(weight),
        validation_metric=float(history["validation"][params.early_stopping_metric][best]),
        xgb_params=xgb_params,
    )
