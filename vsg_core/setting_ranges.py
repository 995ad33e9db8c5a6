"""Allowed ranges of the settings a job reads, checked before any analysis starts (see docs/reliability.md).

One place for the per-key validators (``RANGES``) and the checks between keys (``PAIRS``); the settings schema
can call :func:`check_value` per key and :func:`check_settings` for a whole set. ``vsg sync``, ``vsg batch``,
``vsg analyze`` and the pipeline refuse out-of-range values with a message naming the key and the allowed values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import SettingsError


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    integer: bool = False
    unit: str = ""

    def describe(self) -> str:
        fmt = (lambda v: f"{int(v)}") if self.integer else (lambda v: f"{v:g}")
        unit = f" {self.unit}" if self.unit else ""
        return f"from {fmt(self.low)} to {fmt(self.high)}{unit}"


# key -> allowed range (inclusive). Chunk count and duration follow the original application's option ranges;
# the worker counts only need to be at least 1 (the upper bound keeps a typo from starting 10⁶ threads).
RANGES: dict[str, Range] = {
    "scan_chunk_count": Range(1, 100, integer=True, unit="chunks"),
    "scan_chunk_duration": Range(1, 120, unit="s"),
    "scan_start_percentage": Range(0, 100, unit="%"),
    "scan_end_percentage": Range(0, 100, unit="%"),
    "min_match_pct": Range(0.1, 100, unit="%"),
    "min_accepted_chunks": Range(1, 100, integer=True, unit="chunks"),
    "first_stable_min_chunks": Range(1, 100, integer=True, unit="chunks"),
    "filter_bandpass_order": Range(1, 10, integer=True),
    "filter_lowpass_taps": Range(11, 501, integer=True),
    "filter_bandpass_lowcut_hz": Range(1, 24000, unit="Hz"),
    "filter_bandpass_highcut_hz": Range(1, 24000, unit="Hz"),
    "frame_match_workers": Range(1, 256, integer=True),
    "corr_anchor_refine_workers": Range(1, 256, integer=True),
    "segment_qa_chunk_count": Range(1, 100, integer=True, unit="chunks"),
    "stepping_scan_start_percentage": Range(0, 100, unit="%"),
    "stepping_scan_end_percentage": Range(0, 100, unit="%"),
}

# (first key, second key): the first must be smaller than the second.
PAIRS: tuple[tuple[str, str], ...] = (
    ("scan_start_percentage", "scan_end_percentage"),
    ("stepping_scan_start_percentage", "stepping_scan_end_percentage"),
    ("filter_bandpass_lowcut_hz", "filter_bandpass_highcut_hz"),
)

# ``vsg batch --workers`` / parallel jobs.
WORKERS = Range(1, 64, integer=True)


def check_value(key: str, value: Any) -> str | None:
    """Why ``value`` is not allowed for ``key`` (``"must be …"``), or None."""
    r = RANGES.get(key)
    if r is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"must be a number {r.describe()}"
    if r.integer and value != int(value):
        return f"must be a whole number {r.describe()}"
    if not r.low <= value <= r.high:
        return f"must be {r.describe()}"
    return None


def check_settings(settings: Mapping[str, Any]) -> list[str]:
    """Every problem of ``settings`` as ``"setting 'key' = value must be …"`` lines."""
    problems = []
    for key in RANGES:
        if key in settings:
            why = check_value(key, settings[key])
            if why:
                problems.append(f"setting {key!r} = {settings[key]!r} {why}")
    for a, b in PAIRS:
        if a in settings and b in settings and check_value(a, settings[a]) is None \
                and check_value(b, settings[b]) is None and not settings[a] < settings[b]:
            problems.append(f"setting {a!r} = {settings[a]!r} must be smaller than {b!r} = {settings[b]!r}")
    return problems


def validate_settings(settings: Mapping[str, Any], where: str = "") -> None:
    """Raise SettingsError listing every out-of-range value (``where``: the settings file, for the message)."""
    problems = check_settings(settings)
    if problems:
        src = f" ({where})" if where else ""
        raise SettingsError("invalid settings" + src + ": " + "; ".join(problems)
                            + ". Fix them in the settings file or the VSG_SET_<KEY> variable.")


def check_workers(value: int, flag: str = "--workers") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not WORKERS.low <= value <= WORKERS.high:
        raise SettingsError(f"{flag} {value!r}: must be a whole number {WORKERS.describe()}")
