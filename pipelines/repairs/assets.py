"""Hourly repair recommendations from friction scores, each decision written to the audit trail."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from journeyheal.audit.pseudonym import Pseudonymizer
from journeyheal.audit.store import AuditStore
from journeyheal.repairs.approvals import active_repairs, recently_contacted
from journeyheal.repairs.catalogue import load_valid_catalogue
from journeyheal.repairs.health import FeatureHealth
from journeyheal.repairs.paths import DEFAULT_POLICY_FILE, DEFAULT_RULES_DIR
from journeyheal.repairs.recommend import Recommendation, recommend
from journeyheal.repairs.records import decision_key, decision_record
from pipelines.partitions import hourly_partitions
from pipelines.repairs.resources import AuditStoreResource
from pipelines.resources import HomeResource, WarehouseResource

GROUP = "repairs"
SCORES_TABLE = "friction_scores"
HEALTH_TABLE = "feature_health"
TABLE = "repair_recommendations"
TOP_SHOWN = 10
# Runs a little after the hour so the partition's scores are in.

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id VARCHAR, partition_hour TIMESTAMPTZ, rule_id VARCHAR, rule_version INTEGER,
    policy_version VARCHAR, scope JSON, domain VARCHAR, risk_level VARCHAR, verdict VARCHAR,
    clause VARCHAR, reason VARCHAR, expected_benefit DOUBLE, confidence DOUBLE,
    affected_journeys INTEGER, mean_risk DOUBLE, action JSON, explanation JSON,
    summary VARCHAR, created_at TIMESTAMPTZ
)
"""


class RepairConfig(dg.Config):
    """Where the catalogue lives; defaults to repair_rules/ of the project."""

    rules_dir: str = str(DEFAULT_RULES_DIR)
    policy_file: str = str(DEFAULT_POLICY_FILE)


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    row = con.execute(query, [name]).fetchone()
    return bool(row and row[0])


# friction_scores keeps its top signals flat (signal_k_feature, _contribution, _value) for SQL
# and the UI; the engine takes them as one list per journey.
SIGNAL_SLOTS = (1, 2, 3)
SCORES_SQL = f"""
SELECT * EXCLUDE ({
    ", ".join(
        f"signal_{k}_feature, signal_{k}_contribution, signal_{k}_value" for k in SIGNAL_SLOTS
    )
}),
       event_timestamp AS scored_at,
       list_filter([{
    ", ".join(
        f"{{'feature': signal_{k}_feature, 'contribution': signal_{k}_contribution::DOUBLE, "
        f"'value': signal_{k}_value}}"
        for k in SIGNAL_SLOTS
    )
}],
           lambda s: s.feature IS NOT NULL) AS top_signals
FROM {SCORES_TABLE} WHERE partition_hour = ?
"""


def read_scores(con: duckdb.DuckDBPyConnection, start: datetime) -> pd.DataFrame:
    """The partition's friction scores; a missing table is an error, not an empty hour."""
    if not _table_exists(con, SCORES_TABLE):
        msg = f"warehouse table {SCORES_TABLE} does not exist; materialize {SCORES_TABLE} first"
        raise dg.Failure(msg)
    return con.execute(SCORES_SQL, [start]).df()


def read_health(con: duckdb.DuckDBPyConnection, start: datetime) -> FeatureHealth:
    """The partition's feature health; when nobody recorded it, features are not trusted."""
    if _table_exists(con, HEALTH_TABLE):
        row = con.execute(
            f"SELECT fresh, drifted, reason FROM {HEALTH_TABLE} WHERE partition_hour = ? "
            "ORDER BY ALL DESC LIMIT 1",
            [start],
        ).fetchone()
        if row is not None:
            return FeatureHealth(fresh=bool(row[0]), drifted=bool(row[1]), reason=str(row[2]))
    return FeatureHealth(
        fresh=False, drifted=False, reason=f"no {HEALTH_TABLE} row for {start.isoformat()}"
    )


def record_new(
    store: AuditStore,
    made: list[Recommendation],
    health: FeatureHealth,
    snapshot: str,
    wall_now: datetime,
) -> tuple[list[Recommendation], int]:
    """Append a decision per new recommendation; an earlier decision stands for a known id."""
    kept, added = [], 0
    for recommendation in made:
        chain = store.chain(recommendation.id)
        if chain and chain[0].record_key == decision_key(recommendation.id):
            kept.append(Recommendation.model_validate(chain[0].inputs["recommendation"]))
            continue
        added += store.append([decision_record(recommendation, health, snapshot, wall_now)])
        kept.append(recommendation)
    return kept, added


def _rows(made: list[Recommendation], start: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": item.id,
                "partition_hour": start,
                "rule_id": item.rule_id,
                "rule_version": item.rule_version,
                "policy_version": item.policy_version,
                "scope": json.dumps(item.scope),
                "domain": item.domain,
                "risk_level": item.risk_level,
                "verdict": item.verdict,
                "clause": item.clause,
                "reason": item.reason,
                "expected_benefit": item.expected_benefit,
                "confidence": item.confidence,
                "affected_journeys": item.affected_journeys,
                "mean_risk": item.mean_risk,
                "action": json.dumps(item.action),
                "explanation": item.explanation.model_dump_json(),
                "summary": item.explanation.summary,
                "created_at": item.created_at,
            }
            for item in made
        ],
        columns=[
            "id", "partition_hour", "rule_id", "rule_version", "policy_version", "scope",
            "domain", "risk_level", "verdict", "clause", "reason", "expected_benefit",
            "confidence", "affected_journeys", "mean_risk", "action", "explanation", "summary",
            "created_at",
        ],
    )  # fmt: skip


def write_partition(
    con: duckdb.DuckDBPyConnection, made: list[Recommendation], start: datetime
) -> None:
    """Replace the partition's rows in one transaction."""
    rows = _rows(made, start)
    con.execute("BEGIN")
    con.execute(CREATE_TABLE)
    con.execute(f"DELETE FROM {TABLE} WHERE partition_hour = ?", [start])
    con.register("new_rows", rows)
    con.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM new_rows")
    con.unregister("new_rows")
    con.execute("COMMIT")


def markdown_top(made: list[Recommendation]) -> str:
    """The best recommendations as a Markdown table."""
    lines = [
        "| id | rule | scope | decision | benefit | journeys | confidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in made[:TOP_SHOWN]:
        scope = ", ".join(f"{k}={v}" for k, v in item.scope.items()) or "any"
        lines.append(
            f"| {item.id} | {item.rule_id} v{item.rule_version} | {scope} | {item.verdict} | "
            f"{item.expected_benefit:.2f} | {item.affected_journeys} | {item.confidence:.2f} |"
        )
    return "\n".join(lines)


@dg.asset(
    partitions_def=hourly_partitions,
    group_name=GROUP,
    deps=[dg.AssetKey(SCORES_TABLE), dg.AssetKey("feature_drift_report")],
    kinds={"duckdb"},
    description="Repairs proposed for one hour of friction scores, ranked by expected benefit, "
    "each with its policy decision and explanation; every new decision is audited.",
)
def repair_recommendations(
    context: dg.AssetExecutionContext,
    config: RepairConfig,
    home: HomeResource,
    warehouse: WarehouseResource,
    audit: AuditStoreResource,
) -> dg.MaterializeResult:
    window = context.partition_time_window
    start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
    wall_now = datetime.now(UTC)
    catalogue = load_valid_catalogue(Path(config.rules_dir), Path(config.policy_file))
    policy = catalogue.policy
    if policy is None:
        raise dg.Failure("the repair policy did not load")

    with warehouse.connect() as con:
        scores = read_scores(con, start)
        health = read_health(con, start)

    # The partition's end is "now" for the policy (automatic hours, cooldowns), so a replayed
    # day decides as it would have live; approval expiry runs on the wall clock.
    store = audit.open()
    active = active_repairs(store, wall_now, policy.policy.approval_ttl, except_window=start)
    contacted = recently_contacted(
        store,
        end,
        policy.policy.approval_ttl,
        policy.policy.outreach_customer_cooldown,
        except_window=start,
    )
    made = recommend(
        scores,
        catalogue.rules,
        policy,
        health,
        start,
        end,
        end,
        active_repairs=active,
        pseudonymize=Pseudonymizer.for_home(home.home.root),
        recently_contacted=contacted,
    )
    snapshot = f"warehouse:{SCORES_TABLE}?partition_hour={start.isoformat()}"
    kept, added = record_new(store, made, health, snapshot, wall_now)
    store.dispose()

    with warehouse.connect() as con:
        write_partition(con, kept, start)

    counts = Counter(item.verdict for item in kept)
    if not health.trusted:
        context.log.warning(f"features not trusted, nothing automatic: {health.reason}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(kept),
            "scored_journeys": len(scores),
            "auto_apply": counts["auto_apply"],
            "needs_approval": counts["needs_approval"],
            "blocked": counts["blocked"],
            "new_audit_records": added,
            "feature_health": health.reason,
            "policy_version": policy.version,
            "top": dg.MetadataValue.md(markdown_top(kept)),
        }
    )
