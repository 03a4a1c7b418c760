"""Champion / challenger: compare on the same held-out window, promote or refuse with a reason."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from journeyheal.audit.store import SYSTEM_ACTOR, AuditRecord
from models.behaviour import CheckResult, run_behaviour_checks
from models.config import THRESHOLD_METRIC, BehaviourParams, EvaluationParams, PromotionParams
from models.evaluate import evaluate
from models.tracking import (
    CHALLENGER_ALIAS,
    CHAMPION_ALIAS,
    MODEL_NAME,
    TrackingSettings,
    tracking,
    version_by_alias,
)

if TYPE_CHECKING:
    from mlflow import MlflowClient

log = logging.getLogger(__name__)

VERDICT_PROMOTED = "promoted"
VERDICT_REFUSED = "refused"
PROMOTION_KIND = "model_promotion"
COMPARED_METRICS = ("roc_auc", "pr_auc")


@dataclass(frozen=True)
class PromotionDecision:
    """Whether the challenger becomes champion, why, and the figures it was judged on."""

    promote: bool
    reason: str
    challenger_version: str
    champion_version: str | None
    challenger_metrics: dict[str, float]
    champion_metrics: dict[str, float] | None
    margins: dict[str, float]
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """promoted or refused."""
        return VERDICT_PROMOTED if self.promote else VERDICT_REFUSED

    def tags(self) -> dict[str, str]:
        """The decision as MLflow model-version tags."""
        tags = {
            "promotion.verdict": self.verdict,
            "promotion.reason": self.reason,
            "promotion.decided_at": datetime.now(UTC).isoformat(),
            "promotion.compared_with": self.champion_version or "none",
        }
        for name in COMPARED_METRICS:
            tags[f"promotion.challenger_{name}"] = f"{self.challenger_metrics[name]:.6f}"
            if self.champion_metrics is not None:
                tags[f"promotion.champion_{name}"] = f"{self.champion_metrics[name]:.6f}"
        return tags


def decide(
    challenger_version: str,
    challenger_metrics: Mapping[str, float],
    checks: list[CheckResult],
    champion_version: str | None,
    champion_metrics: Mapping[str, float] | None,
    params: PromotionParams,
) -> PromotionDecision:
    """Promote only a challenger passing every check and beating the champion by a margin."""
    margins = {"roc_auc": params.min_roc_auc_gain, "pr_auc": params.min_pr_auc_gain}

    def decision(promote: bool, reason: str) -> PromotionDecision:
        return PromotionDecision(
            promote=promote,
            reason=reason,
            challenger_version=challenger_version,
            champion_version=champion_version,
            challenger_metrics=dict(challenger_metrics),
            champion_metrics=None if champion_metrics is None else dict(champion_metrics),
            margins=margins,
            checks=checks,
        )

    failed = [check for check in checks if not check.passed]
    if failed:
        details = "; ".join(f"{check.name}: {check.detail}" for check in failed)
        return decision(False, f"behavioural checks failed: {details}")
    if champion_version is None or champion_metrics is None:
        return decision(True, "no champion yet and the behavioural checks pass")
    if champion_version == challenger_version:
        return decision(True, f"version {challenger_version} is already the champion")

    gains = {name: challenger_metrics[name] - champion_metrics[name] for name in margins}
    better = [name for name in margins if gains[name] >= margins[name]]
    summary = ", ".join(
        f"{name} {challenger_metrics[name]:.4f} vs {champion_metrics[name]:.4f} "
        f"(gain {gains[name]:+.4f}, margin {margins[name]})"
        for name in margins
    )
    if better:
        return decision(True, f"better than champion {champion_version} on {better}: {summary}")
    return decision(False, f"not better than champion {champion_version} by a margin: {summary}")


def _registered_scorer(version: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """predict() of a registered version, exactly as consumers will load it."""
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version}")
    inputs = model.metadata.get_input_schema().input_names()
    # only the signature's columns: the windows carry labels and keys, which MLflow warns about
    return lambda frame: np.asarray(model.predict(frame[inputs]), dtype=np.float64)


def _logged_threshold(client: MlflowClient, version: str) -> float:
    """The operating threshold the version's training run chose on its validation window."""
    run_id = client.get_model_version(MODEL_NAME, version).run_id
    threshold = client.get_run(run_id).data.metrics.get(THRESHOLD_METRIC)
    if threshold is None:
        msg = f"{MODEL_NAME} version {version} logged no {THRESHOLD_METRIC!r}: set a threshold"
        raise LookupError(msg)
    return float(threshold)


def compare_challenger(
    settings: TrackingSettings,
    window: pd.DataFrame,
    monotone_features: list[str],
    evaluation: EvaluationParams,
    behaviour: BehaviourParams,
    promotion: PromotionParams,
    challenger_version: str | None = None,
) -> PromotionDecision:
    """Judge the challenger (default: the version with that alias) against the champion."""
    with tracking(settings) as client:
        challenger = challenger_version or version_by_alias(client, CHALLENGER_ALIAS)
        if challenger is None:
            msg = f"no version of {MODEL_NAME} carries the alias {CHALLENGER_ALIAS!r}"
            raise LookupError(msg)
        champion = version_by_alias(client, CHAMPION_ALIAS)
        if evaluation.threshold is None:
            evaluation = replace(evaluation, threshold=_logged_threshold(client, challenger))

        score = _registered_scorer(challenger)
        challenger_metrics = evaluate(window, score(window), evaluation).metrics
        checks = run_behaviour_checks(score, window, monotone_features, behaviour)
        champion_metrics = None
        if champion is not None:
            champion_score = _registered_scorer(champion)
            champion_metrics = evaluate(window, champion_score(window), evaluation).metrics

    return decide(challenger, challenger_metrics, checks, champion, champion_metrics, promotion)


def record_decision(
    settings: TrackingSettings,
    decision: PromotionDecision,
    move_alias: bool = True,
    on_decision: Callable[[PromotionDecision], None] | None = None,
) -> PromotionDecision:
    """Tag the challenger version with the verdict; on promotion move the champion alias."""
    with tracking(settings) as client:
        for key, value in decision.tags().items():
            client.set_model_version_tag(MODEL_NAME, decision.challenger_version, key, value)
        if decision.promote and move_alias:
            client.set_registered_model_alias(
                MODEL_NAME, CHAMPION_ALIAS, decision.challenger_version
            )
    log.info(
        "%s version %s %s: %s",
        MODEL_NAME,
        decision.challenger_version,
        decision.verdict,
        decision.reason,
    )

    # The audit trail plugs in here.
    if on_decision is not None:
        on_decision(decision)
    return decision


def promotion_audit_id(version: str) -> str:
    """The audit chain of one model version: every judgement of it, in order."""
    return f"model:{MODEL_NAME}:v{version}"


def promotion_record(decision: PromotionDecision, recorded_at: datetime) -> AuditRecord:
    """The verdict on one challenger as an audit record; judging the same challenger against
    the same champion again adds nothing (the record key is the pair)."""
    champion = decision.champion_version or "none"
    return AuditRecord(
        record_key=f"{PROMOTION_KIND}:{MODEL_NAME}:{decision.challenger_version}:{champion}",
        repair_id=promotion_audit_id(decision.challenger_version),
        kind=PROMOTION_KIND,
        actor=SYSTEM_ACTOR,
        recorded_at=recorded_at,
        verdict=decision.verdict,
        reason=decision.reason,
        model_version=decision.challenger_version,
        inputs={
            "model": MODEL_NAME,
            "champion_version": decision.champion_version,
            "challenger_metrics": decision.challenger_metrics,
            "champion_metrics": decision.champion_metrics,
            "margins": decision.margins,
            "checks": [
                {"name": c.name, "passed": c.passed, "value": c.value, "detail": c.detail}
                for c in decision.checks
            ],
        },
    )


def apply_recorded_verdict(settings: TrackingSettings) -> str:
    """Make the challenger champion if, and only if, its recorded verdict says promoted.

    Returns the new champion version; raises PermissionError (champion untouched) otherwise.
    """
    with tracking(settings) as client:
        challenger = version_by_alias(client, CHALLENGER_ALIAS)
        if challenger is None:
            msg = f"no version of {MODEL_NAME} carries the alias {CHALLENGER_ALIAS!r}"
            raise LookupError(msg)
        tags = client.get_model_version(MODEL_NAME, challenger).tags
        verdict = tags.get("promotion.verdict")
        if verdict != VERDICT_PROMOTED:
            current = version_by_alias(client, CHAMPION_ALIAS)
            msg = (
                f"challenger version {challenger} has verdict {verdict!r} "
                f"({tags.get('promotion.reason', 'never judged')}); champion stays {current}"
            )
            raise PermissionError(msg)
        client.set_registered_model_alias(MODEL_NAME, CHAMPION_ALIAS, challenger)
    return challenger
