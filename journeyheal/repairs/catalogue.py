"""Loading and validating the repair catalogue: every problem is collected, none is skipped."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from journeyheal.repairs.models import MANDATORY_APPROVAL_DOMAINS, ActionKind, Policy, Rule
from journeyheal.repairs.paths import DEFAULT_POLICY_FILE, DEFAULT_RULES_DIR

RULE_SUFFIXES = (".yaml", ".yml")
DIGEST_CHARS = 16
ACTION_FIELDS = ("action", "compensation")
ACTION_KINDS = get_args(ActionKind)


@dataclass(frozen=True)
class Issue:
    """One problem a person must fix: which file, which rule, which field, and what."""

    file: Path
    rule_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"rule {self.rule_id!r}: " if self.rule_id else ""
        return f"{self.file}: {where}{self.field}: {self.message}"


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule with the file it came from and a digest of its content."""

    rule: Rule
    path: Path
    digest: str


@dataclass(frozen=True)
class LoadedPolicy:
    """The validated policy and its version: a hash of the policy file's bytes."""

    policy: Policy
    path: Path
    version: str


@dataclass(frozen=True)
class Catalogue:
    """Rules and policy as loaded, with every issue found on the way."""

    rules: tuple[LoadedRule, ...]
    policy: LoadedPolicy | None
    issues: tuple[Issue, ...]

    def rule(self, rule_id: str) -> LoadedRule | None:
        """The rule with this id, if the catalogue has it."""
        return next((loaded for loaded in self.rules if loaded.rule.id == rule_id), None)


class CatalogueError(ValueError):
    """A catalogue with issues; the message lists every one."""

    def __init__(self, issues: tuple[Issue, ...]) -> None:
        self.issues = issues
        lines = "\n".join(f"  {issue}" for issue in issues)
        super().__init__(f"{len(issues)} problem(s) in the repair catalogue:\n{lines}")


def content_digest(model: BaseModel) -> str:
    """A stable short hash of a model's content."""
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_CHARS]


def _field_path(error: dict[str, Any]) -> str:
    """Dotted location of a pydantic error; a bad union tag points at the discriminator."""
    loc = [str(part) for part in error["loc"]]
    # Discriminated unions put the tag (e.g. "feature_flag") in the location: leave it out.
    parts = [
        part
        for index, part in enumerate(loc)
        if not (index and loc[index - 1] in ACTION_FIELDS and part in ACTION_KINDS)
    ]
    if error["type"] == "union_tag_invalid":
        parts.append(str(error["ctx"]["discriminator"]).strip("'"))
    return ".".join(parts) or "(whole document)"


def _validation_issues(
    error: ValidationError, path: Path, rule_id: str | None, prefix: str = ""
) -> list[Issue]:
    return [
        Issue(path, rule_id, prefix + _field_path(detail), detail["msg"])
        for detail in error.errors(include_url=False)
    ]


def _read_yaml(path: Path) -> tuple[Any, list[Issue]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except (OSError, yaml.YAMLError) as error:
        return None, [Issue(path, None, "(file)", f"cannot read YAML: {error}")]


def load_policy(path: Path) -> tuple[LoadedPolicy | None, list[Issue]]:
    """The policy file, or the issues that stop it from loading."""
    raw, issues = _read_yaml(path)
    if issues:
        return None, issues
    if not isinstance(raw, dict):
        return None, [Issue(path, None, "(whole document)", "expected a mapping of policy fields")]

    try:
        policy = Policy.model_validate(raw)
    except ValidationError as error:
        return None, _validation_issues(error, path, None)
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_CHARS]
    return LoadedPolicy(policy, path, version), []


def _rule_documents(raw: Any, path: Path) -> tuple[list[tuple[str, Any]], list[Issue]]:
    """(field prefix, document) pairs: a file holds one rule or a list of rules."""
    if isinstance(raw, dict):
        return [("", raw)], []
    if isinstance(raw, list) and raw:
        return [(f"[{index}].", item) for index, item in enumerate(raw)], []
    return [], [Issue(path, None, "(whole document)", "expected a rule mapping or a list of them")]


def load_rule_file(path: Path) -> tuple[list[LoadedRule], list[Issue]]:
    """Every rule in one file, and an issue for each field that fails validation."""
    raw, issues = _read_yaml(path)
    if issues:
        return [], issues
    documents, issues = _rule_documents(raw, path)

    rules: list[LoadedRule] = []
    for prefix, document in documents:
        rule_id = document.get("id") if isinstance(document, dict) else None
        try:
            rule = Rule.model_validate(document)
        except ValidationError as error:
            issues.extend(_validation_issues(error, path, rule_id, prefix))
            continue
        rules.append(LoadedRule(rule, path, content_digest(rule)))
    return rules, issues


def find_duplicates(rules: list[LoadedRule]) -> list[Issue]:
    """Rule ids must be unique across the catalogue."""
    issues, seen = [], {}
    for loaded in rules:
        first = seen.setdefault(loaded.rule.id, loaded)
        if first is not loaded:
            message = f"id already used in {first.path}"
            issues.append(Issue(loaded.path, loaded.rule.id, "id", message))
    return issues


def find_conflicts(rules: list[LoadedRule]) -> list[Issue]:
    """Two rules that would set one target to different values for overlapping scopes."""
    issues = []
    for first, second in combinations(rules, 2):
        one, two = first.rule, second.rule
        same_target = (one.action.kind, one.action.target) == (two.action.kind, two.action.target)
        if not same_target or not one.match.scope.overlaps(two.match.scope):
            continue
        if one.action.parameters == two.action.parameters:
            continue
        message = (
            f"conflicts with rule {one.id!r} ({first.path.name}): both set {one.action.kind} "
            f"{one.action.target!r} for overlapping scopes {one.match.scope.fixed()} and "
            f"{two.match.scope.fixed()} to different values "
            f"({one.action.parameters.model_dump()} vs {two.action.parameters.model_dump()})"
        )
        issues.append(Issue(second.path, two.id, "action", message))
    return issues


def find_automatic_sensitive(rules: list[LoadedRule], policy: Policy | None) -> list[Issue]:
    """Rules in a domain that always needs approval may not ask to be automatic."""
    issues = []
    for loaded in rules:
        rule = loaded.rule
        sensitive = (
            policy.requires_approval(rule.domain)
            if policy
            else rule.domain in MANDATORY_APPROVAL_DOMAINS
        )
        if rule.automatic and sensitive:
            message = (
                f"domain {rule.domain!r} always needs a person's approval; "
                "set automatic: false (the rule can only be recommended)"
            )
            issues.append(Issue(loaded.path, rule.id, "automatic", message))
    return issues


def load_catalogue(
    rules_dir: Path = DEFAULT_RULES_DIR, policy_file: Path = DEFAULT_POLICY_FILE
) -> Catalogue:
    """Load rules and policy, collecting every issue rather than stopping at the first."""
    policy, issues = load_policy(policy_file)

    files = sorted(path for path in rules_dir.glob("*") if path.suffix in RULE_SUFFIXES)
    if not rules_dir.is_dir():
        issues.append(Issue(rules_dir, None, "(folder)", "rules folder does not exist"))
    elif not files:
        issues.append(Issue(rules_dir, None, "(folder)", "no rule files (*.yaml) found"))

    rules: list[LoadedRule] = []
    for path in files:
        loaded, file_issues = load_rule_file(path)
        rules.extend(loaded)
        issues.extend(file_issues)

    issues.extend(find_duplicates(rules))
    issues.extend(find_conflicts(rules))
    issues.extend(find_automatic_sensitive(rules, policy.policy if policy else None))
    return Catalogue(tuple(rules), policy, tuple(issues))


def load_valid_catalogue(
    rules_dir: Path = DEFAULT_RULES_DIR, policy_file: Path = DEFAULT_POLICY_FILE
) -> Catalogue:
    """The catalogue, or CatalogueError listing every issue when there is any."""
    catalogue = load_catalogue(rules_dir, policy_file)
    if catalogue.issues or catalogue.policy is None:
        raise CatalogueError(catalogue.issues)
    return catalogue
