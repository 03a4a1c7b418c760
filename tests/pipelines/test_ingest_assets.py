"""The ingest assets under Dagster: balance, idempotence, and a gate that blocks bad data."""

import json

import dagster as dg
import duckdb
import pytest

from journeyheal.home import Home
from pipelines.definitions import build_definitions
from pipelines.jobs import FEATURE_STORE_JOB, HOURLY_JOB

PARTITION = "2026-11-02-10:00"
LANDING_DAY, LANDING_HOUR = "2026-11-02", 10


def event(number: int, **changes: object) -> dict[str, object]:
    """A valid api_call event inside the 10:00 partition."""
    base: dict[str, object] = {
        "event_id": f"e{number}",
        "journey_id": f"j{number % 7}",
        "customer_id": f"c{number % 5}",
        "journey_type": "checkout",
        "channel": "web",
        "step": "payment",
        "event_type": "api_call",
        "service": "payment-gateway",
        "endpoint": "authorize",
        "latency_ms": 250.0 + number,
        "status": "ok",
        "retry_count": 0,
        "data_age_s": 12.0,
        "event_time": f"2026-11-02T10:{number % 60:02d}:00Z",
        "schema_version": 1,
    }
    base.update(changes)
    return base


def land(home: Home, name: str, events: list[dict[str, object]]) -> None:
    folder = home.landing_hour(LANDING_DAY, LANDING_HOUR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(e) + "\n" for e in events))


def run_hour(home: Home, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    definitions = build_definitions(home)
    definitions.resolve_job_def(FEATURE_STORE_JOB).execute_in_process(instance=instance)
    job = definitions.resolve_job_def(HOURLY_JOB)
    return job.execute_in_process(partition_key=PARTITION, instance=instance, raise_on_error=False)


def count(home: Home, sql: str) -> int:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        ((value,),) = con.execute(sql).fetchall()
    return int(value)


@pytest.fixture
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()


def test_every_row_is_validated_quarantined_or_a_counted_duplicate(
    home: Home, instance: dg.DagsterInstance
) -> None:
    good = [event(n) for n in range(40)]
    land(home, "a.jsonl", [*good, event(3), event(99, latency_ms=-1.0)])

    result = run_hour(home, instance)

    assert result.success
    assert count(home, "SELECT count(*) FROM raw_journey_events") == 42
    assert count(home, "SELECT count(*) FROM validated_journey_events") == 40
    assert count(home, "SELECT count(*) FROM quarantined_journey_events") == 1
    gate = result.asset_materializations_for_node("contract_gate")[0].metadata
    assert gate["duplicates_dropped"].value == 1
    assert gate["input_rows"].value == 42


def test_rematerializing_a_partition_doubles_nothing(
    home: Home, instance: dg.DagsterInstance
) -> None:
    land(home, "a.jsonl", [event(n) for n in range(30)])

    assert run_hour(home, instance).success
    assert run_hour(home, instance).success

    for table in ("raw_journey_events", "validated_journey_events"):
        assert count(home, f"SELECT count(*) FROM {table}") == 30
    assert count(home, "SELECT count(DISTINCT event_id) FROM validated_journey_events") == 30


def test_a_failing_gate_blocks_promotion_and_keeps_the_previous_good_data(
    home: Home, instance: dg.DagsterInstance
) -> None:
    land(home, "a.jsonl", [event(n) for n in range(30)])
    assert run_hour(home, instance).success
    features = "SELECT count(*), max(latency_max_ms) FROM journey_prefix_features"
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        features_before = con.execute(features).fetchall()

    # The same hour is re-delivered with a null spike in `status` on api calls.
    land(home, "a.jsonl", [event(n, status=None) for n in range(100, 140)])
    result = run_hour(home, instance)

    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "journey_prefix_features" not in materialized
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute(features).fetchall() == features_before
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [False]
    promoted = count(home, "SELECT count(*) FROM validated_journey_events")
    kept = count(home, "SELECT count(*) FROM validated_journey_events WHERE event_id = 'e1'")
    assert (promoted, kept) == (30, 1)


def test_a_quarantined_share_over_its_cap_fails_the_gate_and_nothing_downstream_runs(
    home: Home, instance: dg.DagsterInstance
) -> None:
    # 10 of 40 rows break the contract: a 25% share, over the 5% cap. The 30 good rows alone
    # pass every expectation of the suite, so only the cap can fail the gate.
    land(
        home,
        "a.jsonl",
        [*(event(n) for n in range(30)), *(event(n, latency_ms=-1.0) for n in range(30, 40))],
    )

    result = run_hour(home, instance)

    assert not result.success
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["quarantined_share"].value == pytest.approx(0.25)
    assert check.metadata["failed_expectations"].value == []
    assert count(home, "SELECT count(*) FROM quarantined_journey_events") == 10
    # nothing was promoted: the first delivery of the hour leaves no validated table at all
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_name = '{}'"
    assert count(home, tables.format("validated_journey_events")) == 0
    assert count(home, tables.format("journey_prefix_features")) == 0
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {
        "raw_journey_events",
        "staged_journey_events",
        "quarantined_journey_events",
    }


def test_backfilling_a_range_twice_doubles_nothing(
    home: Home, instance: dg.DagsterInstance
) -> None:
    land(home, "a.jsonl", [event(n) for n in range(30)])
    later = home.landing_hour(LANDING_DAY, LANDING_HOUR + 1)
    later.mkdir(parents=True)
    arrivals = [
        event(200, event_time="2026-11-02T11:05:00Z"),
        event(201, event_time="2026-11-02T10:59:00Z"),  # late: belongs to the 10:00 hour
        event(5),  # re-delivered: accepted an hour earlier
    ]
    (later / "b.jsonl").write_text("".join(json.dumps(e) + "\n" for e in arrivals))
    definitions = build_definitions(home)
    definitions.resolve_job_def(FEATURE_STORE_JOB).execute_in_process(instance=instance)
    job = definitions.resolve_job_def(HOURLY_JOB)

    tables = ("validated_journey_events", "journey_prefix_features", "quarantined_journey_events")
    counts = []
    for _ in range(2):
        for key in (PARTITION, "2026-11-02-11:00"):
            assert job.execute_in_process(partition_key=key, instance=instance).success
        counts.append([count(home, f"SELECT count(*) FROM {table}") for table in tables])

    assert counts[0] == counts[1]
    assert counts[0][0] == 32
    assert count(home, "SELECT count(*) FROM validated_journey_events WHERE event_id = 'e5'") == 1
