"""Matroska chapter time strings ↔ integer nanoseconds (docs/chapters.md#chapter-times)."""

from __future__ import annotations

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000


def parse_time_ns(text: str) -> int:
    """``HH:MM:SS[.fraction]`` → ns. The fraction is right-padded with zeros and cut to 9 digits.

    Exactly three ``:``-separated fields are required; anything else raises ValueError naming the text.
    """
    value = text.strip()
    parts = value.split(":")
    if len(parts) != 3:
        raise ValueError(f"chapter time {text!r} is not HH:MM:SS[.fraction]")
    seconds, _, fraction = parts[2].partition(".")
    try:
        for field in (parts[0], parts[1], seconds, fraction or "0"):
            if not field.isascii() or not field.isdigit():
                raise ValueError
        h, m, s = int(parts[0]), int(parts[1]), int(seconds)
    except ValueError:
        raise ValueError(f"chapter time {text!r} is not HH:MM:SS[.fraction]") from None
    frac_ns = int((fraction + "000000000")[:9])
    return (h * 3600 + m * 60 + s) * NS_PER_S + frac_ns


def format_time_ns(ns: int) -> str:
    """ns → ``HH:MM:SS.nnnnnnnnn`` (negative values clamp to 0; hours have at least two digits)."""
    ns = max(0, int(ns))
    total_s, frac = divmod(ns, NS_PER_S)
    h, rest = divmod(total_s, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{frac:09d}"
