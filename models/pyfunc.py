"""MLflow pyfunc wrapper: predict() returns calibrated abandonment probabilities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
import numpy as np
import pandas as pd

from models.friction_model import FrictionModel

# Name of the artifact folder holding booster.json and layout.json.
MODEL_ARTIFACT = "friction_model"


class FrictionPyfunc(mlflow.pyfunc.PythonModel):
    """Holds no state of its own: the booster and calibration load from JSON artifacts."""

    def __init__(self) -> None:
        self.model: FrictionModel | None = None

    def load_context(self, context: mlflow.pyfunc.PythonModelContext) -> None:
        """Read the booster and calibration from the model's artifacts."""
        self.model = FrictionModel.load(Path(context.artifacts[MODEL_ARTIFACT]))

    def predict(
        self,
        context: mlflow.pyfunc.PythonModelContext,
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> np.ndarray:
        """Calibrated risk per row of model_input."""
        if self.model is None:
            msg = "friction model used before its artifacts were loaded"
            raise RuntimeError(msg)
        return self.model.predict(model_input)
