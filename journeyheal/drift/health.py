"""Feature health from one drift check: are the features fresh, and can they be trusted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from journeyheal.drift.detect import DriftResult, DriftStatus
from journeyheal.repairs.health import FeatureHealth

if TYPE_CHECKING:
    from journeyheal.featurestore.online_lag import OnlineLag


@dataclass(frozen=True)
class Freshness:
    """Age of the newest online feature row at the end of a window, against its limit."""

    fresh: bool
    age: timedelta | None
    limit: timedelta
    reason: str


def judge_freshness(newest: datetime | None, window_end: datetime, limit: timedelta) -> Freshness:
    """Feast applies no TTL on online reads, so the age of the newest row is checked here."""
    if newest is None:
        return Freshness(False, None, limit, f"no feature rows at or before {window_end}")

    age = window_end - newest
    fresh = age <= limit
    verdict = "within" if fresh else "over"
    reason = f"newest feature row is {age} old at {window_end}, {verdict} the {limit} limit"
    return Freshness(fresh, age, limit, reason)


def judge_health(
    result: DriftResult,
    freshness: Freshness,
    previous: FeatureHealth,
    online: OnlineLag | None = None,
) -> FeatureHealth:
    """Health after one check; a window too small to judge keeps the last drift verdict.

    Features are fresh when the warehouse's newest row is within the limit and, when the
    online store was probed, no key of the journeys in flight is missing or expired there.
    """
    if result.status is DriftStatus.NOT_ENOUGH_DATA:
        drifted = previous.drifted
        drift_reason = f"drift not judged ({result.reason}); last verdict kept"
    else:
        # Broken features are no more trustworthy than drifted ones.
        drifted = result.status in (DriftStatus.DRIFTED, DriftStatus.DATA_QUALITY_FAILURE)
        drift_reason = f"drift check says {result.status.value}: {result.reason}"
    fresh = freshness.fresh
    fresh_reason = freshness.reason
    if online is not None:
        fresh = fresh and online.current
        fresh_reason = f"{fresh_reason}; {online.reason}"
    return FeatureHealth(
        fresh=fresh,
        drifted=drifted,
        reason=f"freshness: {fresh_reason}; {drift_reason}",
    )
