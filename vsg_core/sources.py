"""Source keys ("Source 1" = reference, "Source 2", …, "External") and their natural order."""

from __future__ import annotations

import re
from collections.abc import Iterable

REFERENCE = "Source 1"


def natural_key(key: str) -> tuple[object, ...]:
    """Sort key that orders embedded numbers numerically: "Source 2" < "Source 10" (the original sorted the
    keys as plain strings, so "Source 10" came before "Source 2")."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", key))


def sort_sources(keys: Iterable[str]) -> list[str]:
    return sorted(keys, key=natural_key)
