"""The feature views: entity keys, timestamp column and typed, described features of each.

This is the one definition that the Feast repository and the Dagster asset metadata read, and
that the tests hold the computed tables to (same columns, same order).
"""

from __future__ import annotations

from dataclasses import dataclass

from journeyheal.friction.config import FrictionConfig

TIMESTAMP_COLUMN = "event_timestamp"
STRING = "string"
INT64 = "int64"
FLOAT64 = "float64"
SECONDS_PER_MINUTE = 60

JOURNEY_PREFIX = "journey_prefix"
SERVICE_HEALTH = "service_health"
STEP_FRICTION = "step_friction"
CUSTOMER_HISTORY = "customer_history"


@dataclass(frozen=True)
class Feature:
    """One feature column: its dtype (string, int64 or float64) and what it measures."""

    dtype: str
    description: str


@dataclass(frozen=True)
class FeatureView:
    """One feature table: which rows it keys on, when each row is valid from, its features."""

    name: str
    table: str
    description: str
    entity_columns: tuple[str, ...]
    timestamp_column: str
    features: dict[str, Feature]

    @property
    def columns(self) -> list[str]:
        """Column order of the computed table: entity keys, timestamp, features."""
        return [*self.entity_columns, self.timestamp_column, *self.features]


def window_label(seconds: int) -> str:
    """Column suffix of a window length: whole minutes as "5m", anything else as "90s"."""
    if seconds % SECONDS_PER_MINUTE == 0:
        return f"{seconds // SECONDS_PER_MINUTE}m"
    return f"{seconds}s"


def _journey_prefix() -> FeatureView:
    features = {
        "customer_id": Feature(STRING, "Customer of the journey (join key of customer_history)."),
        "journey_type": Feature(STRING, "Kind of journey, e.g. checkout."),
        "channel": Feature(STRING, "Channel of the latest event."),
        "step": Feature(STRING, "Step of the latest event (join key of step_friction)."),
        "service": Feature(STRING, "Service of the latest api call (service_health join key)."),
        "endpoint": Feature(STRING, "Endpoint of the latest api call (service_health join key)."),
        "elapsed_s": Feature(FLOAT64, "Seconds since the journey's first event."),
        "steps_reached": Feature(INT64, "Distinct steps seen so far."),
        "step_index": Feature(INT64, "1-based rank of the current step by first appearance."),
        "error_count": Feature(INT64, "Api calls that returned an error so far."),
        "timeout_count": Feature(INT64, "Api calls that timed out so far."),
        "retry_count": Feature(INT64, "Retries made by api calls so far."),
        "backtrack_count": Feature(INT64, "Backtrack events so far."),
        "repeated_step_count": Feature(INT64, "Step views of a step already viewed before."),
        "latency_last_ms": Feature(FLOAT64, "Latency of the latest api call; NULL before any."),
        "latency_max_ms": Feature(FLOAT64, "Highest api latency so far; NULL before any call."),
        "latency_mean_ms": Feature(FLOAT64, "Mean api latency so far; NULL before any call."),
        "latency_over_tolerance_share": Feature(
            FLOAT64, "Share of api calls slower than the latency tolerance; NULL before any."
        ),
        "data_age_max_s": Feature(FLOAT64, "Oldest data shown so far, seconds; NULL if none."),
        "channel_switches": Feature(INT64, "Times the channel changed between events."),
        "time_since_last_event_s": Feature(
            FLOAT64, "Seconds since the previous event time; NULL at the first."
        ),
    }
    return FeatureView(
        name=JOURNEY_PREFIX,
        table="journey_prefix_features",
        description="State of a journey in flight as of each of its event times.",
        entity_columns=("journey_id",),
        timestamp_column=TIMESTAMP_COLUMN,
        features=features,
    )


def _service_health(config: FrictionConfig) -> FeatureView:
    features: dict[str, Feature] = {}
    for seconds in (config.health_short_window_s, config.health_long_window_s):
        span = window_label(seconds)
        features |= {
            f"request_count_{span}": Feature(INT64, f"Api calls in the last {span}."),
            f"latency_p50_ms_{span}": Feature(FLOAT64, f"Median api latency over {span}."),
            f"latency_p95_ms_{span}": Feature(FLOAT64, f"95th percentile api latency over {span}."),
            f"error_rate_{span}": Feature(FLOAT64, f"Share of api calls in error over {span}."),
            f"timeout_rate_{span}": Feature(FLOAT64, f"Share of api calls timed out over {span}."),
            f"staleness_p95_s_{span}": Feature(
                FLOAT64, f"95th percentile age of data the service served over {span}."
            ),
        }
    return FeatureView(
        name=SERVICE_HEALTH,
        table="service_health_features",
        description="Rolling health of each service endpoint at every grid time with traffic.",
        entity_columns=("service", "endpoint"),
        timestamp_column=TIMESTAMP_COLUMN,
        features=features,
    )


def _step_friction(config: FrictionConfig) -> FeatureView:
    span = window_label(config.step_window_s)
    features = {
        f"step_views_{span}": Feature(INT64, f"Views of the step over {span}."),
        f"backtrack_rate_{span}": Feature(FLOAT64, f"Backtracks per view of the step over {span}."),
        f"call_failure_rate_{span}": Feature(
            FLOAT64, f"Share of the step's api calls failed or timed out over {span}."
        ),
        f"median_time_on_step_s_{span}": Feature(
            FLOAT64, f"Median seconds from a view of the step to the next view, over {span}."
        ),
    }
    return FeatureView(
        name=STEP_FRICTION,
        table="step_friction_features",
        description="Rolling friction of each step of each journey type.",
        entity_columns=("journey_type", "step"),
        timestamp_column=TIMESTAMP_COLUMN,
        features=features,
    )


def _customer_history() -> FeatureView:
    features = {
        "prior_journeys": Feature(INT64, "Journeys the customer started before."),
        "prior_abandonments": Feature(INT64, "Earlier journeys known to be abandoned by then."),
        "prior_completions": Feature(INT64, "Earlier journeys completed before."),
        "prior_abandonment_rate": Feature(
            FLOAT64, "prior_abandonments / prior_journeys; NULL for a first journey."
        ),
    }
    return FeatureView(
        name=CUSTOMER_HISTORY,
        table="customer_history_features",
        description="What is known of a customer's earlier journeys when a journey starts.",
        entity_columns=("customer_id",),
        timestamp_column=TIMESTAMP_COLUMN,
        features=features,
    )


def feature_views(config: FrictionConfig | None = None) -> dict[str, FeatureView]:
    """Every feature view by name; window lengths in column names follow `config`."""
    config = config or FrictionConfig()
    views = (
        _journey_prefix(),
        _service_health(config),
        _step_friction(config),
        _customer_history(),
    )
    return {view.name: view for view in views}
