"""Feature health: whether the features behind the scores can be trusted right now."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureHealth:
    """Freshness and drift of the features; unhealthy features forbid automatic repairs."""

    fresh: bool
    drifted: bool
    reason: str = ""

    @property
    def trusted(self) -> bool:
        """True when features are fresh and not drifted."""
        return self.fresh and not self.drifted

    @classmethod
    def healthy(cls) -> FeatureHealth:
        """Fresh, not drifted: the state that allows automatic repairs."""
        return cls(fresh=True, drifted=False, reason="features fresh, no drift")
