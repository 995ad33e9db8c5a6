"""Settings checks a job needs before any analysis starts (see docs/reliability.md).

Per-key ranges live in one place, the settings schema (``vsg_core/config/schema.py``, ``minimum``/``maximum``);
:func:`check_value` asks it. This module adds what a single key cannot say: pairs that must be ordered
(``PAIRS``) and the ``--workers`` bound. The command line is strict: a settings file value the schema rejects
(which :meth:`Settings.load` replaces by the default with a warning, for the GUI) refuses the job instead of
silently running it with other settings (:func:`check_file`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import BY_KEY
from .config.validation import check, coerce
from .errors import SettingsError

# (first key, second key): the first must be smaller than the second.
PAIRS: tuple[tuple[str, str], ...] = (
    ("scan_start_percentage", "scan_end_percentage"),
    ("filter_bandpass_lowcut_hz", "filter_bandpass_highcut_hz"),
)

# ``vsg batch --workers``: at least 1; the upper bound only catches typos.
WORKERS = (1, 64)


def check_value(key: str, value: Any) -> str | None:
    """Why ``value`` is not allowed for ``key`` (``"must be …"``, from the schema), or None."""
    entry = BY_KEY.get(key)
    if entry is None:
        return None
    try:
        return check(entry, coerce(entry, value))
    except (TypeError, ValueError) as e:
        return str(e)


def check_settings(settings: Mapping[str, Any]) -> list[str]:
    """Every problem of ``settings`` as ``"setting 'key' = value must be …"`` lines (keys and pairs)."""
    problems = []
    for key, value in settings.items():
        why = check_value(key, value)
        if why:
            problems.append(f"setting {key!r} = {value!r} {why}")
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


def check_file(path: Path | None) -> None:
    """Refuse a settings file holding a value the schema rejects (the loader would use the default)."""
    if path is None or not Path(path).is_file():
        return
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return                      # unreadable files are reported by Settings.load
    if not isinstance(data, dict):
        return
    problems = []
    for key, value in data.items():
        entry = BY_KEY.get(key)
        if entry is None or not entry.available:
            continue
        why = check_value(key, value)
        if why:
            problems.append(f"{key!r} = {value!r} {why}")
    if problems:
        raise SettingsError(f"invalid settings in {path}: " + "; ".join(problems)
                            + ". Fix them (vsg settings lists the allowed values) or delete the key.")


def check_workers(value: int, flag: str = "--workers") -> None:
    lo, hi = WORKERS
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise SettingsError(f"{flag} {value!r}: must be a whole number from {lo} to {hi}")
