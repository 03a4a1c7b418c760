"""Every contract rule is enforced where events are read, whatever the file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from contract_files import good_event, write_csv, write_jsonl, write_parquet

from journeyheal.contract import GateConfig
from journeyheal.contract.schema import FIELDS

REQUIRED = [field.name for field in FIELDS if field.required]

WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def _quarantine(con: Any) -> list[tuple[str, str | None, int]]:
    return con.execute(
        "SELECT reason, field, source_row FROM quarantined ORDER BY source_file, source_row"
    ).fetchall()


BAD_EVENTS = [
    ("missing_field", "customer_id", {"customer_id": None}),
    ("missing_field", "journey_type", {"journey_type": "  "}),
    ("wrong_type", "latency_ms", {"latency_ms": "fast"}),
    ("wrong_type", "retry_count", {"retry_count": "1.5"}),
    ("unknown_enum_value", "channel", {"channel": "fax"}),
    ("unknown_enum_value", "event_type", {"event_type": "click"}),
    ("unknown_enum_value", "status", {"status": "maybe"}),
    ("out_of_range", "latency_ms", {"latency_ms": -1.0}),
    ("out_of_range", "retry_count", {"retry_count": -2}),
    ("out_of_range", "data_age_s", {"data_age_s": -0.5}),
    ("bad_timestamp", "event_time", {"event_time": "yesterday"}),
    ("bad_timestamp", "event_time", {"event_time": "2024-13-01T10:00:00Z"}),
    ("naive_timestamp", "event_time", {"event_time": "2024-05-01T10:15:00"}),
    ("future_event", "event_time", {"event_time": "2024-05-01T11:30:00Z"}),
    ("too_late", "event_time", {"event_time": "2024-05-01T03:00:00+00:00"}),
    ("wrong_schema_version", "schema_version", {"schema_version": 2}),
    ("missing_field", "schema_version", {"schema_version": None}),
]


@pytest.mark.parametrize(("fmt"), ["jsonl", "csv"])
@pytest.mark.parametrize(("reason", "field", "changes"), BAD_EVENTS)
def test_each_broken_rule_is_quarantined_with_its_reason(
    folder: Path, gate: Any, fmt: str, reason: str, field: str, changes: dict[str, Any]
) -> None:
    WRITERS[fmt](folder / f"events.{fmt}", [good_event("ok"), good_event("bad", **changes)])

    con, counts = gate()

    assert counts.validated == 1
    assert counts.reasons == {reason: 1}
    ((got_reason, got_field, detail),) = con.execute(
        "SELECT reason, field, detail FROM quarantined"
    ).fetchall()
    assert (got_reason, got_field) == (reason, field)
    assert field in detail


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize("field", REQUIRED)
def test_a_required_field_left_out_entirely_is_missing(
    folder: Path, gate: Any, fmt: str, field: str
) -> None:
    # Not null but absent: the key is not in the JSON object, the column not in the file.
    bad = good_event("bad")
    del bad[field]
    WRITERS[fmt](folder / f"a.{fmt}", [good_event("ok")])
    WRITERS[fmt](folder / f"b.{fmt}", [bad])

    con, counts = gate()

    assert counts.validated == 1
    assert counts.reasons == {"missing_field": 1}
    ((got_field,),) = con.execute("SELECT field FROM quarantined").fetchall()
    assert got_field == field


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("journey_id", {"x": 1}, "an object"),
        ("customer_id", True, "a boolean"),
        ("step", ["cart"], "an array"),
        ("event_time", False, "a boolean"),
    ],
)
def test_json_values_of_the_wrong_json_type_for_a_text_field_are_quarantined(
    folder: Path, gate: Any, field: str, value: object, kind: str
) -> None:
    write_jsonl(folder / "events.jsonl", [good_event("ok"), good_event("bad", **{field: value})])

    con, counts = gate()

    assert counts.validated == 1
    assert counts.reasons == {"wrong_type": 1}
    ((got_field, detail, event_id),) = con.execute(
        "SELECT field, detail, event_id FROM quarantined"
    ).fetchall()
    assert got_field == field
    assert detail.startswith(f"{field} ")
    assert detail.endswith(f"is {kind}, not a string")
    assert event_id == "bad"


@pytest.mark.parametrize(("reason", "field", "changes"), BAD_EVENTS[:10])
def test_typed_parquet_rows_are_judged_by_the_same_rules(
    folder: Path, gate: Any, reason: str, field: str, changes: dict[str, Any]
) -> None:
    # Mixed types in one column are not possible in Parquet: each bad row gets its own file.
    write_parquet(folder / "a.parquet", [good_event("ok")])
    write_parquet(folder / "b.parquet", [good_event("bad", **changes)])

    con, counts = gate()

    assert counts.validated == 1
    assert [(r, f) for r, f, _ in _quarantine(con)] == [(reason, field)]


def test_a_naive_parquet_timestamp_column_is_rejected(folder: Path, gate: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([good_event("naive")]).drop_columns(["event_time"])
    naive = pa.array([pa.scalar(0, pa.timestamp("us")).as_py()], pa.timestamp("us"))
    pq.write_table(table.append_column("event_time", naive), folder / "naive.parquet")

    _, counts = gate()

    assert counts.reasons == {"naive_timestamp": 1}


def test_typed_parquet_passes_through_with_contract_types(folder: Path, gate: Any) -> None:
    write_parquet(folder / "events.parquet", [good_event("a"), good_event("b", retry_count=2)])

    con, counts = gate()

    assert (counts.validated, counts.quarantined) == (2, 0)
    types = dict(
        con.execute("SELECT column_name, column_type FROM (DESCRIBE validated)").fetchall()
    )
    assert types["event_time"] == "TIMESTAMP WITH TIME ZONE"
    assert (types["latency_ms"], types["retry_count"]) == ("DOUBLE", "BIGINT")


def test_formats_mix_in_one_folder_with_rows_numbered_per_file(folder: Path, gate: Any) -> None:
    write_parquet(folder / "a.parquet", [good_event("p1"), good_event("p2")])
    write_jsonl(folder / "b.jsonl", [good_event("j1")])
    write_csv(folder / "c.csv", [good_event("c1"), good_event("c2")])

    con, counts = gate()

    assert counts.validated == 5
    rows = con.execute("SELECT event_id, source_file, source_row FROM validated").fetchall()
    assert sorted(rows) == [
        ("c1", "2024-05-01/10/c.csv", 2),
        ("c2", "2024-05-01/10/c.csv", 3),
        ("j1", "2024-05-01/10/b.jsonl", 1),
        ("p1", "2024-05-01/10/a.parquet", 1),
        ("p2", "2024-05-01/10/a.parquet", 2),
    ]


def test_late_events_within_lateness_are_accepted_and_flagged(folder: Path, gate: Any) -> None:
    late = good_event("late", event_time="2024-05-01T05:30:00Z")
    write_jsonl(folder / "events.jsonl", [good_event("on_time"), late])

    con, counts = gate(config=GateConfig())

    assert (counts.validated, counts.late) == (2, 1)
    flags = dict(con.execute("SELECT event_id, is_late FROM validated").fetchall())
    assert flags == {"on_time": False, "late": True}


def test_clock_skew_tolerance_accepts_slightly_future_events(folder: Path, gate: Any) -> None:
    write_jsonl(folder / "events.jsonl", [good_event("skewed", event_time="2024-05-01T11:04:00Z")])

    _, counts = gate()

    assert counts.validated == 1


def test_duplicates_within_the_partition_keep_the_first(folder: Path, gate: Any) -> None:
    write_jsonl(folder / "a.jsonl", [good_event("d", step="first"), good_event("d", step="second")])
    write_jsonl(folder / "b.jsonl", [good_event("d", step="third")])

    con, counts = gate()

    assert (counts.validated, counts.duplicates, counts.quarantined) == (1, 2, 0)
    assert con.execute("SELECT step FROM validated").fetchall() == [("first",)]


def test_duplicates_of_already_accepted_ids_are_dropped(folder: Path, gate: Any) -> None:
    write_jsonl(folder / "a.jsonl", [good_event("old"), good_event("new")])

    con, counts = gate(accepted_ids=["old", "elsewhere"])

    assert (counts.validated, counts.duplicates) == (1, 1)
    assert con.execute("SELECT event_id FROM validated").fetchall() == [("new",)]


def test_a_quarantined_row_does_not_claim_its_event_id(folder: Path, gate: Any) -> None:
    write_jsonl(folder / "a.jsonl", [good_event("x", channel="fax"), good_event("x")])

    _, counts = gate()

    assert (counts.validated, counts.quarantined, counts.duplicates) == (1, 1, 0)


def test_unparseable_jsonl_lines_are_kept_as_quarantined_rows(folder: Path, gate: Any) -> None:
    good = write_jsonl(folder / "a.jsonl", [good_event("a")]).read_text()
    (folder / "a.jsonl").write_text(good + "{not json\n[1, 2]\n")

    con, counts = gate()

    assert counts.validated == 1
    assert _quarantine(con) == [("unparseable_line", None, 2), ("unparseable_line", None, 3)]


def test_csv_rows_with_the_wrong_field_count_are_quarantined(folder: Path, gate: Any) -> None:
    path = write_csv(folder / "a.csv", [good_event("a"), good_event("b")])
    path.write_text(path.read_text() + "only,three,fields\n")

    con, counts = gate()

    assert counts.validated == 2
    assert _quarantine(con) == [("unparseable_line", None, 4)]


def test_unknown_fields_are_kept_as_json_in_extra(folder: Path, gate: Any) -> None:
    write_jsonl(folder / "a.jsonl", [good_event("a", browser="firefox", ab={"arm": 2})])
    write_parquet(folder / "b.parquet", [good_event("b", region="eu")])

    con, _ = gate()

    extras = dict(con.execute("SELECT event_id, extra FROM validated").fetchall())
    assert extras == {"a": '{"browser":"firefox","ab":{"arm":2}}', "b": '{"region":"eu"}'}


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.parquet", b"PAR1 not really parquet"), ("notes.txt", b"hello")],
)
def test_an_unreadable_file_is_named_and_the_others_still_read(
    folder: Path, name: str, content: bytes
) -> None:
    import duckdb

    from journeyheal.contract import read_landing_partition

    write_jsonl(folder / "good.jsonl", [good_event("a"), good_event("b")])
    (folder / name).write_bytes(content)

    read = read_landing_partition(duckdb.connect(), folder)

    assert read.rows == 2
    assert read.files_read == ("2024-05-01/10/good.jsonl",)
    assert [path for path, _ in read.unreadable_files] == [f"2024-05-01/10/{name}"]


def test_a_missing_folder_reads_zero_rows(tmp_path: Path) -> None:
    import duckdb

    from journeyheal.contract import read_landing_partition

    read = read_landing_partition(duckdb.connect(), tmp_path / "landing" / "2024-05-01" / "11")

    assert (read.rows, read.files_read, read.unreadable_files) == (0, (), ())


def test_naive_partition_bounds_are_refused(folder: Path) -> None:
    from datetime import datetime

    import duckdb

    from journeyheal.contract import read_landing_partition, validate_events

    con = duckdb.connect()
    read_landing_partition(con, folder)
    with pytest.raises(ValueError, match="timezone-aware"):
        validate_events(
            con,
            "raw",
            partition_start=datetime(2024, 5, 1, 10),
            partition_end=datetime(2024, 5, 1, 11),
            accepted_ids=None,
            config=GateConfig(),
        )
