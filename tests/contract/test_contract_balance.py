"""No row is lost or doubled by the gate, whatever the mix of good, bad and repeated events."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from contract_files import PARTITION_END, PARTITION_START, good_event, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyheal.contract import GateConfig, read_landing_partition, validate_events

BREAKAGES = [
    {},
    {"channel": "fax"},
    {"latency_ms": -3},
    {"event_time": "2024-05-01T10:15:00"},
    {"event_time": "2024-04-30T10:15:00Z"},
    {"schema_version": 7},
    {"customer_id": None},
]

events = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(range(len(BREAKAGES)))),
    max_size=12,
)


@settings(max_examples=25, deadline=None)
@given(mix=events, accepted=st.sets(st.sampled_from(["a", "b", "z"])))
def test_validated_plus_quarantined_plus_duplicates_is_input(
    mix: list[tuple[str, int]], accepted: set[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "landing" / "2024-05-01" / "10"
        folder.mkdir(parents=True)
        write_jsonl(folder / "e.jsonl", [good_event(i, **BREAKAGES[b]) for i, b in mix])
        con = duckdb.connect()
        read_landing_partition(con, folder)
        con.execute("CREATE TEMP TABLE accepted (event_id VARCHAR)")
        con.execute("INSERT INTO accepted SELECT unnest(?::VARCHAR[])", [sorted(accepted)])

        counts = validate_events(
            con,
            "raw",
            partition_start=PARTITION_START,
            partition_end=PARTITION_END,
            accepted_ids="accepted",
            config=GateConfig(),
        )

        assert counts.input_rows == len(mix)
        assert counts.validated + counts.quarantined + counts.duplicates == len(mix)
        assert counts.quarantined == sum(b != 0 for _, b in mix)
        valid_ids = {i for i, b in mix if b == 0}
        assert counts.validated == len(valid_ids - accepted)
        ((distinct,),) = con.execute("SELECT count(DISTINCT event_id) FROM validated").fetchall()
        assert distinct == counts.validated
