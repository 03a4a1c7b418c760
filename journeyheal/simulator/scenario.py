"""Scenario YAML files: pydantic models, duration parsing and loading."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, get_args

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

Channel = Literal["web", "mobile_app", "api", "contact_center", "chat"]
CHANNELS: tuple[str, ...] = get_args(Channel)
HOURS_PER_DAY = 24
MAX_CALLS_PER_STEP = 4

_SHORT_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm])\s*$")
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_UNIT_HOURS = {"d": 24.0, "h": 1.0, "m": 1.0 / 60.0}


class ScenarioError(ValueError):
    """A scenario file that cannot be read or does not validate."""


def parse_duration(value: object) -> timedelta:
    """Parse "26h", "30m", "2d" or an ISO 8601 duration such as "PT26H"."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(hours=float(value))
    if not isinstance(value, str):
        raise ValueError(f"expected a duration like '26h' or 'PT26H', got {value!r}")

    short = _SHORT_DURATION.match(value)
    if short:
        return timedelta(hours=float(short.group(1)) * _UNIT_HOURS[short.group(2)])

    iso = _ISO_DURATION.match(value.strip())
    if iso and value.strip() not in ("P", "PT"):
        days, hours, minutes, seconds = (int(part or 0) for part in iso.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"expected a duration like '26h' or 'PT26H', got {value!r}")


def _whole_hours(value: object) -> timedelta:
    duration = parse_duration(value)
    if duration.total_seconds() % 3600 != 0 or duration.total_seconds() < 0:
        raise ValueError(f"duration must be a non-negative whole number of hours, got {value!r}")
    return duration


HourDuration = Annotated[timedelta, BeforeValidator(_whole_hours)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base for all scenario models: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LogNormal(Strict):
    """A positive quantity: median and log-space sigma."""

    median: float = Field(gt=0)
    sigma: float = Field(ge=0)


class Arrivals(Strict):
    """Journeys started per hour: base rate times a daily profile."""

    base_per_hour: float = Field(ge=0)
    daily_profile: list[float] | None = None
    amplitude: float = Field(default=0.0, ge=0, le=1)
    peak_hour: float = Field(default=19.0, ge=0, lt=24)

    @model_validator(mode="after")
    def _profile_has_24_values(self) -> Arrivals:
        if self.daily_profile is not None:
            if len(self.daily_profile) != HOURS_PER_DAY:
                raise ValueError(f"daily_profile needs 24 values, got {len(self.daily_profile)}")
            if any(value < 0 for value in self.daily_profile):
                raise ValueError("daily_profile values must be >= 0")
        return self


class Call(Strict):
    """One service call a step makes when submitted."""

    service: str = Field(min_length=1)
    endpoint: str = Field(min_length=1)
    latency_ms: LogNormal
    error_rate: Probability = 0.0
    timeout_ms: float = Field(gt=0)


class CriticalData(Strict):
    """Data shown on a step whose freshness matters to the customer."""

    service: str = Field(min_length=1)
    age_s: LogNormal
    stale_after_s: float = Field(gt=0)


class Step(Strict):
    """One step of a journey type."""

    name: str = Field(min_length=1)
    think_s: LogNormal
    calls: list[Call] = Field(default_factory=list, max_length=MAX_CALLS_PER_STEP)
    critical_data: CriticalData | None = None


class JourneyType(Strict):
    """A journey type: share of arrivals, channel mix and step sequence."""

    weight: float = Field(gt=0)
    channels: dict[Channel, float] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_steps(self) -> JourneyType:
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"step names must be unique, got {names}")
        if any(weight < 0 for weight in self.channels.values()) or not sum(self.channels.values()):
            raise ValueError("channel weights must be >= 0 and not all zero")
        return self


class Weights(Strict):
    """Hazard weights per unit of friction."""

    latency: float = Field(ge=0)
    error: float = Field(ge=0)
    timeout: float = Field(ge=0)
    stale: float = Field(ge=0)
    backtrack: float = Field(ge=0)


class Behaviour(Strict):
    """How customers react to friction and move through journeys."""

    baseline_hazard: float = Field(ge=0)
    tolerance_ms: LogNormal
    weights: Weights
    backtrack_probability: Probability = 0.0
    backtrack_pause_s: float = Field(default=4.0, ge=0)
    step_gap_s: float = Field(default=2.0, ge=0)
    channel_switch_probability: Probability = 0.0


class Retries(Strict):
    """Failed calls are retried up to max_retries times after a backoff."""

    max_retries: int = Field(default=2, ge=0, le=5)
    backoff_ms: float = Field(default=200.0, ge=0)


class LateArrival(Strict):
    """Share of one channel's events that land in the next hour's folder."""

    channel: Channel = "mobile_app"
    share: Probability = 0.02


FaultKind = Literal[
    "latency_spike", "error_burst", "timeouts", "stale_data", "ux_regression", "dependency_outage"
]


class Fault(Strict):
    """A fault injected from onset (offset from the first hour) for a duration."""

    id: str = Field(min_length=1)
    kind: FaultKind
    target: str = Field(min_length=1)
    onset: HourDuration
    duration: HourDuration
    magnitude: float = Field(gt=0)

    @model_validator(mode="after")
    def _magnitude_fits_kind(self) -> Fault:
        if self.kind in ("latency_spike", "stale_data") and self.magnitude < 1:
            raise ValueError(f"{self.kind} magnitude is a multiplier and must be >= 1")
        if self.kind not in ("latency_spike", "stale_data") and self.magnitude > 1:
            raise ValueError(f"{self.kind} magnitude is a probability and must be <= 1")
        return self


class SideEffect(Strict):
    """Harm a remedy does while on: extra latency (multiplier) or errors (probability)."""

    kind: Literal["latency", "errors"]
    service: str = Field(min_length=1)
    magnitude: float = Field(gt=0)


class Remedy(Strict):
    """A flagd flag whose truthy variant removes shares of fault effects."""

    flag: str = Field(min_length=1)
    fixes: dict[str, Probability] = Field(default_factory=dict)
    side_effects: list[SideEffect] = Field(default_factory=list)


class Shift(Strict):
    """From onset on: new channel mixes per journey type and latency multipliers."""

    onset: HourDuration
    channels: dict[str, dict[Channel, float]] = Field(default_factory=dict)
    latency: dict[str, float] = Field(default_factory=dict)


class Scenario(Strict):
    """A whole simulated world: customers, journeys, faults, remedies, shifts."""

    name: str = Field(min_length=1)
    description: str
    customers: int = Field(gt=0)
    arrivals: Arrivals
    journey_types: dict[str, JourneyType] = Field(min_length=1)
    behaviour: Behaviour
    retries: Retries = Retries()
    late_arrival: LateArrival = LateArrival()
    faults: list[Fault] = Field(default_factory=list)
    remedies: list[Remedy] = Field(default_factory=list, max_length=8)
    shifts: list[Shift] = Field(default_factory=list)

    def services(self) -> list[str]:
        """Every service named by a call or critical data, in first-seen order."""
        seen: dict[str, None] = {}
        for journey in self.journey_types.values():
            for step in journey.steps:
                for call in step.calls:
                    seen.setdefault(call.service)
                if step.critical_data is not None:
                    seen.setdefault(step.critical_data.service)
        return list(seen)

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        services = set(self.services())
        step_refs = {
            f"{type_name}/{step.name}"
            for type_name, journey in self.journey_types.items()
            for step in journey.steps
        }
        step_names = {ref.split("/", 1)[1] for ref in step_refs}

        fault_ids = [fault.id for fault in self.faults]
        if len(set(fault_ids)) != len(fault_ids):
            raise ValueError(f"faults: ids must be unique, got {fault_ids}")
        for i, fault in enumerate(self.faults):
            if fault.kind == "ux_regression":
                if fault.target not in step_refs and fault.target not in step_names:
                    raise ValueError(f"faults[{i}].target: unknown step {fault.target!r}")
            elif fault.target not in services:
                raise ValueError(f"faults[{i}].target: unknown service {fault.target!r}")

        flags = [remedy.flag for remedy in self.remedies]
        if len(set(flags)) != len(flags):
            raise ValueError(f"remedies: flags must be unique, got {flags}")
        for i, remedy in enumerate(self.remedies):
            for fault_id in remedy.fixes:
                if fault_id not in fault_ids:
                    raise ValueError(f"remedies[{i}].fixes: unknown fault id {fault_id!r}")
            for j, effect in enumerate(remedy.side_effects):
                if effect.service not in services:
                    raise ValueError(
                        f"remedies[{i}].side_effects[{j}].service: unknown service "
                        f"{effect.service!r}"
                    )

        for i, shift in enumerate(self.shifts):
            for type_name in shift.channels:
                if type_name not in self.journey_types:
                    raise ValueError(f"shifts[{i}].channels: unknown journey type {type_name!r}")
            for service in shift.latency:
                if service not in services:
                    raise ValueError(f"shifts[{i}].latency: unknown service {service!r}")
        return self


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "<scenario>"
        lines.append(f"{path}: {field}: {item['msg']}")
    return "\n".join(lines)


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario YAML file; errors name the file and the field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read scenario file: {error}") from error
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: invalid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: <scenario>: expected a mapping at top level")

    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(_format_errors(path, error)) from error
