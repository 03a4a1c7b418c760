"""Vectorised draw of what happens at one journey step: friction, calls, retries, hazard."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeyheal.simulator.conditions import HourConditions
from journeyheal.simulator.scenario import MAX_CALLS_PER_STEP, Behaviour
from journeyheal.simulator.tables import NO_INDEX, Tables

STATUS_OK = 0
STATUS_ERROR = 1
STATUS_TIMEOUT = 2
STATUSES = ("ok", "error", "timeout")
MAX_BACKTRACKS = 3


@dataclass(frozen=True)
class Attempts:
    """One block of call attempts: which rows made them and how they went."""

    rows: np.ndarray
    call_slot: int
    retry: int
    latency_ms: np.ndarray
    status: np.ndarray
    done_ms: np.ndarray


@dataclass(frozen=True)
class StepDraw:
    """Everything drawn for n journeys taking their current step."""

    think_s: np.ndarray
    backtracks: np.ndarray
    data_age_s: np.ndarray
    stale: np.ndarray
    attempts: list[Attempts]
    calls_ms: np.ndarray
    latency_ms: np.ndarray
    errors: np.ndarray
    timeouts: np.ndarray


def _lognormal(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(median.shape))


def draw_step(
    tables: Tables,
    cond: HourConditions,
    step: np.ndarray,
    combo: np.ndarray,
    rng: np.random.Generator,
) -> StepDraw:
    """Draw think time, backtracks, data age and every call attempt for each row."""
    n = len(step)
    think = _lognormal(rng, tables.think_median[step], tables.think_sigma[step])

    # Backtracks: up to MAX_BACKTRACKS, each following the previous with the same probability.
    p_back = cond.backtrack_prob[combo, step]
    backtracks = np.zeros(n, dtype=np.int64)
    going = np.ones(n, dtype=bool)
    for _ in range(MAX_BACKTRACKS):
        going &= rng.random(n) < p_back
        backtracks += going

    critical = tables.critical_service[step]
    shows = critical != NO_INDEX
    age = _lognormal(rng, tables.age_median[step], tables.age_sigma[step])
    age *= cond.stale_mult[combo, np.maximum(critical, 0)]
    age = np.where(shows, age, np.nan)
    stale = shows & (age > tables.stale_after_s[step])

    retries = tables.scenario.retries
    cursor = np.zeros(n)
    latency_total = np.zeros(n)
    errors = np.zeros(n, dtype=np.int64)
    timeouts = np.zeros(n, dtype=np.int64)
    attempts: list[Attempts] = []
    for c in range(MAX_CALLS_PER_STEP):
        service = tables.call_service[step, c]
        pending = service != NO_INDEX
        for retry in range(retries.max_retries + 1):
            rows = np.flatnonzero(pending)
            if rows.size == 0:
                break
            s = service[rows]
            g = step[rows]
            k = combo[rows]
            timeout_ms = tables.call_timeout[g, c]
            latency = _lognormal(rng, tables.call_median[g, c], tables.call_sigma[g, c])
            latency *= cond.latency_mult[k, s]
            hang = rng.random(rows.size) < cond.timeout_prob[k, s]
            timed_out = hang | (latency >= timeout_ms)
            latency = np.where(timed_out, timeout_ms, latency)
            failed = rng.random(rows.size) < np.minimum(
                tables.call_error[g, c] + cond.error_add[k, s], 1
            )
            status = np.where(timed_out, STATUS_TIMEOUT, np.where(failed, STATUS_ERROR, STATUS_OK))

            cursor[rows] += latency
            attempts.append(Attempts(rows, c, retry, latency, status, cursor[rows].copy()))
            latency_total[rows] += latency
            errors[rows] += status == STATUS_ERROR
            timeouts[rows] += status == STATUS_TIMEOUT

            # Failed calls wait a backoff and try again until retries run out.
            again = (status != STATUS_OK) & (retry < retries.max_retries)
            cursor[rows[again]] += retries.backoff_ms
            pending[:] = False
            pending[rows[again]] = True

    return StepDraw(
        think_s=think,
        backtracks=backtracks,
        data_age_s=age,
        stale=stale,
        attempts=attempts,
        calls_ms=cursor,
        latency_ms=latency_total,
        errors=errors,
        timeouts=timeouts,
    )


def friction_rate(behaviour: Behaviour, draw: StepDraw) -> np.ndarray:
    """Hazard rate from everything but latency (latency depends on the customer's tolerance)."""
    weights = behaviour.weights
    return (
        behaviour.baseline_hazard
        + weights.error * draw.errors
        + weights.timeout * draw.timeouts
        + weights.stale * draw.stale
        + weights.backtrack * draw.backtracks
    )


def hazard(
    behaviour: Behaviour, rate: np.ndarray, latency_ms: np.ndarray, tolerance_ms: np.ndarray
) -> np.ndarray:
    """1 - exp(-(rate + w_latency * relative wait beyond tolerance))."""
    over = np.maximum(0.0, latency_ms - tolerance_ms) / tolerance_ms
    return 1.0 - np.exp(-(rate + behaviour.weights.latency * over))
