"""Field checks and the JSON-object reader shared by the Phase 1 records.

The same rules and message formats are implemented in Rust (``vsg_core_rs/src/models/json.rs``) so that both
backends accept and reject the same inputs (tests/parity/test_phase1_models.py).

Conventions:

- Constructors raise ``TypeError`` for a value of the wrong Python type and ``ValueError`` for a value of the
  right type that breaks a rule (range, invariant).
- ``from_dict``/``from_json`` raise ``ValueError`` for every problem, naming the record and field
  (``"Track.id: expected an integer, got string"``).
- JSON type names used in messages: object, array, string, integer, number, boolean, null; any other Python
  type is named by its class name.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

U32_MAX = 2**32 - 1
I32_MIN = -(2**31)
I32_MAX = 2**31 - 1
# Outside this range an integer cannot be held by a JSON number in the Rust backend (i64/u64).
JSON_INT_MIN = -(2**63)
JSON_INT_MAX = 2**64 - 1
# Every delay must satisfy |delay| <= 3 600 000 ms (docs/analysis.md#delays).
MAX_DELAY_MS = 3_600_000


def json_type(value: object) -> str:
    """The JSON name of a value's type (or its Python class name when it has no JSON equivalent)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def quoted(names: Iterable[str]) -> str:
    """``'a', 'b'`` — the list format used in every message."""
    return ", ".join(f"'{n}'" for n in names)


def fmt_float(value: float) -> str:
    return repr(float(value))


def check_str(where: str, value: object, exc: type[Exception] = TypeError) -> str:
    if not isinstance(value, str):
        raise exc(f"{where}: expected a string, got {json_type(value)}")
    return str(value)


def check_opt_str(where: str, value: object, exc: type[Exception] = TypeError) -> str | None:
    return None if value is None else check_str(where, value, exc)


def check_bool(where: str, value: object, exc: type[Exception] = TypeError) -> bool:
    if not isinstance(value, bool):
        raise exc(f"{where}: expected a boolean, got {json_type(value)}")
    return value


def check_int(where: str, value: object, lo: int, hi: int, exc: type[Exception] = TypeError) -> int:
    """An int (never a bool) within ``lo..=hi``; the range violation is always a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise exc(f"{where}: expected an integer, got {json_type(value)}")
    if not lo <= value <= hi:
        raise ValueError(f"{where}: expected an integer in {lo}..={hi}, got {value}")
    return int(value)


def check_opt_int(
    where: str, value: object, lo: int, hi: int, exc: type[Exception] = TypeError
) -> int | None:
    return None if value is None else check_int(where, value, lo, hi, exc)


def check_float(where: str, value: object, exc: type[Exception] = TypeError) -> float:
    """A float or int (never a bool), returned as float. Finiteness is checked by the caller's rule."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise exc(f"{where}: expected a number, got {json_type(value)}")
    return float(value)


def check_str_list(where: str, value: object, exc: type[Exception] = TypeError) -> list[str]:
    if not isinstance(value, list):
        raise exc(f"{where}: expected an array of strings, got {json_type(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise exc(f"{where}[{i}]: expected a string, got {json_type(item)}")
    return [str(item) for item in value]


def check_json_value(where: str, value: object) -> None:
    """Raise ValueError unless ``value`` is made only of JSON types (finite floats, string keys)."""
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if not JSON_INT_MIN <= value <= JSON_INT_MAX:
            raise ValueError(f"{where}: integer {value} is outside the JSON integer range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: number {fmt_float(value)} is not finite; JSON has no NaN/Infinity")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_json_value(f"{where}[{i}]", item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: keys must be strings, got {json_type(key)}")
            check_json_value(f"{where}.{key}", item)
        return
    raise ValueError(f"{where}: {json_type(value)} is not a JSON value")


def check_opt_json_object(
    where: str, value: object, exc: type[Exception] = TypeError
) -> dict[str, Any] | None:
    """None or a dict holding only JSON values (the dict itself is kept, not copied)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise exc(f"{where}: expected an object or null, got {json_type(value)}")
    check_json_value(where, value)
    return value


class JsonFields:
    """Reads one record from decoded JSON: checks it is JSON data, a dict, with only known keys."""

    def __init__(self, record: str, data: object, keys: Iterable[str]) -> None:
        self.record = record
        self.keys = list(keys)
        # First the whole input must be JSON data (like the Rust side, which converts it to JSON first).
        check_json_value(record, data)
        if not isinstance(data, dict):
            raise ValueError(f"{record}: expected a JSON object, got {json_type(data)}")
        for key in data:
            if not isinstance(key, str):
                raise ValueError(f"{record}: keys must be strings, got {json_type(key)}")
        unknown = sorted(k for k in data if k not in self.keys)
        if unknown:
            raise ValueError(f"{record}: unknown key(s) {quoted(unknown)}; valid keys: {quoted(self.keys)}")
        self.data: Mapping[str, Any] = data

    def where(self, key: str) -> str:
        return f"{self.record}.{key}"

    def has(self, key: str) -> bool:
        return key in self.data

    def required(self, key: str) -> Any:
        if key not in self.data:
            raise ValueError(f"{self.record}: missing required key '{key}'")
        return self.data[key]

    def get(self, key: str, default: Any) -> Any:
        return self.data.get(key, default)


def nested(where: str, read: Any, value: object) -> Any:
    """``read(value)`` with any ValueError prefixed by ``where`` (for records inside records)."""
    try:
        return read(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def load_json(record: str, text: str) -> Any:
    """Decode strict JSON (no NaN/Infinity); every failure is a ValueError naming the record."""
    if not isinstance(text, str):
        raise TypeError(f"{record}.from_json: expected a string, got {json_type(text)}")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ValueError(f"{record}: invalid JSON: {exc}") from None


def dump_json(data: Mapping[str, Any]) -> str:
    """Compact UTF-8 JSON (no ASCII escaping, no NaN/Infinity)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
