"""Time split on journey start: earlier journeys train, later ones validate and test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.config import TIMESTAMP_COLUMN

JOURNEY_COLUMN = "journey_id"


@dataclass(frozen=True)
class TimeSplit:
    """Three disjoint sets of journeys, ordered in time by journey start."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    def windows(self) -> dict[str, dict[str, str]]:
        """First and last snapshot time of each part, ISO strings."""
        return {
            name: {
                "start": str(part[TIMESTAMP_COLUMN].min()),
                "end": str(part[TIMESTAMP_COLUMN].max()),
                "rows": str(len(part)),
                "journeys": str(part[JOURNEY_COLUMN].nunique()),
            }
            for name, part in (
                ("train", self.train),
                ("validation", self.validation),
                ("test", self.test),
            )
        }


def split_by_journey_start(
    frame: pd.DataFrame, train_share: float, validation_share: float
) -> TimeSplit:
    """Split so every journey sits in one part and later journeys come later."""
    if not (train_share > 0 and validation_share > 0 and train_share + validation_share < 1):
        msg = (
            f"train_share={train_share} and validation_share={validation_share} must be "
            "positive and leave a share for the test split"
        )
        raise ValueError(msg)
    for column in (JOURNEY_COLUMN, TIMESTAMP_COLUMN):
        if column not in frame.columns:
            msg = f"training frame lacks column {column!r}"
            raise KeyError(msg)

    # Each journey's start, vectorised: groupby over a million string keys is slow.
    codes, journeys = pd.factorize(frame[JOURNEY_COLUMN])
    stamps = pd.to_datetime(frame[TIMESTAMP_COLUMN], utc=True).dt.tz_localize(None)
    times = stamps.to_numpy(dtype="datetime64[ns]").view(np.int64)
    starts = np.full(len(journeys), np.iinfo(np.int64).max)
    np.minimum.at(starts, codes, times)
    # The journey id breaks ties between equal start times, so the split is reproducible.
    id_rank = np.argsort(np.argsort(np.asarray(journeys, dtype=object), kind="stable"))
    ordered = np.lexsort((id_rank, starts))

    count = len(journeys)
    train_end = int(np.floor(count * train_share))
    validation_end = int(np.floor(count * (train_share + validation_share)))
    if not 0 < train_end < validation_end < count:
        msg = f"{count} journeys are too few to split into train, validation and test"
        raise ValueError(msg)

    part_of_journey = np.empty(count, dtype=np.int8)
    part_of_journey[ordered] = np.repeat(
        [0, 1, 2], [train_end, validation_end - train_end, count - validation_end]
    )
    parts = part_of_journey[codes]
    return TimeSplit(
        train=frame[parts == 0].reset_index(drop=True),
        validation=frame[parts == 1].reset_index(drop=True),
        test=frame[parts == 2].reset_index(drop=True),
    )
