"""The audit store: idempotent appends, ordered chains, UPDATE and DELETE refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from journeyheal.audit.store import AuditError, AuditRecord, AuditStore

AT = datetime(2026, 11, 2, 6, tzinfo=UTC)
BACKENDS = [
    pytest.param("sqlite_store", id="sqlite"),
    pytest.param("postgres_store", id="postgresql", marks=pytest.mark.services),
]


def record(key: str, repair_id: str = "rep-1", minutes: int = 0, **fields: object) -> AuditRecord:
    return AuditRecord(
        record_key=key,
        repair_id=repair_id,
        kind=str(fields.pop("kind", "decision")),
        actor="system",
        recorded_at=AT + timedelta(minutes=minutes),
        verdict="needs_approval",
        reason="domain 'billing' always needs a person's approval",
        rule_id="billing-goodwill-credit",
        rule_version=1,
        policy_version="abc123",
        model_version="friction-model/3",
        inputs={"signals": [{"feature": "timeout_count", "contribution": 0.8}]},
    )


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> AuditStore:
    return request.getfixturevalue(request.param)


def test_append_is_idempotent_by_record_key(store: AuditStore) -> None:
    first = store.append([record("decision:rep-1"), record("review:rep-1", minutes=5)])
    rerun = store.append([record("decision:rep-1"), record("review:rep-1", minutes=5)])

    assert (first, rerun) == (2, 0)
    assert len(store.records()) == 2


def test_chain_holds_one_repair_oldest_first_and_round_trips(store: AuditStore) -> None:
    store.append(
        [record("a", minutes=0), record("other", repair_id="rep-2"), record("b", minutes=9)]
    )

    chain = store.chain("rep-1")

    assert [item.record_key for item in chain] == ["a", "b"]
    assert chain[1].recorded_at == AT + timedelta(minutes=9)
    assert chain[0].inputs == {"signals": [{"feature": "timeout_count", "contribution": 0.8}]}
    assert chain[0].model_version == "friction-model/3"
    assert store.has("other")
    assert not store.has("missing")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET reason = 'rewritten'", "DELETE FROM {table}"],
    ids=["update", "delete"],
)
def test_database_refuses_to_change_records(store: AuditStore, statement: str) -> None:
    store.append([record("decision:rep-1")])
    table = store.table.fullname if store.schema is None else f'"{store.schema}".audit_records'

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as con:
        con.execute(sa.text(statement.format(table=table)))

    assert store.chain("rep-1")[0].reason.startswith("domain 'billing'")


def test_reopening_keeps_records_and_triggers(store: AuditStore) -> None:
    store.append([record("decision:rep-1")])

    again = AuditStore(store.url, schema=store.schema)

    assert len(again.records()) == 1
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), again.engine.begin() as con:
        con.execute(again.table.delete())
    again.dispose()


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(AuditError, match="timezone-aware"):
        AuditRecord("k", "rep-1", "decision", "system", datetime(2026, 11, 2, 6))
