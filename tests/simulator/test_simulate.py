"""simulate(): determinism, hourly continuation, contract types, faults and remedies."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeyheal.home import Home
from journeyheal.simulator import SimulatorStateError, evaluate_flag, simulate
from journeyheal.simulator.output import EVENT_SCHEMA, JOURNEY_SCHEMA, TRUTH_SCHEMA

START = datetime(2025, 3, 3, tzinfo=UTC)
FLAG = "payment-fallback-routing"
Factory = Callable[..., Path]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def _read(home: Home, pattern: str) -> pd.DataFrame:
    tables = []
    for path in sorted(home.root.glob(pattern)):
        table = pq.read_table(path)
        folder_hour = datetime.strptime(
            f"{path.parent.parent.name} {path.parent.name}", "%Y-%m-%d %H"
        ).replace(tzinfo=UTC)
        tables.append(table.to_pandas().assign(folder_hour=folder_hour))
    return pd.concat(tables, ignore_index=True)


def _canary(percent: int) -> dict[str, object]:
    return {
        "flags": {
            FLAG: {
                "state": "ENABLED",
                "variants": {"on": True, "off": False},
                "defaultVariant": "off",
                "targeting": {"fractional": [["on", percent], ["off", 100 - percent]]},
            }
        }
    }


def test_same_seed_gives_same_bytes(tmp_path: Path, scenario_file: Factory) -> None:
    path = scenario_file()
    first, second = Home(tmp_path / "a"), Home(tmp_path / "b")

    simulate(first, path, START, 4, seed=7)
    simulate(second, path, START, 4, seed=7)

    assert _files(first.root) == _files(second.root)
    assert len(_files(first.root)) == 12


def test_other_seed_gives_other_events(tmp_path: Path, scenario_file: Factory) -> None:
    path = scenario_file()
    first, second = Home(tmp_path / "a"), Home(tmp_path / "b")
    simulate(first, path, START, 1, seed=1)
    simulate(second, path, START, 1, seed=2)
    assert _files(first.root) != _files(second.root)


def test_one_call_equals_hourly_calls(tmp_path: Path, scenario_file: Factory) -> None:
    path = scenario_file()
    whole, hourly = Home(tmp_path / "whole"), Home(tmp_path / "hourly")

    summary = simulate(whole, path, START, 24, seed=3)
    simulate(hourly, path, START, 1, seed=3)
    for _ in range(23):
        simulate(hourly, path, None, 1, seed=3)

    assert summary.hours == 24
    assert summary.last_hour == START + timedelta(hours=23)
    assert _files(whole.root) == _files(hourly.root)
    state = "simulator/state.json"
    assert (whole.root / state).read_text() == (hourly.root / state).read_text()


def test_written_files_match_the_contract(tmp_path: Path, scenario_file: Factory) -> None:
    home = Home(tmp_path / "home")
    summary = simulate(home, scenario_file(), START, 3)

    for path in summary.files:
        schema = pq.read_schema(path)
        expected = {
            "events.parquet": EVENT_SCHEMA,
            "truth.parquet": TRUTH_SCHEMA,
            "journeys.parquet": JOURNEY_SCHEMA,
        }[path.name]
        assert schema.equals(expected), path
    events = _read(home, "landing/*/*/events.parquet")
    assert summary.events_written == len(events)
    assert events["event_id"].is_unique
    assert (events["schema_version"] == 1).all()

    calls = events["event_type"] == "api_call"
    call_fields = ["service", "endpoint", "latency_ms", "status", "retry_count"]
    assert events.loc[calls, call_fields].notna().all().all()
    assert events.loc[~calls, call_fields].isna().all().all()
    assert (events.loc[calls, "latency_ms"] >= 0).all()
    assert set(events.loc[calls, "status"]) <= {"ok", "error", "timeout"}
    assert events.loc[events["data_age_s"].notna(), "event_type"].eq("step_view").all()
    assert set(events["event_type"]) <= {
        "step_view",
        "step_submit",
        "api_call",
        "backtrack",
        "journey_complete",
    }


def test_late_events_are_mobile_and_land_in_the_next_hour(
    tmp_path: Path, scenario_file: Factory
) -> None:
    home = Home(tmp_path / "home")
    simulate(home, scenario_file(), START, 4)
    events = _read(home, "landing/*/*/events.parquet")

    event_hour = events["event_time"].dt.floor("h")
    late = events[event_hour < events["folder_hour"]]
    assert len(late) > 0
    assert (late["channel"] == "mobile_app").all()
    assert (event_hour <= events["folder_hour"]).all()


def test_fault_window_raises_latency_timeouts_and_abandonment(
    tmp_path: Path, scenario_file: Factory
) -> None:
    home = Home(tmp_path / "home")
    simulate(home, scenario_file(), START, 7)
    events = _read(home, "landing/*/*/events.parquet")
    journeys = _read(home, "truth/*/*/journeys.parquet")

    hour = (events["event_time"] - pd.Timestamp(START)) // pd.Timedelta(hours=1)
    in_window = hour.between(2, 4)
    payment = events["service"] == "payment-gateway"
    assert (
        events.loc[payment & in_window, "latency_ms"].mean()
        > 3 * events.loc[payment & ~in_window, "latency_ms"].mean()
    )
    timeouts = events["status"] == "timeout"
    assert timeouts[payment & in_window].mean() > 5 * timeouts[payment & ~in_window].mean() + 0.05

    started = (journeys["start_time"] - pd.Timestamp(START)) // pd.Timedelta(hours=1)
    abandoned = journeys["outcome"] == "abandoned"
    assert abandoned[started.between(2, 4)].mean() > abandoned[started.isin([0, 5])].mean() + 0.15


def test_remedy_flag_mid_run_helps_only_the_journeys_it_reaches(
    tmp_path: Path, scenario_file: Factory
) -> None:
    home = Home(tmp_path / "home")
    path = scenario_file()
    simulate(home, path, START, 3)
    home.flags.write_text(json.dumps(_canary(50)), encoding="utf-8")
    simulate(home, path, None, 2)

    truth = _read(home, "truth/*/*/truth.parquet")
    before = truth["folder_hour"] < START + timedelta(hours=3)
    assert (truth.loc[before, "flags"] == "").all()
    after = truth[~before]
    reached = evaluate_flag(_canary(50), FLAG, after["journey_id"].to_numpy())
    assert (after["flags"] == FLAG).tolist() == reached.tolist()

    payment_steps = after["step"].isin(["payment", "first_payment"]).to_numpy()
    treated = after["hazard"][payment_steps & reached].mean()
    untreated = after["hazard"][payment_steps & ~reached].mean()
    assert treated < untreated / 2

    events = _read(home, "landing/*/*/events.parquet")
    calls = events[
        (events["service"] == "payment-gateway")
        & (events["event_time"] >= pd.Timestamp(START + timedelta(hours=3)))
        & (events["event_time"] < pd.Timestamp(START + timedelta(hours=5)))
    ]
    on = evaluate_flag(_canary(50), FLAG, calls["journey_id"].to_numpy())
    assert calls["latency_ms"][on].mean() < calls["latency_ms"][~on].mean() / 2


def test_a_ten_percent_canary_reaches_ten_percent_of_the_simulated_journeys(
    tmp_path: Path, scenario_file: Factory
) -> None:
    home = Home(tmp_path / "home").ensure()
    home.flags.write_text(json.dumps(_canary(10)), encoding="utf-8")

    def busier(data: dict[str, Any]) -> None:
        # about 6,000 journeys: 10% then has a standard error of 0.4 points, well inside 2
        data["arrivals"]["base_per_hour"] = 2000

    simulate(home, scenario_file(busier), START, 3)

    truth = _read(home, "truth/*/*/truth.parquet")
    reached = truth.groupby("journey_id")["flags"].agg(lambda flags: (flags == FLAG).any())
    assert len(reached) > 4000
    assert abs(reached.mean() - 0.10) <= 0.02


def test_continuing_needs_state(tmp_path: Path, scenario_file: Factory) -> None:
    with pytest.raises(SimulatorStateError, match="no saved simulator state"):
        simulate(Home(tmp_path / "home"), scenario_file(), None, 1)


@pytest.mark.parametrize(
    ("start", "seed", "message"),
    [
        (START + timedelta(hours=5), 0, "continues at"),
        (START + timedelta(hours=2), 9, "seed 0"),
        (None, 9, "seed 0"),
    ],
)
def test_mismatched_continuation_is_refused(
    tmp_path: Path, scenario_file: Factory, start: datetime | None, seed: int, message: str
) -> None:
    home = Home(tmp_path / "home")
    path = scenario_file()
    simulate(home, path, START, 2, seed=0)
    with pytest.raises(SimulatorStateError, match=message):
        simulate(home, path, start, 1, seed=seed)


def test_other_scenario_is_refused_and_reset_starts_over(
    tmp_path: Path, scenario_file: Factory
) -> None:
    home = Home(tmp_path / "home")
    simulate(home, scenario_file(), START, 2)
    other = scenario_file(lambda data: data.update(name="other"), "other.yaml")

    with pytest.raises(SimulatorStateError, match="other"):
        simulate(home, other, START + timedelta(hours=2), 1)
    summary = simulate(home, other, START + timedelta(days=1), 1, reset=True)

    assert summary.first_hour == START + timedelta(days=1)
    assert len(list(home.landing.rglob("events.parquet"))) == 1


@pytest.mark.parametrize(
    "start",
    [datetime(2025, 3, 3), datetime(2025, 3, 3, 0, 30, tzinfo=UTC)],
)
def test_start_must_be_utc_hour(tmp_path: Path, scenario_file: Factory, start: datetime) -> None:
    with pytest.raises(ValueError, match="start must be"):
        simulate(Home(tmp_path / "home"), scenario_file(), start, 1)


def test_event_schema_is_the_contract() -> None:
    assert EVENT_SCHEMA.names[0] == "event_id"
    assert EVENT_SCHEMA.field("event_time").type == pa.timestamp("us", tz="UTC")
    assert EVENT_SCHEMA.field("retry_count").type == pa.int64()


def test_truth_knows_no_more_than_the_events_so_far(tmp_path: Path, scenario_file: Factory) -> None:
    home = Home(tmp_path / "home")
    simulate(home, scenario_file(), START, 3, seed=3)
    truth = _read(home, "truth/*/*/truth.parquet")
    events = _read(home, "landing/*/*/events.parquet")

    # Each truth row is dated at an event of its journey: the step's view, or its last call.
    # (Late events of the last hour land in the next hour's folder, not written yet.)
    written = truth[truth["event_time"] < START + timedelta(hours=2)]
    known = set(zip(events["journey_id"], events["event_time"], strict=True))
    dated = [key in known for key in zip(written["journey_id"], written["event_time"], strict=True)]
    assert all(dated)

    # Two rows per step reached: the expectation before it, the outcome after it.
    per_step = truth.groupby(["journey_id", "step"]).size()
    assert (per_step == 2).all()
    assert truth["p_abandon"].between(0, 1).all()
