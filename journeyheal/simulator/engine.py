"""One simulated hour: arrivals, steps of journeys in flight, events, truth and new state."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from journeyheal.simulator.conditions import HourConditions, hour_conditions
from journeyheal.simulator.flags import evaluate_flag
from journeyheal.simulator.scenario import CHANNELS, HOURS_PER_DAY
from journeyheal.simulator.state import (
    END_COLUMNS,
    EVENT_COLUMNS,
    FLIGHT_COLUMNS,
    US_PER_HOUR,
    US_PER_SECOND,
    Columns,
    SimState,
    concat,
    take,
)
from journeyheal.simulator.step import MAX_BACKTRACKS, StepDraw, draw_step, friction_rate, hazard
from journeyheal.simulator.tables import NO_INDEX, Tables
from journeyheal.simulator.truth import expected_survival

EVENT_TYPES = ("step_view", "step_submit", "api_call", "backtrack", "journey_complete")
VIEW, SUBMIT, CALL, BACKTRACK, COMPLETE = range(len(EVENT_TYPES))
US_PER_MS = 1000

# Independent random streams per hour, so truth sampling never shifts the simulation draws.
SIMULATION_STREAM = 0
TRUTH_STREAM = 1
CUSTOMER_STREAM = 2
TRUTH_SPEC = {
    "journey": np.int64,
    "step": np.int64,
    "time_us": np.int64,
    "hazard": np.float64,
    "p_abandon": np.float64,
    "combo": np.int64,
}


@dataclass(frozen=True)
class HourResult:
    """What one hour produced: rows landing in this hour's files and the state after it."""

    hour: int
    events: Columns
    truth: Columns
    ends: Columns
    conditions: HourConditions
    started: int
    state: SimState


def journey_ids(numbers: np.ndarray) -> list[str]:
    """Journey ids as written in every file: j00000042."""
    return [f"j{number:08d}" for number in numbers.tolist()]


def customer_tolerance(tables: Tables, seed: int) -> np.ndarray:
    """Latency tolerance (ms) of every customer, fixed by the seed."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, CUSTOMER_STREAM]))
    tolerance = tables.scenario.behaviour.tolerance_ms
    return tolerance.median * np.exp(
        tolerance.sigma * rng.standard_normal(tables.scenario.customers)
    )


def _arrival_rate(tables: Tables, hour_start_us: int) -> float:
    arrivals = tables.scenario.arrivals
    hour_of_day = (hour_start_us // US_PER_HOUR) % HOURS_PER_DAY
    if arrivals.daily_profile is not None:
        return arrivals.base_per_hour * arrivals.daily_profile[hour_of_day]
    phase = 2 * math.pi * (hour_of_day + 0.5 - arrivals.peak_hour) / HOURS_PER_DAY
    return arrivals.base_per_hour * (1 + arrivals.amplitude * math.cos(phase))


def _draw_channels(mix: np.ndarray, jtype: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(mix, axis=1)[jtype]
    picked = (rng.random(len(jtype))[:, None] >= cumulative).sum(axis=1)
    return np.minimum(picked, len(CHANNELS) - 1)


def _arrivals(
    tables: Tables, cond: HourConditions, state: SimState, start_us: int, rng: np.random.Generator
) -> Columns:
    count = int(rng.poisson(_arrival_rate(tables, start_us)))
    jtype = rng.choice(len(tables.type_names), size=count, p=tables.type_weights)
    channel = _draw_channels(cond.channel_mix, jtype, rng)
    times = start_us + np.sort(rng.integers(0, US_PER_HOUR, size=count))
    return {
        "journey": state.next_journey + np.arange(count),
        "customer": rng.integers(0, tables.scenario.customers, size=count),
        "jtype": jtype,
        "channel": channel,
        "start_channel": channel.copy(),
        "step": tables.type_first_step[jtype],
        "next_us": times,
        "start_us": times,
    }


def _combos(tables: Tables, flags: dict[str, Any], journeys: np.ndarray) -> np.ndarray:
    """Bitmask of the remedies whose flag is on for each journey."""
    combo = np.zeros(len(journeys), dtype=np.int64)
    ids = journey_ids(journeys)
    for r, remedy in enumerate(tables.scenario.remedies):
        combo |= evaluate_flag(flags, remedy.flag, ids).astype(np.int64) << r
    return combo


def _block(rows: Columns, etype: int, time_us: np.ndarray, **values: np.ndarray) -> Columns:
    """Event columns for rows; call fields default to null (-1 / NaN)."""
    n = len(time_us)
    block = {
        "journey": rows["journey"],
        "customer": rows["customer"],
        "jtype": rows["jtype"],
        "channel": rows["channel"],
        "step": rows["step"],
        "etype": np.full(n, etype),
        "service": np.full(n, NO_INDEX),
        "endpoint": np.full(n, NO_INDEX),
        "latency_ms": np.full(n, np.nan),
        "status": np.full(n, NO_INDEX),
        "retry": np.full(n, NO_INDEX),
        "data_age_s": np.full(n, np.nan),
        "time_us": time_us,
    }
    block.update(values)
    return block


def _step_events(
    tables: Tables, rows: Columns, draw: StepDraw, t0: np.ndarray
) -> tuple[list[Columns], np.ndarray]:
    """Events of one step in generation order, and the time the step's last call returned."""
    behaviour = tables.scenario.behaviour
    pause_us = behaviour.backtrack_pause_s * US_PER_SECOND
    blocks = [_block(rows, VIEW, t0, data_age_s=draw.data_age_s)]

    # Each backtrack is logged, then the step is viewed again.
    for b in range(MAX_BACKTRACKS):
        back = draw.backtracks > b
        sub = take(rows, back)
        blocks.append(_block(sub, BACKTRACK, t0[back] + round((b + 0.5) * pause_us)))
        blocks.append(
            _block(
                sub, VIEW, t0[back] + round((b + 1) * pause_us), data_age_s=draw.data_age_s[back]
            )
        )

    think_us = np.rint(
        (draw.backtracks * behaviour.backtrack_pause_s + draw.think_s) * US_PER_SECOND
    )
    submit = t0 + think_us.astype(np.int64)
    blocks.append(_block(rows, SUBMIT, submit))

    # Calls are logged when they return; latency and status are what the client saw.
    for attempt in draw.attempts:
        sub = take(rows, attempt.rows)
        step = sub["step"]
        blocks.append(
            _block(
                sub,
                CALL,
                submit[attempt.rows] + np.rint(attempt.done_ms * US_PER_MS).astype(np.int64),
                service=tables.call_service[step, attempt.call_slot],
                endpoint=tables.call_endpoint[step, attempt.call_slot],
                latency_ms=attempt.latency_ms,
                status=attempt.status,
                retry=np.full(len(attempt.rows), attempt.retry),
            )
        )
    end = submit + np.rint(draw.calls_ms * US_PER_MS).astype(np.int64)
    return blocks, end


def simulate_hour(
    tables: Tables, state: SimState, flags: dict[str, Any], tolerance: np.ndarray
) -> HourResult:
    """Advance the world by one hour from `state`; pure given its inputs."""
    scenario = tables.scenario
    behaviour = scenario.behaviour
    hour = state.next_hour
    start_us = state.origin_us + hour * US_PER_HOUR
    end_us = start_us + US_PER_HOUR
    rng = np.random.default_rng(np.random.SeedSequence([state.seed, hour, SIMULATION_STREAM]))
    truth_rng = np.random.default_rng(np.random.SeedSequence([state.seed, hour, TRUTH_STREAM]))

    cond = hour_conditions(tables, hour)
    arrivals = _arrivals(tables, cond, state, start_us, rng)
    flight = concat([state.flight, arrivals], FLIGHT_COLUMNS)
    combo = _combos(tables, flags, flight["journey"])
    survival = expected_survival(tables, cond, np.unique(combo), truth_rng)

    alive = np.ones(len(flight["journey"]), dtype=bool)
    event_blocks: list[Columns] = []
    truth_blocks: list[Columns] = []
    end_blocks: list[Columns] = []
    gap_us = round(behaviour.step_gap_s * US_PER_SECOND)

    # Each round moves every journey due before the hour's end through one step.
    while True:
        due = np.flatnonzero(alive & (flight["next_us"] < end_us))
        if due.size == 0:
            break
        step = flight["step"][due]
        k = combo[due]

        switch = (tables.step_index[step] > 0) & (
            rng.random(due.size) < behaviour.channel_switch_probability
        )
        if switch.any():
            jtype = flight["jtype"][due[switch]]
            flight["channel"][due[switch]] = _draw_channels(cond.channel_mix, jtype, rng)

        rows = take(flight, due)
        t0 = rows["next_us"]
        draw = draw_step(tables, cond, step, k, rng)
        blocks, end = _step_events(tables, rows, draw, t0)
        event_blocks.extend(blocks)

        tol = tolerance[rows["customer"]]
        h = hazard(behaviour, friction_rate(behaviour, draw), draw.latency_ms, tol)
        abandoned = rng.random(due.size) < h
        # Two truth rows per step, so the truth never knows more than the events so far: at
        # the step's start the expected hazard of this and later steps, and once its calls
        # have returned (its friction is known) the step's true hazard.
        ahead = survival.lookup_from(k, step, tol)
        after = survival.lookup(k, step, tol)
        truth_blocks.append(
            {
                "journey": rows["journey"],
                "step": step,
                "time_us": t0,
                "hazard": 1.0 - ahead / np.maximum(after, np.finfo(np.float64).tiny),
                "p_abandon": 1.0 - ahead,
                "combo": k,
            }
        )
        truth_blocks.append(
            {
                "journey": rows["journey"],
                "step": step,
                "time_us": end,
                "hazard": h,
                "p_abandon": 1.0 - (1.0 - h) * after,
                "combo": k,
            }
        )

        completed = ~abandoned & tables.step_last[step]
        event_blocks.append(_block(take(rows, completed), COMPLETE, end[completed]))
        finished = abandoned | completed
        end_blocks.append(
            {
                "journey": rows["journey"][finished],
                "customer": rows["customer"][finished],
                "jtype": rows["jtype"][finished],
                "channel": rows["start_channel"][finished],
                "start_us": rows["start_us"][finished],
                "end_us": end[finished],
                "abandoned": abandoned[finished],
                "abandon_step": np.where(abandoned, step, NO_INDEX)[finished],
                "end_hour": (end[finished] - state.origin_us) // US_PER_HOUR,
            }
        )

        alive[due[finished]] = False
        going = due[~finished]
        flight["step"][going] += 1
        flight["next_us"][going] = end[~finished] + gap_us

    events = _finish_events(scenario.late_arrival, state, hour, event_blocks, rng)
    ends = concat([state.ends, *end_blocks], END_COLUMNS)
    now_ends = ends["end_hour"] == hour
    ends_here = take(ends, now_ends)
    ends_here = take(ends_here, np.lexsort((ends_here["journey"], ends_here["end_us"])))
    truth = concat(truth_blocks, TRUTH_SPEC)

    new_state = replace(
        state,
        next_hour=hour + 1,
        next_journey=state.next_journey + len(arrivals["journey"]),
        flight=take(flight, alive),
        events=take(events, events["arrival"] > hour),
        ends=take(ends, ~now_ends),
    )
    here = take(events, events["arrival"] == hour)
    here = take(here, np.lexsort((here["seq"], here["gen_hour"], here["time_us"])))
    return HourResult(hour, here, truth, ends_here, cond, len(arrivals["journey"]), new_state)


def _finish_events(
    late: Any, state: SimState, hour: int, blocks: list[Columns], rng: np.random.Generator
) -> Columns:
    """Number this hour's events, choose late arrivals, and merge with rows still pending."""
    n = sum(len(block["time_us"]) for block in blocks)
    for block in blocks:
        size = len(block["time_us"])
        block["gen_hour"] = np.full(size, hour)
        block["seq"] = np.zeros(size, dtype=np.int64)
        block["arrival"] = np.zeros(size, dtype=np.int64)
    fresh = concat(blocks, EVENT_COLUMNS)
    fresh["seq"] = np.arange(n)

    # A share of one channel's events lands in the folder of the following hour.
    late_channel = CHANNELS.index(late.channel)
    is_late = (fresh["channel"] == late_channel) & (rng.random(n) < late.share)
    fresh["arrival"] = (fresh["time_us"] - state.origin_us) // US_PER_HOUR + is_late
    return concat([state.events, fresh], EVENT_COLUMNS)
