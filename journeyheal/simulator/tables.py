"""A scenario compiled into numpy lookup tables indexed by global step number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeyheal.simulator.scenario import CHANNELS, MAX_CALLS_PER_STEP, Scenario

NO_INDEX = -1


@dataclass(frozen=True)
class Tables:
    """Flat arrays over every step of every journey type (global step index g)."""

    scenario: Scenario
    services: list[str]
    endpoints: list[str]
    type_names: list[str]
    step_names: list[str]
    step_type: np.ndarray
    step_index: np.ndarray
    step_last: np.ndarray
    type_first_step: np.ndarray
    think_median: np.ndarray
    think_sigma: np.ndarray
    critical_service: np.ndarray
    age_median: np.ndarray
    age_sigma: np.ndarray
    stale_after_s: np.ndarray
    call_service: np.ndarray
    call_endpoint: np.ndarray
    call_median: np.ndarray
    call_sigma: np.ndarray
    call_error: np.ndarray
    call_timeout: np.ndarray
    type_weights: np.ndarray
    channel_mix: np.ndarray

    @property
    def n_steps(self) -> int:
        return len(self.step_names)


def channel_matrix(scenario: Scenario, overrides: dict[str, dict[str, float]]) -> np.ndarray:
    """Rows of normalised channel weights per journey type (columns follow CHANNELS)."""
    mix = np.zeros((len(scenario.journey_types), len(CHANNELS)))
    for t, (name, journey) in enumerate(scenario.journey_types.items()):
        weights = overrides.get(name, journey.channels)
        for channel, weight in weights.items():
            mix[t, CHANNELS.index(channel)] = weight
        mix[t] /= mix[t].sum()
    return mix


def compile_tables(scenario: Scenario) -> Tables:
    """Turn the validated scenario into arrays the engine gathers from."""
    services = scenario.services()
    endpoints: list[str] = []
    steps = [
        (t, i, step)
        for t, journey in enumerate(scenario.journey_types.values())
        for i, step in enumerate(journey.steps)
    ]
    n = len(steps)
    calls_shape = (n, MAX_CALLS_PER_STEP)
    call_service = np.full(calls_shape, NO_INDEX, dtype=np.int64)
    call_endpoint = np.full(calls_shape, NO_INDEX, dtype=np.int64)
    call_median = np.ones(calls_shape)
    call_sigma = np.zeros(calls_shape)
    call_error = np.zeros(calls_shape)
    call_timeout = np.ones(calls_shape)
    critical_service = np.full(n, NO_INDEX, dtype=np.int64)
    age_median = np.ones(n)
    age_sigma = np.zeros(n)
    stale_after = np.ones(n)

    for g, (_, _, step) in enumerate(steps):
        for c, call in enumerate(step.calls):
            if call.endpoint not in endpoints:
                endpoints.append(call.endpoint)
            call_service[g, c] = services.index(call.service)
            call_endpoint[g, c] = endpoints.index(call.endpoint)
            call_median[g, c] = call.latency_ms.median
            call_sigma[g, c] = call.latency_ms.sigma
            call_error[g, c] = call.error_rate
            call_timeout[g, c] = call.timeout_ms
        if step.critical_data is not None:
            critical_service[g] = services.index(step.critical_data.service)
            age_median[g] = step.critical_data.age_s.median
            age_sigma[g] = step.critical_data.age_s.sigma
            stale_after[g] = step.critical_data.stale_after_s

    step_type = np.array([t for t, _, _ in steps], dtype=np.int64)
    lengths = np.bincount(step_type, minlength=len(scenario.journey_types))
    weights = np.array([journey.weight for journey in scenario.journey_types.values()])
    return Tables(
        scenario=scenario,
        services=services,
        endpoints=endpoints,
        type_names=list(scenario.journey_types),
        step_names=[step.name for _, _, step in steps],
        step_type=step_type,
        step_index=np.array([i for _, i, _ in steps], dtype=np.int64),
        step_last=np.array([i == lengths[t] - 1 for t, i, _ in steps]),
        type_first_step=np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64),
        think_median=np.array([step.think_s.median for _, _, step in steps]),
        think_sigma=np.array([step.think_s.sigma for _, _, step in steps]),
        critical_service=critical_service,
        age_median=age_median,
        age_sigma=age_sigma,
        stale_after_s=stale_after,
        call_service=call_service,
        call_endpoint=call_endpoint,
        call_median=call_median,
        call_sigma=call_sigma,
        call_error=call_error,
        call_timeout=call_timeout,
        type_weights=weights / weights.sum(),
        channel_mix=channel_matrix(scenario, {}),
    )
