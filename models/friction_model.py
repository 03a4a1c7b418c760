"""A trained friction model: XGBoost booster, its feature layout and the calibration."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from models.calibration import Calibration

BOOSTER_FILE = "booster.json"
LAYOUT_FILE = "layout.json"


def design_matrix(
    frame: pd.DataFrame, features: list[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """The feature columns in training order: numbers as float32, text as fixed categories."""
    missing = [name for name in features if name not in frame.columns]
    if missing:
        msg = f"frame lacks model features {missing}"
        raise KeyError(msg)

    design = frame.loc[:, features].copy()
    for name in features:
        if name in categories:
            # Values unseen in training become missing, which the booster handles.
            design[name] = pd.Categorical(
                design[name].astype("string"), categories=categories[name]
            )
        else:
            design[name] = pd.to_numeric(design[name], errors="raise").astype(np.float32)
    return design


@dataclass
class FrictionModel:
    """Everything needed to score a prefix; saved as two JSON files."""

    booster: xgb.Booster
    features: list[str]
    # Text features: their category list, fixed at training time.
    categories: dict[str, list[str]]
    calibration: Calibration

    def design_matrix(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's input columns as the booster expects them."""
        return design_matrix(frame, self.features, self.categories)

    def margin(self, frame: pd.DataFrame) -> np.ndarray:
        """Raw log-odds from the booster (inplace_predict: no DMatrix copy)."""
        design = self.design_matrix(frame)
        return np.asarray(self.booster.inplace_predict(design, predict_type="margin"))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that the journey will be abandoned."""
        return self.calibration.apply(self.margin(frame))

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Per-feature SHAP contributions (log-odds), one column per feature, bias dropped."""
        design = self.design_matrix(frame)
        matrix = xgb.DMatrix(design, enable_categorical=bool(self.categories))
        contribs = self.booster.predict(matrix, pred_contribs=True)
        return np.asarray(contribs)[:, : len(self.features)]

    def save(self, folder: Path) -> Path:
        """Write booster.json and layout.json into folder; returns folder."""
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / BOOSTER_FILE))
        layout: dict[str, Any] = {
            "features": self.features,
            "categories": self.categories,
            "calibration": self.calibration.to_dict(),
        }
        (folder / LAYOUT_FILE).write_text(json.dumps(layout, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> FrictionModel:
        """Read a model written by save()."""
        booster_path, layout_path = folder / BOOSTER_FILE, folder / LAYOUT_FILE
        for path in (booster_path, layout_path):
            if not path.is_file():
                msg = f"friction model file missing: {path}"
                raise FileNotFoundError(msg)

        booster = xgb.Booster()
        booster.load_model(str(booster_path))
        layout = json.loads(layout_path.read_text(encoding="utf-8"))
        return cls(
            booster=booster,
            features=list(layout["features"]),
            categories={k: list(v) for k, v in layout["categories"].items()},
            calibration=Calibration.from_dict(layout["calibration"]),
        )
