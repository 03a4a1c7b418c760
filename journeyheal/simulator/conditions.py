"""Fault, remedy and shift effects in force during one hour, per remedy combination."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeyheal.simulator.scenario import Fault
from journeyheal.simulator.tables import Tables, channel_matrix

SECONDS_PER_HOUR = 3600
# dependency_outage splits its magnitude evenly between fast errors and hangs to timeout.
OUTAGE_ERROR_SHARE = 0.5


@dataclass(frozen=True)
class HourConditions:
    """Effect tables indexed by remedy combination (bitmask of remedies on) and service/step."""

    latency_mult: np.ndarray
    error_add: np.ndarray
    timeout_prob: np.ndarray
    stale_mult: np.ndarray
    backtrack_prob: np.ndarray
    channel_mix: np.ndarray
    step_faults: list[str]
    combo_flags: list[str]


def fault_active(fault: Fault, hour_index: int) -> bool:
    """Whether the fault is in force during hour `hour_index` (0 = the scenario's first hour)."""
    onset = int(fault.onset.total_seconds()) // SECONDS_PER_HOUR
    duration = int(fault.duration.total_seconds()) // SECONDS_PER_HOUR
    return onset <= hour_index < onset + duration


def _fault_steps(tables: Tables, fault: Fault) -> np.ndarray:
    """Boolean over global steps: the steps this fault touches."""
    if fault.kind == "ux_regression":
        refs = [
            f"{tables.type_names[t]}/{name}"
            for t, name in zip(tables.step_type, tables.step_names, strict=True)
        ]
        return np.array([fault.target in (ref, ref.split("/", 1)[1]) for ref in refs])

    service = tables.services.index(fault.target)
    calls = (tables.call_service == service).any(axis=1)
    if fault.kind == "stale_data":
        return tables.critical_service == service
    return calls


def hour_conditions(tables: Tables, hour_index: int) -> HourConditions:
    """Build every effect table for one hour from the scenario's faults, remedies and shifts."""
    scenario = tables.scenario
    n_remedies = len(scenario.remedies)
    combos = np.arange(2**n_remedies)
    remedy_on = (combos[:, None] >> np.arange(n_remedies)[None, :]) & 1
    n_services = len(tables.services)

    latency_mult = np.ones((len(combos), n_services))
    error_add = np.zeros((len(combos), n_services))
    timeout_prob = np.zeros((len(combos), n_services))
    stale_mult = np.ones((len(combos), n_services))
    backtrack_prob = np.full(
        (len(combos), tables.n_steps), scenario.behaviour.backtrack_probability
    )
    step_faults: list[list[str]] = [[] for _ in range(tables.n_steps)]

    for fault in scenario.faults:
        if not fault_active(fault, hour_index):
            continue
        for g in np.flatnonzero(_fault_steps(tables, fault)):
            step_faults[g].append(fault.id)

        # Share of the effect left for each combination once its remedies are applied.
        fix = np.array([remedy.fixes.get(fault.id, 0.0) for remedy in scenario.remedies])
        left = np.prod(1.0 - remedy_on * fix[None, :], axis=1) if n_remedies else np.ones(1)
        strength = fault.magnitude * left

        if fault.kind == "ux_regression":
            backtrack_prob[:, _fault_steps(tables, fault)] += strength[:, None]
            continue
        s = tables.services.index(fault.target)
        if fault.kind == "latency_spike":
            latency_mult[:, s] *= 1.0 + (fault.magnitude - 1.0) * left
        elif fault.kind == "stale_data":
            stale_mult[:, s] *= 1.0 + (fault.magnitude - 1.0) * left
        elif fault.kind == "error_burst":
            error_add[:, s] += strength
        elif fault.kind == "timeouts":
            timeout_prob[:, s] += strength
        else:
            error_add[:, s] += OUTAGE_ERROR_SHARE * strength
            timeout_prob[:, s] += (1.0 - OUTAGE_ERROR_SHARE) * strength

    for r, remedy in enumerate(scenario.remedies):
        on = remedy_on[:, r].astype(bool)
        for effect in remedy.side_effects:
            s = tables.services.index(effect.service)
            if effect.kind == "latency":
                latency_mult[on, s] *= effect.magnitude
            else:
                error_add[on, s] += effect.magnitude

    overrides: dict[str, dict[str, float]] = {}
    for shift in scenario.shifts:
        if hour_index >= int(shift.onset.total_seconds()) // SECONDS_PER_HOUR:
            overrides.update(shift.channels)
            for service, factor in shift.latency.items():
                latency_mult[:, tables.services.index(service)] *= factor

    combo_flags = [
        ",".join(remedy.flag for r, remedy in enumerate(scenario.remedies) if remedy_on[c, r])
        for c in combos
    ]
    return HourConditions(
        latency_mult=latency_mult,
        error_add=np.minimum(error_add, 1.0),
        timeout_prob=np.minimum(timeout_prob, 1.0),
        stale_mult=stale_mult,
        backtrack_prob=np.minimum(backtrack_prob, 1.0),
        channel_mix=channel_matrix(scenario, overrides),
        step_faults=[",".join(ids) for ids in step_faults],
        combo_flags=combo_flags,
    )
