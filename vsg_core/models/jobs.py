"""Job records: Delays (immutable, validated) and PlanItem (mutable, one per output track).

Facts: docs/pipeline.md#data-model. Rust mirror: ``vsg_core_rs/src/models/jobs.rs``; the two accept and reject the same
inputs with the same messages (tests/parity/test_phase1_models.py).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from .media import Track
from .validation import (
    I32_MAX,
    I32_MIN,
    MAX_DELAY_MS,
    U32_MAX,
    JsonFields,
    check_bool,
    check_float,
    check_int,
    check_opt_int,
    check_opt_json_object,
    check_opt_str,
    check_str,
    check_str_list,
    dump_json,
    fmt_float,
    json_type,
    load_json,
    nested,
    quoted,
)

# --------------------------------------------------------------------------------------------------- Delays

_DELAYS_KEYS = ("source_delays_ms", "raw_source_delays_ms", "global_shift_ms", "raw_global_shift_ms")


def _int_delay(where: str, value: object, exc: type[Exception]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise exc(f"{where}: expected an integer, got {json_type(value)}")
    if abs(value) > MAX_DELAY_MS:
        raise ValueError(f"{where}: |delay| must be <= {MAX_DELAY_MS} ms, got {value}")
    return int(value)


def _raw_delay(where: str, value: object, exc: type[Exception]) -> float:
    number = check_float(where, value, exc)
    if not math.isfinite(number):
        raise ValueError(f"{where}: delay must be finite, got {fmt_float(number)}")
    if abs(number) > MAX_DELAY_MS:
        raise ValueError(f"{where}: |delay| must be <= {MAX_DELAY_MS} ms, got {fmt_float(number)}")
    return number


def _delay_map(
    where: str, value: object, read: Callable[[str, object, type[Exception]], Any], exc: type[Exception]
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise exc(f"{where}: expected an object mapping source keys to delays, got {json_type(value)}")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise exc(f"{where}: keys must be strings, got {json_type(key)}")
        out[key] = read(f"{where}['{key}']", item, exc)
    return out


@dataclass(frozen=True, slots=True, repr=False)
class Delays:
    """Per-source delays after analysis; every entry already includes the global shift.

    ``source_delays_ms`` holds the rounded values given to mkvmerge, ``raw_source_delays_ms`` the unrounded
    ones used for subtitle timing. Invariants (checked on construction and on JSON load): both maps have the
    same source keys, the global shifts are >= 0, every delay is finite with |delay| <= 3 600 000 ms. The maps
    are read-only views.
    """

    source_delays_ms: Mapping[str, int] = field(default_factory=dict)
    raw_source_delays_ms: Mapping[str, float] = field(default_factory=dict)
    global_shift_ms: int = 0
    raw_global_shift_ms: float = 0.0

    def __post_init__(self) -> None:
        rounded = _delay_map("Delays.source_delays_ms", self.source_delays_ms, _int_delay, TypeError)
        raw = _delay_map("Delays.raw_source_delays_ms", self.raw_source_delays_ms, _raw_delay, TypeError)
        only_rounded = sorted(set(rounded) - set(raw))
        only_raw = sorted(set(raw) - set(rounded))
        if only_rounded or only_raw:
            parts = ["Delays: source_delays_ms and raw_source_delays_ms must have the same source keys"]
            if only_rounded:
                parts.append(f"only in source_delays_ms: {quoted(only_rounded)}")
            if only_raw:
                parts.append(f"only in raw_source_delays_ms: {quoted(only_raw)}")
            raise ValueError("; ".join(parts))
        shift = _int_delay("Delays.global_shift_ms", self.global_shift_ms, TypeError)
        if shift < 0:
            raise ValueError(f"Delays.global_shift_ms: must be >= 0, got {shift}")
        raw_shift = _raw_delay("Delays.raw_global_shift_ms", self.raw_global_shift_ms, TypeError)
        if raw_shift < 0:
            raise ValueError(f"Delays.raw_global_shift_ms: must be >= 0, got {fmt_float(raw_shift)}")
        object.__setattr__(self, "source_delays_ms", MappingProxyType(rounded))
        object.__setattr__(self, "raw_source_delays_ms", MappingProxyType(raw))
        object.__setattr__(self, "global_shift_ms", shift)
        object.__setattr__(self, "raw_global_shift_ms", raw_shift)

    def __repr__(self) -> str:
        return (
            f"Delays(source_delays_ms={dict(self.source_delays_ms)!r}, "
            f"raw_source_delays_ms={dict(self.raw_source_delays_ms)!r}, "
            f"global_shift_ms={self.global_shift_ms!r}, raw_global_shift_ms={self.raw_global_shift_ms!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType cannot be pickled/deep-copied; rebuild from plain dicts instead.
        return (
            Delays,
            (
                dict(self.source_delays_ms),
                dict(self.raw_source_delays_ms),
                self.global_shift_ms,
                self.raw_global_shift_ms,
            ),
        )

    @classmethod
    def empty(cls) -> Delays:
        """No sources, no global shift."""
        return cls()

    def _missing(self, source: str) -> KeyError:
        known = quoted(sorted(self.source_delays_ms)) or "none"
        return KeyError(f"no delay for source '{source}'; known sources: {known}")

    def delay_for(self, source: str) -> int:
        """The rounded delay (ms, global shift included) of ``source``; KeyError naming it when absent."""
        try:
            return self.source_delays_ms[source]
        except KeyError:
            raise self._missing(source) from None

    def raw_delay_for(self, source: str) -> float:
        """The raw (unrounded) delay of ``source``; KeyError naming it when absent."""
        try:
            return self.raw_source_delays_ms[source]
        except KeyError:
            raise self._missing(source) from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_delays_ms": dict(self.source_delays_ms),
            "raw_source_delays_ms": dict(self.raw_source_delays_ms),
            "global_shift_ms": self.global_shift_ms,
            "raw_global_shift_ms": self.raw_global_shift_ms,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Delays:
        f = JsonFields("Delays", data, _DELAYS_KEYS)
        return cls(
            source_delays_ms=_delay_map(
                f.where("source_delays_ms"), f.get("source_delays_ms", {}), _int_delay, ValueError
            ),
            raw_source_delays_ms=_delay_map(
                f.where("raw_source_delays_ms"), f.get("raw_source_delays_ms", {}), _raw_delay, ValueError
            ),
            global_shift_ms=_int_delay(f.where("global_shift_ms"), f.get("global_shift_ms", 0), ValueError),
            raw_global_shift_ms=_raw_delay(
                f.where("raw_global_shift_ms"), f.get("raw_global_shift_ms", 0.0), ValueError
            ),
        )

    def to_json(self) -> str:
        return dump_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Delays:
        return cls.from_dict(load_json("Delays", text))


# ------------------------------------------------------------------------------------------------- PlanItem

STYLE_FILTER_MODES = ("exclude", "include")

_Check = Callable[[str, object, type[Exception]], Any]


def _check_track(where: str, value: object, exc: type[Exception]) -> Track:
    if not isinstance(value, Track):
        raise exc(f"{where}: expected a Track, got {json_type(value)}")
    return value


def _check_mode(where: str, value: object, exc: type[Exception]) -> str:
    mode = check_str(where, value, exc)
    if mode not in STYLE_FILTER_MODES:
        raise ValueError(f"{where}: must be 'exclude' or 'include', got '{mode}'")
    return mode


def _check_multiplier(where: str, value: object, exc: type[Exception]) -> float:
    number = check_float(where, value, exc)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{where}: must be a finite number > 0, got {fmt_float(number)}")
    return number


def _check_object(where: str, value: object, exc: type[Exception]) -> dict[str, Any] | None:
    return copy.deepcopy(check_opt_json_object(where, value, exc))


def _check_i32(where: str, value: object, exc: type[Exception]) -> int:
    return check_int(where, value, I32_MIN, I32_MAX, exc)


def _check_opt_u32(where: str, value: object, exc: type[Exception]) -> int | None:
    return check_opt_int(where, value, 0, U32_MAX, exc)


# Field name -> check. Order = field order = JSON key order. Verified against the dataclass below.
_PLAN_ITEM_CHECKS: dict[str, _Check] = {
    "track": _check_track,
    "extracted_path": check_opt_str,
    "is_default": check_bool,
    "is_forced_display": check_bool,
    "apply_track_name": check_bool,
    "convert_to_ass": check_bool,
    "rescale": check_bool,
    "size_multiplier": _check_multiplier,
    "style_patch": _check_object,
    "user_modified_path": check_opt_str,
    "sync_to": check_opt_str,
    "is_preserved": check_bool,
    "is_corrected": check_bool,
    "correction_source": check_opt_str,
    "perform_ocr": check_bool,
    "perform_ocr_cleanup": check_bool,
    "container_delay_ms": _check_i32,
    "custom_lang": check_str,
    "custom_name": check_str,
    "aspect_ratio": check_opt_str,
    "stepping_adjusted": check_bool,
    "is_generated": check_bool,
    "generated_source_track_id": _check_opt_u32,
    "generated_source_path": check_opt_str,
    "generated_filter_mode": _check_mode,
    "generated_filter_styles": check_str_list,
    "generated_original_style_list": check_str_list,
    "generated_verify_only_lines_removed": check_bool,
    "skip_frame_validation": check_bool,
    "sync_exclusion_styles": check_str_list,
    "sync_exclusion_mode": _check_mode,
    "sync_exclusion_original_style_list": check_str_list,
    "frame_adjusted": check_bool,
    "framelocked_stats": _check_object,
    "source_path": check_opt_str,
}


@dataclass(slots=True)
class PlanItem:
    """One output track of the merge plan and every per-track option the user or the pipeline set.

    Every assignment is checked (TypeError for a wrong type, ValueError for a bad value): the style modes are
    ``exclude``/``include``, ``size_multiplier`` is finite and > 0, ``style_patch``/``framelocked_stats`` are
    JSON objects. Assigned lists and objects are copied.
    """

    track: Track
    extracted_path: str | None = None
    is_default: bool = False
    is_forced_display: bool = False
    apply_track_name: bool = False
    convert_to_ass: bool = False
    rescale: bool = False
    size_multiplier: float = 1.0
    style_patch: dict[str, Any] | None = None
    user_modified_path: str | None = None
    sync_to: str | None = None
    is_preserved: bool = False
    is_corrected: bool = False
    correction_source: str | None = None
    perform_ocr: bool = False
    perform_ocr_cleanup: bool = False
    container_delay_ms: int = 0  # signed
    custom_lang: str = ""
    custom_name: str = ""
    aspect_ratio: str | None = None
    stepping_adjusted: bool = False
    is_generated: bool = False
    generated_source_track_id: int | None = None
    generated_source_path: str | None = None
    generated_filter_mode: str = "exclude"
    generated_filter_styles: list[str] = field(default_factory=list)
    generated_original_style_list: list[str] = field(default_factory=list)
    generated_verify_only_lines_removed: bool = True
    skip_frame_validation: bool = False
    sync_exclusion_styles: list[str] = field(default_factory=list)
    sync_exclusion_mode: str = "exclude"
    sync_exclusion_original_style_list: list[str] = field(default_factory=list)
    frame_adjusted: bool = False  # subtitle step: timestamps already carry the delay
    framelocked_stats: dict[str, Any] | None = None  # subtitle step: frame-locked report for the final audit
    # a track that needs no processing: mkvmerge reads track ``track.id`` straight from this source file
    source_path: str | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        check = _PLAN_ITEM_CHECKS.get(name)
        if check is not None:
            value = check(f"PlanItem.{name}", value, TypeError)
        object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in _PLAN_ITEM_CHECKS:
            value = getattr(self, name)
            out[name] = value.to_dict() if name == "track" else copy.deepcopy(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanItem:
        f = JsonFields("PlanItem", data, _PLAN_ITEM_CHECKS)
        kwargs: dict[str, Any] = {"track": nested(f.where("track"), Track.from_dict, f.required("track"))}
        for name, check in _PLAN_ITEM_CHECKS.items():
            if name != "track" and f.has(name):
                kwargs[name] = check(f.where(name), f.get(name, None), ValueError)
        return cls(**kwargs)

    def to_json(self) -> str:
        return dump_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> PlanItem:
        return cls.from_dict(load_json("PlanItem", text))


if tuple(f.name for f in fields(PlanItem)) != tuple(_PLAN_ITEM_CHECKS):
    raise RuntimeError("PlanItem fields and _PLAN_ITEM_CHECKS are out of step")
