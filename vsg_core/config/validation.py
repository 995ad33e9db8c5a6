"""One validator for every setting: convert a value to the key's type, then check its range or choices.

Types come from the schema's default (bool, int, float, str, list); ranges and choices from the schema entry.
Conversion rules (the settings file, ``VSG_SET_<KEY>`` and ``vsg settings set`` share them): booleans accept
true/false, 1/0, yes/no, on/off; whole numbers accept any finite number and drop the fraction (15.7 → 15);
numbers reject NaN; text rejects lists and objects; lists accept a JSON list or its text ("[10, 50, 90]").
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from .schema import Setting

TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})
FALSE_STRINGS = frozenset({"false", "0", "no", "off", ""})


def coerce(s: Setting, value: Any) -> Any:
    """``value`` converted to the type of ``s``; ValueError (with the reason) when impossible."""
    kind = s.type
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            t = value.strip().lower()
            if t in TRUE_STRINGS:
                return True
            if t in FALSE_STRINGS:
                return False
            raise ValueError(f"expected true or false, got {value!r}")
        if isinstance(value, (int, float)):
            return bool(value)
        raise ValueError(f"expected true or false, got {value!r}")
    if kind in ("int", "float"):
        if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
            raise ValueError(f"expected a {'whole ' if kind == 'int' else ''}number, got {value!r}")
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected a {'whole ' if kind == 'int' else ''}number, got {value!r}") from None
        if not math.isfinite(f):
            raise ValueError(f"expected a finite number, got {value!r}")
        return int(f) if kind == "int" else f
    if kind == "str":
        if isinstance(value, (dict, list)) or value is None:
            raise ValueError(f"expected text, got {value!r}")
        return str(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(f"expected a JSON list such as [10, 50, 90], got {value!r}") from None
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {value!r}")
    return list(value)


def check(s: Setting, value: Any) -> str | None:
    """Why ``value`` (already converted) is not accepted for ``s``, or None."""
    if s.choices and value not in s.choices:
        return f"must be one of {', '.join(s.choices)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = s.minimum, s.maximum
        unit = f" {s.unit}" if s.unit else ""
        if lo is not None and hi is not None and not lo <= value <= hi:
            return f"must be between {lo:g} and {hi:g}{unit}"
        if lo is not None and value < lo:
            return f"must be at least {lo:g}{unit}"
        if hi is not None and value > hi:
            return f"must be at most {hi:g}{unit}"
    return None


def validate(s: Setting, value: Any) -> Any:
    """``value`` converted and checked; ValueError with the reason otherwise. A folder or file setting starting
    with ``~`` is expanded to the home folder (it used to be taken literally: ``~/vsg_output`` made a folder
    named ``~`` in the current folder)."""
    v = coerce(s, value)
    if s.widget in ("dir", "file") and isinstance(v, str) and v.startswith("~"):
        v = os.path.expanduser(v)
    reason = check(s, v)
    if reason:
        raise ValueError(f"{v!r} {reason}")
    return v
