"""Pydantic models of repair rules and of the policy that governs them."""

from __future__ import annotations

from datetime import timedelta
from fnmatch import fnmatchcase
from itertools import pairwise
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journeyheal.repairs.durations import Duration

# Domains the policy must always send to a person, whatever the policy file says.
MANDATORY_APPROVAL_DOMAINS = frozenset({"billing", "eligibility", "security"})
SCOPE_FIELDS = ("service", "endpoint", "step", "journey_type", "channel")
HOURS_PER_DAY = 24

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=100)]
Share = Annotated[float, Field(gt=0.0, le=1.0)]
RiskLevel = Literal["low", "medium", "high"]
ActionKind = Literal["feature_flag", "webhook", "customer_outreach"]
IdempotencyScope = Literal["scope", "scope_window", "customer"]


class Strict(BaseModel):
    """Base of every rule and policy model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SignalMatch(Strict):
    """A friction signal by feature-name pattern (glob) and its minimum log-odds contribution."""

    pattern: str = Field(min_length=1)
    min_contribution: float = Field(default=0.0, ge=0.0)

    def matches(self, feature: str, contribution: float) -> bool:
        """True when the feature name fits the pattern and pushes risk up enough."""
        return fnmatchcase(feature, self.pattern) and contribution >= self.min_contribution


class Scope(Strict):
    """Where a rule applies; an omitted field means any value."""

    service: str | None = None
    endpoint: str | None = None
    step: str | None = None
    journey_type: str | None = None
    channel: str | None = None

    def fixed(self) -> dict[str, str]:
        """Only the fields the rule pins down."""
        return {name: value for name in SCOPE_FIELDS if (value := getattr(self, name)) is not None}

    def overlaps(self, other: Scope) -> bool:
        """True when some journey could fall inside both scopes."""
        mine, theirs = self.fixed(), other.fixed()
        return all(theirs.get(name, value) == value for name, value in mine.items())


class Match(Strict):
    """Which scored journeys a rule reacts to, and how many must be affected."""

    signals: list[SignalMatch] = Field(min_length=1)
    scope: Scope = Field(default_factory=Scope)
    min_risk: float = Field(default=0.5, ge=0.0, le=1.0)
    min_journeys: int = Field(default=1, ge=1)


class ExpectedEffect(Strict):
    """The rule author's claim: the share of each affected journey's risk the repair removes."""

    risk_reduction: Share


class FlagParameters(Strict):
    """A feature flag repair: the variant the flag named by the action target is set to."""

    variant: str = Field(min_length=1)


class WebhookParameters(Strict):
    """A webhook repair: the operation the target endpoint is asked to run."""

    operation: str = Field(min_length=1)
    method: Literal["POST", "PUT"] = "POST"


class OutreachParameters(Strict):
    """An outreach repair: the assisted channel offered and the message template."""

    channel: str = Field(min_length=1)
    template: str = Field(min_length=1)


class FlagAction(Strict):
    """Set a flag in the flagd file; target is the flag key."""

    kind: Literal["feature_flag"]
    target: str = Field(min_length=1)
    parameters: FlagParameters


class WebhookAction(Strict):
    """Call a named webhook; target is the webhook name."""

    kind: Literal["webhook"]
    target: str = Field(min_length=1)
    parameters: WebhookParameters


class OutreachAction(Strict):
    """Contact the affected customers; target is the campaign name."""

    kind: Literal["customer_outreach"]
    target: str = Field(min_length=1)
    parameters: OutreachParameters


Action = Annotated[FlagAction | WebhookAction | OutreachAction, Field(discriminator="kind")]


class CanaryPlan(Strict):
    """How a repair is rolled out: traffic share steps and the regression that stops it."""

    start_share: Share
    steps: list[Share] = Field(min_length=1)
    min_journeys: int = Field(ge=1)
    allowed_regression: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _steps_rise_from_start(self) -> Self:
        """Shares only grow, starting at start_share."""
        if self.steps[0] != self.start_share:
            msg = f"steps must begin at start_share={self.start_share}, got {self.steps[0]}"
            raise ValueError(msg)
        if any(later <= earlier for earlier, later in pairwise(self.steps)):
            msg = f"steps must strictly increase, got {self.steps}"
            raise ValueError(msg)
        return self


class Rule(Strict):
    """One repair: what it reacts to, what it does, how it rolls out and how it is undone."""

    id: Identifier
    version: int = Field(ge=1)
    description: str = Field(min_length=1)
    match: Match
    expected_effect: ExpectedEffect
    action: Action
    domain: Identifier
    risk_level: RiskLevel
    canary: CanaryPlan
    compensation: Action | None
    cooldown: Duration
    idempotency_scope: IdempotencyScope
    automatic: bool

    @model_validator(mode="after")
    def _compensation_undoes_action(self) -> Self:
        """A flag repair is undone by setting the same flag to another variant."""
        if self.action.kind != "feature_flag":
            return self
        compensation = self.compensation
        if compensation is None or compensation.kind != "feature_flag":
            msg = "a feature_flag action needs a feature_flag compensation on the same flag"
            raise ValueError(msg)
        if compensation.target != self.action.target:
            msg = f"compensation must target flag {self.action.target!r}"
            raise ValueError(msg)
        if compensation.parameters.variant == self.action.parameters.variant:
            msg = "compensation must set a different variant than the action"
            raise ValueError(msg)
        return self


class HourWindow(Strict):
    """Hours of the day (UTC), start inclusive and end exclusive; may wrap past midnight."""

    start: int = Field(ge=0, lt=HOURS_PER_DAY)
    end: int = Field(ge=0, le=HOURS_PER_DAY)

    def contains(self, hour: int) -> bool:
        """True when the hour falls inside the window."""
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


class AutoApply(Strict):
    """What the policy explicitly allows to run without a person; everything else is denied."""

    action_kinds: list[ActionKind] = Field(default_factory=list)
    domains: list[Identifier] = Field(default_factory=list)
    # Only low-risk repairs may ever be automatic; medium and high always go to a person.
    risk_levels: list[Literal["low"]] = Field(default_factory=list)
    hours_utc: list[HourWindow] = Field(default_factory=list)


class Policy(Strict):
    """Guardrails that win over every rule; deny by default."""

    version: int = Field(ge=1)
    approval_required_domains: list[Identifier]
    max_active_repairs: int = Field(ge=0)
    max_auto_traffic_share: float = Field(ge=0.0, le=1.0)
    outreach_customer_cooldown: Duration
    approval_ttl: Duration
    auto_apply: AutoApply = Field(default_factory=AutoApply)

    @model_validator(mode="after")
    def _sensitive_domains_stay_manual(self) -> Self:
        """Billing, eligibility and security always need approval and are never automatic."""
        missing = MANDATORY_APPROVAL_DOMAINS - set(self.approval_required_domains)
        if missing:
            msg = f"approval_required_domains must include {sorted(missing)}"
            raise ValueError(msg)
        both = set(self.auto_apply.domains) & set(self.approval_required_domains)
        if both:
            msg = f"auto_apply.domains lists domains that require approval: {sorted(both)}"
            raise ValueError(msg)
        if self.approval_ttl <= timedelta(0):
            msg = "approval_ttl must be positive"
            raise ValueError(msg)
        return self

    def requires_approval(self, domain: str) -> bool:
        """True for a domain a person must always approve."""
        return domain in self.approval_required_domains or domain in MANDATORY_APPROVAL_DOMAINS
