"""Freshness of the online features and the health verdict the repairs read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeyheal.drift.detect import DriftResult, DriftStatus
from journeyheal.drift.health import judge_freshness, judge_health
from journeyheal.repairs.health import FeatureHealth

END = datetime(2026, 1, 2, tzinfo=UTC)
LIMIT = timedelta(minutes=30)


@pytest.mark.parametrize(
    ("newest", "fresh"),
    [
        (END - timedelta(minutes=1), True),
        (END - LIMIT, True),
        (END - LIMIT - timedelta(seconds=1), False),
        (END - timedelta(hours=7), False),
        (None, False),
    ],
)
def test_freshness_against_the_limit(newest: datetime | None, fresh: bool) -> None:
    assert judge_freshness(newest, END, LIMIT).fresh is fresh


def result(status: DriftStatus) -> DriftResult:
    return DriftResult(status, f"{status.value} reason", reference_rows=1, current_rows=1)


FRESH = judge_freshness(END, END, LIMIT)
DRIFTED_BEFORE = FeatureHealth(fresh=True, drifted=True, reason="before")
CALM_BEFORE = FeatureHealth(fresh=True, drifted=False, reason="before")


@pytest.mark.parametrize(
    ("status", "previous", "drifted"),
    [
        (DriftStatus.OK, DRIFTED_BEFORE, False),
        (DriftStatus.DRIFTED, CALM_BEFORE, True),
        (DriftStatus.DATA_QUALITY_FAILURE, CALM_BEFORE, True),
        (DriftStatus.NOT_ENOUGH_DATA, DRIFTED_BEFORE, True),
        (DriftStatus.NOT_ENOUGH_DATA, CALM_BEFORE, False),
    ],
)
def test_health_verdict(status: DriftStatus, previous: FeatureHealth, drifted: bool) -> None:
    health = judge_health(result(status), FRESH, previous)

    assert health.drifted is drifted
    assert health.fresh
    assert f"{status.value} reason" in health.reason


def test_stale_features_are_not_trusted_whatever_the_drift() -> None:
    stale = judge_freshness(END - timedelta(hours=2), END, LIMIT)

    health = judge_health(result(DriftStatus.OK), stale, CALM_BEFORE)

    assert not health.trusted
    assert "over the 0:30:00 limit" in health.reason


def test_online_store_lagging_the_warehouse_makes_features_stale() -> None:
    from journeyheal.featurestore.online_lag import OnlineLag, ViewLag

    expired = ViewLag("journey_prefix", keys=40, missing=3, expired=5, examples=("j1", "j2"))
    lagging = OnlineLag(END, journeys=40, views=(expired,))
    current = OnlineLag(END, journeys=40, views=(ViewLag("journey_prefix", 40, 0, 0, ()),))

    stale = judge_health(result(DriftStatus.OK), FRESH, CALM_BEFORE, lagging)
    fine = judge_health(result(DriftStatus.OK), FRESH, CALM_BEFORE, current)

    assert not stale.fresh
    assert not stale.trusted
    assert "journey_prefix: 3 missing, 5 expired of 40 keys (e.g. j1, j2)" in stale.reason
    assert fine.fresh
    assert fine.trusted
