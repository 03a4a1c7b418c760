"""Probability calibration kept as plain numbers (no pickles): Platt or isotonic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from models.config import CalibrationMethod

# Effectively unregularised Platt scaling: only two numbers are fitted.
PLATT_INVERSE_REGULARISATION = 1e6


@dataclass(frozen=True)
class Calibration:
    """Maps the booster's raw margin (log-odds) to a calibrated probability."""

    method: CalibrationMethod
    slope: float = 1.0
    intercept: float = 0.0
    # Isotonic: the fitted step function as (margin, probability) knots.
    knots_x: list[float] = field(default_factory=list)
    knots_y: list[float] = field(default_factory=list)

    def apply(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw margins."""
        margin = np.asarray(margin, dtype=np.float64)
        if self.method == "platt":
            return 1.0 / (1.0 + np.exp(-(self.slope * margin + self.intercept)))
        return np.interp(margin, self.knots_x, self.knots_y)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "method": self.method,
            "slope": self.slope,
            "intercept": self.intercept,
            "knots_x": self.knots_x,
            "knots_y": self.knots_y,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """Inverse of to_dict; unknown methods are refused."""
        method = data.get("method")
        if method not in ("platt", "isotonic"):
            msg = f"calibration method must be 'platt' or 'isotonic', got {method!r}"
            raise ValueError(msg)
        return cls(
            method=method,
            slope=float(data.get("slope", 1.0)),
            intercept=float(data.get("intercept", 0.0)),
            knots_x=[float(x) for x in data.get("knots_x", [])],
            knots_y=[float(y) for y in data.get("knots_y", [])],
        )


def fit_calibration(
    margin: np.ndarray, label: np.ndarray, method: CalibrationMethod
) -> Calibration:
    """Fit the calibration on held-out (validation) margins and labels."""
    margin = np.asarray(margin, dtype=np.float64)
    label = np.asarray(label, dtype=np.int64)
    if len(np.unique(label)) < 2:
        msg = "calibration needs both classes in the validation split"
        raise ValueError(msg)

    if method == "platt":
        regression = LogisticRegression(C=PLATT_INVERSE_REGULARISATION)
        regression.fit(margin.reshape(-1, 1), label)
        return Calibration(
            method="platt",
            slope=float(regression.coef_[0, 0]),
            intercept=float(regression.intercept_[0]),
        )

    isotonic = IsotonicRegression(out_of_bounds="clip", increasing=True)
    isotonic.fit(margin, label)
    return Calibration(
        method="isotonic",
        knots_x=[float(x) for x in isotonic.X_thresholds_],
        knots_y=[float(y) for y in isotonic.y_thresholds_],
    )
