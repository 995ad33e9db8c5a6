"""Allowed ranges of the settings a job reads, checked before any analysis starts (see docs/reliability.md).

The limits of each key are the settings schema's (:mod:`vsg_core.config.schema`, one place); this module adds
the checks between keys (``PAIRS``) and the flags' checks (:func:`check_value` for a value given on the command
line, :func:`check_workers`). ``vsg sync``, ``vsg batch``,
``vsg analyze`` and the pipeline refuse out-of-range values with a message naming the key and the allowed values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .config.schema import BY_KEY
from .config.validation import check
from .errors import SettingsError

# (first key, second key): the first must be smaller than the second.
PAIRS: tuple[tuple[str, str], ...] = (
    ("scan_start_percentage", "scan_end_percentage"),
    ("filter_bandpass_lowcut_hz", "filter_bandpass_highcut_hz"),
)

# ``vsg batch --workers`` / parallel jobs (the upper bound keeps a typo from starting 10⁶ threads).
MAX_WORKERS = 64


def check_value(key: str, value: Any) -> str | None:
    """Why ``value`` is not allowed for ``key`` (``"must be …"``, the schema's limits), or None."""
    setting = BY_KEY.get(key)
    if setting is None or setting.type not in ("int", "float"):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "must be a number" + (f" ({setting.range_text()})" if setting.range_text() else "")
    if setting.type == "int" and value != int(value):
        return "must be a whole number" + (f" ({setting.range_text()})" if setting.range_text() else "")
    return check(setting, value)


def check_settings(settings: Mapping[str, Any]) -> list[str]:
    """Every problem of ``settings`` as ``"setting 'key' = value must be …"`` lines."""
    problems = []
    for key in settings:
        if key in BY_KEY:
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
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WORKERS:
        raise SettingsError(f"{flag} {value!r}: must be a whole number between 1 and {MAX_WORKERS}")
