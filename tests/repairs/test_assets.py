"""The hourly asset: recommendations replace the partition's rows, reruns add no audit records."""

from __future__ import annotations

from typing import Any

import dagster as dg
import duckdb
import pytest

from journeyheal.audit.store import AuditStore
from journeyheal.home import Home
from pipelines.jobs import remediation_job
from pipelines.repairs.assets import repair_recommendations
from pipelines.repairs.resources import AuditStoreResource
from pipelines.resources import HomeResource, WarehouseResource
from pipelines.schedules import remediation_schedule
from tests.repairs.factories import WINDOW_START, as_scores_table, payment_incident_scores

PARTITION = WINDOW_START.strftime("%Y-%m-%d-%H:%M")


def load_scores(home: Home, health: tuple[bool, bool] | None) -> None:
    con = duckdb.connect(str(home.warehouse))
    frame = as_scores_table(payment_incident_scores())  # noqa: F841 - read by DuckDB by name
    con.execute("CREATE TABLE friction_scores AS SELECT * FROM frame")
    if health is not None:
        con.execute(
            "CREATE TABLE feature_health AS SELECT ?::TIMESTAMPTZ AS partition_hour, "
            "? AS fresh, ? AS drifted, 'checked' AS reason",
            [WINDOW_START, *health],
        )
    con.close()


def materialize(home: Home) -> dg.ExecuteInProcessResult:
    resources: dict[str, Any] = {
        "home": HomeResource(root=str(home.root)),
        "warehouse": WarehouseResource(path=str(home.warehouse)),
        "audit": AuditStoreResource(url=f"sqlite:///{home.audit_db}"),
    }
    return dg.materialize([repair_recommendations], partition_key=PARTITION, resources=resources)


def table(home: Home) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(home.warehouse))
    rows = con.execute(
        "SELECT rule_id, verdict, id FROM repair_recommendations ORDER BY expected_benefit DESC"
    ).fetchall()
    con.close()
    return rows


def test_recommends_fallback_routing_and_audits_once(home: Home) -> None:
    load_scores(home, health=(True, False))

    first = materialize(home)
    rerun = materialize(home)

    rows = table(home)
    assert rows[0][:2] == ("payment-fallback-routing", "auto_apply")
    assert len(rows) == len({row[2] for row in rows})
    records = AuditStore.sqlite_file(home.audit_db).records()
    assert len(records) == len(rows)
    metadata = first.asset_materializations_for_node("repair_recommendations")[0].metadata
    assert metadata["new_audit_records"].value == len(rows)
    assert metadata["auto_apply"].value == 1
    assert "payment-fallback-routing" in metadata["top"].value
    rerun_metadata = rerun.asset_materializations_for_node("repair_recommendations")[0].metadata
    assert rerun_metadata["new_audit_records"].value == 0
    assert table(home) == rows


@pytest.mark.parametrize("health", [None, (False, False), (True, True)])
def test_unknown_or_bad_feature_health_means_nothing_automatic(
    home: Home, health: tuple[bool, bool] | None
) -> None:
    load_scores(home, health)

    materialize(home)

    verdicts = {verdict for _, verdict, _ in table(home)}
    assert "auto_apply" not in verdicts
    assert "needs_approval" in verdicts


def test_missing_scores_table_fails_clearly(home: Home) -> None:
    with pytest.raises(dg.Failure, match="friction_scores does not exist"):
        materialize(home)


def test_job_and_schedule_are_hourly() -> None:
    assert remediation_job.name == "remediation_job"
    assert remediation_schedule.cron_schedule == "15 * * * *"
