"""flagd flag files: loading, state, default variants and fractional canaries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mmh3
import numpy as np
import pytest

from journeyheal.simulator import FlagError, evaluate_flag, load_flags

IDS = [f"j{n:08d}" for n in range(20_000)]


def _flag(state: str = "ENABLED", default: str = "off", **extra: Any) -> dict[str, Any]:
    flag = {"state": state, "variants": {"on": True, "off": False}, "defaultVariant": default}
    flag.update(extra)
    return {"flags": {"remedy": flag}}


def _canary(percent: int) -> dict[str, Any]:
    return _flag(targeting={"fractional": [["on", percent], ["off", 100 - percent]]})


@pytest.mark.parametrize("percent", [10, 50])
def test_canary_share_reaches_that_share(percent: int) -> None:
    share = evaluate_flag(_canary(percent), "remedy", IDS).mean()
    assert abs(share - percent / 100) <= 0.02


def test_canary_matches_flagd_bucketing_by_hand() -> None:
    on = evaluate_flag(_canary(10), "remedy", IDS[:200])
    expected = [abs(mmh3.hash("remedy" + key)) / (2**31 - 1) * 100 < 10 for key in IDS[:200]]
    assert on.tolist() == expected


def test_canary_grows_monotonically() -> None:
    small = evaluate_flag(_canary(10), "remedy", IDS)
    large = evaluate_flag(_canary(40), "remedy", IDS)
    assert not (small & ~large).any()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"flags": {}}, False),
        (_flag(state="DISABLED", default="on"), False),
        (_flag(default="on"), True),
        (_flag(default="off"), False),
    ],
)
def test_state_and_default_variant(flags: dict[str, Any], expected: bool) -> None:
    assert evaluate_flag(flags, "remedy", IDS[:50]).tolist() == [expected] * 50


def test_targeting_key_bucketing_expression_skips_the_flag_key() -> None:
    flags = _flag(targeting={"fractional": [{"var": "targetingKey"}, ["on", 30], ["off", 70]]})
    on = evaluate_flag(flags, "remedy", IDS[:100])
    expected = [abs(mmh3.hash(key)) / (2**31 - 1) * 100 < 30 for key in IDS[:100]]
    assert on.tolist() == expected


@pytest.mark.parametrize(
    "targeting",
    [
        {"if": [True, "on", "off"]},
        {"fractional": [{"cat": ["a", "b"]}, ["on", 50], ["off", 50]]},
        {"fractional": [["maybe", 50], ["off", 50]]},
    ],
)
def test_unsupported_targeting_is_an_error(targeting: dict[str, Any]) -> None:
    with pytest.raises(FlagError, match="remedy"):
        evaluate_flag(_flag(targeting=targeting), "remedy", IDS[:5])


def test_missing_flag_file_means_all_off(tmp_path: Path) -> None:
    flags = load_flags(tmp_path / "flags.json")
    assert not evaluate_flag(flags, "remedy", IDS[:10]).any()


def test_malformed_flag_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FlagError, match=r"flags\.json"):
        load_flags(path)


def test_flag_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text(json.dumps(_canary(25)), encoding="utf-8")
    on = evaluate_flag(load_flags(path), "remedy", np.array(IDS))
    assert abs(on.mean() - 0.25) <= 0.02
