"""Ground-truth helpers: expected hazard of the steps still ahead under this hour's conditions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeyheal.simulator.conditions import HourConditions
from journeyheal.simulator.step import draw_step, friction_rate, hazard
from journeyheal.simulator.tables import Tables

MONTE_CARLO_SAMPLES = 400
TOLERANCE_GRID_POINTS = 33
TOLERANCE_GRID_SIGMAS = 4.0


@dataclass(frozen=True)
class Survival:
    """Expected survival per combination, step and tolerance grid point.

    `after[c, g]` is P(no abandonment over the steps after g); `here[c, g]` is the expected
    survival of step g itself, before its friction is known.
    """

    combos: np.ndarray
    log_grid: np.ndarray
    after: np.ndarray
    here: np.ndarray

    def lookup(self, combo: np.ndarray, step: np.ndarray, tolerance_ms: np.ndarray) -> np.ndarray:
        """Survival of the steps after `step`, at each row's tolerance (log-scale interpolation)."""
        return self._interpolate(self.after, combo, step, tolerance_ms)

    def lookup_from(
        self, combo: np.ndarray, step: np.ndarray, tolerance_ms: np.ndarray
    ) -> np.ndarray:
        """Survival of `step` and every later step, as expected before `step` starts."""
        return self._interpolate(self.here * self.after, combo, step, tolerance_ms)

    def _interpolate(
        self, grid: np.ndarray, combo: np.ndarray, step: np.ndarray, tolerance_ms: np.ndarray
    ) -> np.ndarray:
        row = np.searchsorted(self.combos, combo)
        position = np.interp(np.log(tolerance_ms), self.log_grid, np.arange(len(self.log_grid)))
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, len(self.log_grid) - 1)
        share = position - low
        table = grid[row, step]
        rows = np.arange(len(step))
        return table[rows, low] * (1 - share) + table[rows, high] * share


def expected_survival(
    tables: Tables, cond: HourConditions, combos: np.ndarray, rng: np.random.Generator
) -> Survival:
    """Monte Carlo expected hazard for every step, then products over the steps still ahead."""
    behaviour = tables.scenario.behaviour
    tolerance = behaviour.tolerance_ms
    log_grid = np.log(tolerance.median) + np.linspace(
        -TOLERANCE_GRID_SIGMAS, TOLERANCE_GRID_SIGMAS, TOLERANCE_GRID_POINTS
    ) * max(tolerance.sigma, 1e-6)
    grid = np.exp(log_grid)

    n_steps = tables.n_steps
    samples = MONTE_CARLO_SAMPLES
    step = np.repeat(np.tile(np.arange(n_steps), len(combos)), samples)
    combo = np.repeat(combos, n_steps * samples)
    draw = draw_step(tables, cond, step, combo, rng)
    rate = friction_rate(behaviour, draw)

    # Mean hazard over samples at each tolerance grid point: shape (combos, steps, grid).
    expected = hazard(behaviour, rate[:, None], draw.latency_ms[:, None], grid[None, :])
    expected = expected.reshape(len(combos), n_steps, samples, len(grid)).mean(axis=2)

    # Survival of the later steps of the same journey type: reversed cumulative product.
    survive = 1.0 - expected
    after = np.ones_like(survive)
    for g in range(n_steps - 2, -1, -1):
        if not tables.step_last[g]:
            after[:, g] = after[:, g + 1] * survive[:, g + 1]
    return Survival(combos=combos, log_grid=log_grid, after=after, here=survive)
