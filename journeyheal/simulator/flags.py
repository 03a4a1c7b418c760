"""OpenFeature flagd flag files: loading and per-journey evaluation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mmh3
import numpy as np

INT32_MAX = 2**31 - 1
PERCENT = 100.0
TARGETING_KEY_VAR = {"var": "targetingKey"}


class FlagError(ValueError):
    """A flag file or flag definition the evaluator cannot use."""


def load_flags(path: Path | str) -> dict[str, Any]:
    """Read a flagd JSON file; a missing file means no flags (all off)."""
    path = Path(path)
    if not path.exists():
        return {"flags": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise FlagError(f"{path}: malformed flag JSON: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("flags", {}), dict):
        raise FlagError(f"{path}: expected an object with a 'flags' object")
    data.setdefault("flags", {})
    return data


def _fractional_buckets(flag_key: str, rule: list[Any], ids: Sequence[str]) -> np.ndarray:
    """Variant index per id, bucketed on murmur3 of flagKey+targetingKey as flagd does."""
    prefix = flag_key
    if rule and isinstance(rule[0], dict):
        # Only the plain targeting key is supported as a custom bucketing expression.
        if rule[0] != TARGETING_KEY_VAR:
            raise FlagError(f"flag {flag_key!r}: unsupported fractional bucketing {rule[0]!r}")
        prefix = ""
        rule = rule[1:]

    weights = []
    for entry in rule:
        if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
            raise FlagError(f"flag {flag_key!r}: bad fractional entry {entry!r}")
        weight = entry[1] if len(entry) > 1 else 1
        if not isinstance(weight, int | float) or weight < 0:
            raise FlagError(f"flag {flag_key!r}: bad fractional weight {weight!r}")
        weights.append(float(weight))
    total = sum(weights)
    if total <= 0:
        raise FlagError(f"flag {flag_key!r}: fractional weights sum to zero")

    hashes = np.fromiter((mmh3.hash(prefix + key) for key in ids), dtype=np.int64, count=len(ids))
    buckets = np.abs(hashes.astype(np.float64)) / INT32_MAX * PERCENT
    ends = np.cumsum(np.array(weights) * PERCENT / total)
    return np.searchsorted(ends, buckets, side="right")


def evaluate_flag(
    flags: dict[str, Any], key: str, journey_ids: np.ndarray | Sequence[str]
) -> np.ndarray:
    """True where the flag resolves to a truthy variant for that journey_id."""
    ids = [str(item) for item in journey_ids]
    flag = flags.get("flags", {}).get(key)
    if flag is None or flag.get("state") != "ENABLED":
        return np.zeros(len(ids), dtype=bool)

    variants = flag.get("variants")
    if not isinstance(variants, dict) or not variants:
        raise FlagError(f"flag {key!r}: 'variants' must be a non-empty object")
    default = flag.get("defaultVariant")
    if default not in variants:
        raise FlagError(f"flag {key!r}: defaultVariant {default!r} is not a variant")
    targeting = flag.get("targeting") or {}

    if not targeting:
        return np.full(len(ids), bool(variants[default]), dtype=bool)
    if set(targeting) != {"fractional"} or not isinstance(targeting["fractional"], list):
        raise FlagError(f"flag {key!r}: only 'fractional' targeting is supported")

    rule = targeting["fractional"]
    names = [entry[0] for entry in rule if isinstance(entry, list) and entry]
    unknown = [name for name in names if name not in variants]
    if unknown:
        raise FlagError(f"flag {key!r}: fractional names unknown variants {unknown}")
    if not ids:
        return np.zeros(0, dtype=bool)

    chosen = _fractional_buckets(key, rule, ids)
    # A bucket past the last range (cannot happen with positive weights) falls to the default.
    truthy = np.array([bool(variants[name]) for name in names] + [bool(variants[default])])
    return truthy[np.minimum(chosen, len(names))]
