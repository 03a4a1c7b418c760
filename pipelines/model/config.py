"""Launchpad settings of the model assets; each maps onto the plain dataclasses of models/."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from journeyheal.featurestore.definitions import FEATURE_SERVICE
from models.config import (
    BehaviourParams,
    CalibrationMethod,
    EvaluationParams,
    PromotionParams,
    TrainingParams,
)

_TRAINING = TrainingParams()
_EVALUATION = EvaluationParams()
_BEHAVIOUR = BehaviourParams()
_PROMOTION = PromotionParams()


class JudgingConfig(dg.Config):
    """How a candidate is judged: threshold, behavioural bounds, promotion margins."""

    threshold: float | None = Field(
        default=_EVALUATION.threshold,
        description="Risk that flags a journey; empty: the best F1 on the validation window.",
    )
    step_bucket_edges: list[int] = Field(default=list(_EVALUATION.step_bucket_edges))
    calm_max_risk: float = _BEHAVIOUR.calm_max_risk
    calm_values: dict[str, float] = Field(default=dict(_BEHAVIOUR.calm_values))
    behaviour_sample_rows: int = _BEHAVIOUR.sample_rows
    min_roc_auc_gain: float = _PROMOTION.min_roc_auc_gain
    min_pr_auc_gain: float = _PROMOTION.min_pr_auc_gain

    def evaluation(self) -> EvaluationParams:
        return EvaluationParams(
            threshold=self.threshold, step_bucket_edges=tuple(self.step_bucket_edges)
        )

    def behaviour(self) -> BehaviourParams:
        return BehaviourParams(
            calm_values=dict(self.calm_values),
            calm_max_risk=self.calm_max_risk,
            sample_rows=self.behaviour_sample_rows,
        )

    def promotion(self) -> PromotionParams:
        return PromotionParams(
            min_roc_auc_gain=self.min_roc_auc_gain, min_pr_auc_gain=self.min_pr_auc_gain
        )


class FrictionModelConfig(JudgingConfig):
    """XGBoost and split settings a data scientist may change before training."""

    max_depth: int = _TRAINING.max_depth
    learning_rate: float = _TRAINING.learning_rate
    num_boost_round: int = _TRAINING.num_boost_round
    early_stopping_rounds: int = _TRAINING.early_stopping_rounds
    min_child_weight: float = _TRAINING.min_child_weight
    subsample: float = _TRAINING.subsample
    colsample_bytree: float = _TRAINING.colsample_bytree
    reg_lambda: float = _TRAINING.reg_lambda
    nthread: int = _TRAINING.nthread
    seed: int = _TRAINING.seed
    train_share: float = _TRAINING.train_share
    validation_share: float = _TRAINING.validation_share
    calibration: CalibrationMethod = _TRAINING.calibration
    monotone_increasing: list[str] = Field(default=list(_TRAINING.monotone_increasing))
    feature_service: str = FEATURE_SERVICE

    def training(self) -> TrainingParams:
        return TrainingParams(
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            num_boost_round=self.num_boost_round,
            early_stopping_rounds=self.early_stopping_rounds,
            min_child_weight=self.min_child_weight,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            nthread=self.nthread,
            seed=self.seed,
            train_share=self.train_share,
            validation_share=self.validation_share,
            calibration=self.calibration,
            monotone_increasing=tuple(self.monotone_increasing),
        )
