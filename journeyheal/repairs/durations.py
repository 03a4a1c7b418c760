"""Durations written in rule and policy files: "30m", "2h", "7d" or ISO 8601 "PT2H"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator

_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> timedelta:
    """A non-negative duration from "30m", "2h", "7d", "PT2H" or a timedelta."""
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, str) and (short := _SHORT.match(value)):
        duration = timedelta(seconds=float(short.group(1)) * _UNIT_SECONDS[short.group(2)])
    elif isinstance(value, str) and (iso := _ISO.match(value.strip())) and value.strip() != "P":
        days, hours, minutes, seconds = (int(part or 0) for part in iso.groups())
        duration = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    else:
        msg = f"expected a duration such as '30m', '2h', '7d' or 'PT2H', got {value!r}"
        raise ValueError(msg)

    if duration < timedelta(0):
        msg = f"duration must not be negative, got {value!r}"
        raise ValueError(msg)
    return duration


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
