"""The Great Expectations suite: stored as generated, passing good data, catching bad data."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from journeyheal.contract.schema import FIELDS
from journeyheal.contract.suite import build_suite_dict, load_suite_dict, run_contract_suite

ROWS = 40


def test_the_stored_suite_is_the_one_generated_from_the_schema() -> None:
    assert load_suite_dict(1) == build_suite_dict()


def test_the_suite_covers_every_field_rule() -> None:
    kinds = {(e["type"], e["kwargs"].get("column")) for e in build_suite_dict()["expectations"]}

    for spec in FIELDS:
        if spec.required:
            assert ("expect_column_values_to_not_be_null", spec.name) in kinds
        if spec.enum:
            assert ("expect_column_values_to_be_in_set", spec.name) in kinds
        if spec.min is not None:
            assert ("expect_column_values_to_be_between", spec.name) in kinds
    assert ("expect_column_values_to_be_unique", "event_id") in kinds
    assert ("expect_table_row_count_to_be_between", None) in kinds


def _validated_frame(rows: int = ROWS) -> pd.DataFrame:
    """Validated events: every fourth one an api_call carrying the call fields."""
    api = [i % 4 == 0 for i in range(rows)]
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(rows)],
            "journey_id": [f"j{i // 4}" for i in range(rows)],
            "customer_id": "c1",
            "journey_type": "loan_application",
            "channel": "web",
            "step": "identity",
            "event_type": ["api_call" if a else "step_view" for a in api],
            "service": ["kyc" if a else None for a in api],
            "endpoint": ["/verify" if a else None for a in api],
            "latency_ms": [100.0 if a else None for a in api],
            "status": ["ok" if a else None for a in api],
            "retry_count": pd.array([0 if a else None for a in api], dtype="Int64"),
            "data_age_s": [5.0 if i % 10 == 1 else None for i in range(rows)],
            "event_time": pd.Timestamp(datetime(2024, 5, 1, 10, tzinfo=UTC)),
            "schema_version": 1,
        }
    )


def _failed(frame: pd.DataFrame) -> set[tuple[str, str | None]]:
    outcome = run_contract_suite(frame)
    assert outcome.success == (not outcome.failed)
    return {(o.type, o.column) for o in outcome.failed}


def test_ge_suite_outcomes() -> None:
    # One test: importing Great Expectations costs seconds, so every case shares it.
    assert run_contract_suite(_validated_frame()).success

    assert _failed(_validated_frame().iloc[0:0]) >= {("expect_table_row_count_to_be_between", None)}

    spike = _validated_frame()
    spike["service"] = None
    assert ("expect_column_values_to_not_be_null", "service") in _failed(spike)

    bad_enum = _validated_frame()
    bad_enum.loc[3, "channel"] = "fax"
    assert _failed(bad_enum) == {("expect_column_values_to_be_in_set", "channel")}

    repeated = _validated_frame()
    repeated.loc[5, "event_id"] = "e4"
    assert _failed(repeated) == {("expect_column_values_to_be_unique", "event_id")}
