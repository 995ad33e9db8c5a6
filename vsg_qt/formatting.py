"""Numbers and result words for people: signed delays without "-0", rates with their unit, times as m:ss,
any status or diagnosis kind shown (known ones in words, unknown ones readable). No Qt here."""

from __future__ import annotations

from typing import Any

OK_STATUSES = ("Merged", "Analyzed")
RED = "#c62828"
AMBER = "#b26a00"
GREY = "#757575"

DIAGNOSIS_TEXT = {
    "UNIFORM": "Uniform",
    "STEPPING": "Stepping",
    "PAL_DRIFT": "PAL speed-up",
    "LINEAR_DRIFT": "Linear drift",
    "INSUFFICIENT_DATA": "Insufficient data",
    "NO_MATCH": "No match",
}
REVIEW_KINDS = ("STEPPING", "PAL_DRIFT", "LINEAR_DRIFT")
DRIFT_KINDS = ("PAL_DRIFT", "LINEAR_DRIFT")
# kinds that mean "no usable delay": shown red whatever their name
_FAILED_WORDS = ("INSUFFICIENT", "NO_MATCH", "FAIL", "ERROR", "UNMATCHED", "REFUSED")


def diagnosis_text(kind: str | None) -> str:
    if not kind:
        return "—"
    return DIAGNOSIS_TEXT.get(kind, kind.replace("_", " ").capitalize())


def diagnosis_colour(kind: str | None) -> str | None:
    if not kind:
        return None
    if any(w in kind.upper() for w in _FAILED_WORDS):
        return RED
    if kind in REVIEW_KINDS:
        return AMBER
    return None


def status_ok(status: str) -> bool:
    return status in OK_STATUSES


def status_colour(status: str) -> str | None:
    if status_ok(status):
        return None
    return GREY if status == "Cancelled" else RED


def ms_text(value: float | None, decimals: int = 0) -> str:
    """``+313 ms``, ``-0.4 ms``, ``0 ms`` (never ``-0``); ``—`` for None."""
    if value is None:
        return "—"
    v = round(float(value), decimals)
    if v == 0:
        return "0 ms"
    return f"{v:+.{decimals}f} ms"


def rate_text(ms_per_s: float | None) -> str:
    """A drift rate with its unit and enough digits to read it: ``+40.96 ms/s``, ``+0.500 ms/s``,
    ``+0.0123 ms/s``; a rate that rounds to zero is ``0 ms/s`` (never ``-0.000``)."""
    if ms_per_s is None:
        return ""
    v = float(ms_per_s)
    a = abs(v)
    decimals = 2 if a >= 10 else 3 if a >= 0.1 else 4
    if round(v, decimals) == 0:
        return "0 ms/s"
    return f"{v:+.{decimals}f} ms/s"


def clock_text(seconds: float | None) -> str:
    """``1:25``, ``1:02:05``; ``—`` for None."""
    if seconds is None:
        return "—"
    s = max(0, round(float(seconds)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def span_text(start_s: float | None, end_s: float | None) -> str:
    return f"{clock_text(start_s)} – {clock_text(end_s)}"


def pct_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


SEGMENT_KEYS = ("start_s", "end_s", "delay_ms", "raw_delay_ms", "cluster_label")


def segment_field(seg: Any, name: str, default: Any = None) -> Any:
    """A segment as a dict or an object with attributes."""
    if isinstance(seg, dict):
        return seg.get(name, default)
    return getattr(seg, name, default)


def segment_extra(seg: Any) -> str:
    """What a correction recorded about a segment (kept/removed/filled, …): every field beyond the diagnosis's
    own, as ``name: value``; empty when the segment carries none."""
    items = seg.items() if isinstance(seg, dict) else vars(seg).items() if hasattr(seg, "__dict__") else ()
    parts = []
    for k, v in items:
        if k in SEGMENT_KEYS or v is None or v == "" or k.startswith("_"):
            continue
        if isinstance(v, float):
            v = f"{v:g}"
        parts.append(f"{k.replace('_', ' ')}: {v}")
    return "; ".join(parts)
