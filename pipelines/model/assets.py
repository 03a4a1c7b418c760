"""Train, judge and promote the friction model: challenger asset, blocking check, champion."""

import math
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from models.config import HEADLINE_METRICS
from models.contract import feature_contract
from models.tracking import CHALLENGER_ALIAS, MODEL_NAME
from pipelines.features.resources import FeastResource
from pipelines.model.config import FrictionModelConfig, JudgingConfig
from pipelines.model.resources import MlflowResource
from pipelines.model.training import TRAINING_SET_TABLE, holdout_window, read_training_frame
from pipelines.repairs.resources import AuditStoreResource
from pipelines.resources import WarehouseResource

GROUP = "model"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _metric_metadata(metrics: dict[str, float], prefix: str = "") -> dict[str, float]:
    """The headline metrics as metadata; undefined ones (NaN) left out."""
    return {
        f"{prefix}{name}": float(metrics[name])
        for name in HEADLINE_METRICS
        if name in metrics and not math.isnan(metrics[name])
    }


@dg.asset(
    group_name=GROUP,
    deps=[dg.AssetKey(TRAINING_SET_TABLE)],
    kinds={"xgboost", "mlflow"},
    description="XGBoost friction model trained on the training set, logged to MLflow and "
    f"registered as {MODEL_NAME}@{CHALLENGER_ALIAS}.",
)
def friction_model(
    context: dg.AssetExecutionContext,
    config: FrictionModelConfig,
    warehouse: WarehouseResource,
    feast: FeastResource,
    mlflow: MlflowResource,
) -> dg.MaterializeResult:
    from models.candidate import train_candidate
    from models.registry import RunFacts, git_commit

    with warehouse.connect() as con:
        frame = read_training_frame(con, mlflow.home)
    contract = feature_contract(feast.home, config.feature_service, feast.settings)
    facts = RunFacts(
        feature_service=contract.service,
        feature_service_version=contract.version,
        git_commit=git_commit(REPO_ROOT),
    )

    candidate = train_candidate(
        frame,
        contract.features,
        mlflow.settings,
        facts,
        config.training(),
        config.evaluation(),
        config.behaviour(),
    )

    registered = candidate.registered
    context.log.info(f"registered {MODEL_NAME} version {registered.model_version}")
    return dg.MaterializeResult(
        metadata={
            **_metric_metadata(candidate.report.metrics),
            **_metric_metadata(candidate.champion_metrics or {}, prefix="champion_"),
            "model_version": registered.model_version,
            "model_uri": registered.model_uri,
            "mlflow_run_id": registered.run_id,
            "mlflow_run": dg.MetadataValue.url(registered.run_url),
            "features": dg.MetadataValue.json(contract.features),
            "feature_service": f"{contract.service} v{contract.version}",
            "behaviour_checks": dg.MetadataValue.json(
                {check.name: check.passed for check in candidate.checks}
            ),
            "data_window": dg.MetadataValue.json(candidate.split.windows()),
            "dagster/row_count": len(frame),
        }
    )


@dg.asset_check(
    asset=friction_model,
    name="challenger_outperforms_champion",
    blocking=True,
    description="The challenger passes the behavioural checks and beats the champion on the "
    "same held-out window by the configured margin (the first model needs only the checks).",
)
def challenger_outperforms_champion(
    config: JudgingConfig,
    warehouse: WarehouseResource,
    mlflow: MlflowResource,
    audit: AuditStoreResource,
) -> dg.AssetCheckResult:
    from models.promotion import (
        compare_challenger,
        promotion_audit_id,
        promotion_record,
        record_decision,
    )
    from models.registry import (
        HOLDOUT_TRAIN_SHARE_TAG,
        HOLDOUT_VALIDATION_SHARE_TAG,
        MONOTONE_TAG,
    )
    from models.tracking import tracking, version_by_alias

    settings = mlflow.settings
    with tracking(settings) as client:
        version = version_by_alias(client, CHALLENGER_ALIAS)
        if version is None:
            msg = f"no {MODEL_NAME}@{CHALLENGER_ALIAS}: materialize friction_model first"
            raise LookupError(msg)
        tags = client.get_model_version(MODEL_NAME, version).tags

    # The window the challenger was tested on: same table, same split shares.
    with warehouse.connect() as con:
        frame = read_training_frame(con, mlflow.home)
    window = holdout_window(
        frame, float(tags[HOLDOUT_TRAIN_SHARE_TAG]), float(tags[HOLDOUT_VALIDATION_SHARE_TAG])
    )
    monotone = [name for name in tags[MONOTONE_TAG].split(",") if name]

    decision = compare_challenger(
        settings,
        window,
        monotone,
        config.evaluation(),
        config.behaviour(),
        config.promotion(),
        challenger_version=version,
    )
    # The verdict is recorded on the version and in the audit trail; the alias moves only in
    # champion_model.
    store = audit.open()
    try:
        record_decision(
            settings,
            decision,
            move_alias=False,
            on_decision=lambda d: store.append([promotion_record(d, datetime.now(UTC))]),
        )
    finally:
        store.dispose()

    metadata: dict[str, object] = {
        **_metric_metadata(decision.challenger_metrics, prefix="challenger_"),
        **_metric_metadata(decision.champion_metrics or {}, prefix="champion_"),
        "margin_roc_auc": decision.margins["roc_auc"],
        "margin_pr_auc": decision.margins["pr_auc"],
        "verdict": decision.verdict,
        "reason": decision.reason,
        "challenger_version": decision.challenger_version,
        "champion_version": decision.champion_version or "none",
        "audit_chain": f"journeyheal audit show {promotion_audit_id(decision.challenger_version)}",
        "behaviour_checks": dg.MetadataValue.json(
            {
                check.name: {"passed": check.passed, "detail": check.detail}
                for check in decision.checks
            }
        ),
    }
    return dg.AssetCheckResult(
        passed=decision.promote,
        severity=dg.AssetCheckSeverity.ERROR,
        description=decision.reason,
        metadata=metadata,
    )


@dg.asset(
    group_name=GROUP,
    deps=[friction_model],
    kinds={"mlflow"},
    description=f"The {MODEL_NAME}@champion alias: moved to the challenger only after the "
    "challenger_outperforms_champion check passed.",
)
def champion_model(
    context: dg.AssetExecutionContext, mlflow: MlflowResource
) -> dg.MaterializeResult:
    from models.promotion import apply_recorded_verdict

    version = apply_recorded_verdict(mlflow.settings)
    context.log.info(f"{MODEL_NAME}@champion is version {version}")
    return dg.MaterializeResult(
        metadata={"champion_version": version, "model_uri": f"models:/{MODEL_NAME}@champion"}
    )
