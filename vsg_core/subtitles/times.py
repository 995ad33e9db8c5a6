"""Subtitle time stamps: exact parsing to float milliseconds and the single rounding point on write.

Parsing keeps every digit: ``0:00:01.5`` is 1500 ms, ``.12`` 120 ms, ``.123`` 123 ms, ``.1234`` 123.4 ms
(docs/subtitles.md, "Times"). Writing rounds once: to the nearest centisecond (ASS/SSA) or millisecond
(SRT/WebVTT), half up; with a frame grid the value is chosen so that the written time starts on the same
frame as the exact time (:func:`round_to_grid`).
"""

from __future__ import annotations

import math
from typing import Protocol

from ..frames.cfr import MAX_GRID_MS
from .errors import SubtitleError

_MAX_DIGITS = 9
WS = " \t"


def parse_time(token: str) -> float | None:
    """``[[H:]M:]S[.frac|,frac]`` (spaces and tabs around it ignored) → ms, or None when it is not a time.

    Every part is 1–9 ASCII digits; the fraction starts at the first ``.`` or ``,``; a bare number without a
    fraction is not a time."""
    s = token.strip(WS)
    frac: str | None = None
    cut = next((i for i, c in enumerate(s) if c in ".,"), -1)
    if cut >= 0:
        s, frac = s[:cut], s[cut + 1:]
    parts = s.split(":")
    if len(parts) > 3 or (len(parts) == 1 and frac is None):
        return None
    if not all(_digits(p) for p in parts) or (frac is not None and not _digits(frac)):
        return None
    nums = [0] * (3 - len(parts)) + [int(p) for p in parts]
    whole = (nums[0] * 3600 + nums[1] * 60 + nums[2]) * 1000
    if frac is None:
        return float(whole)
    return float(whole) + int(frac) * 1000 / 10 ** len(frac)


def _digits(p: str) -> bool:
    return 1 <= len(p) <= _MAX_DIGITS and all("0" <= c <= "9" for c in p)


def require_time(token: str, what: str, line_no: int) -> float:
    t = parse_time(token)
    if t is None:
        raise SubtitleError(f"line {line_no}: bad {what} time '{token.strip(WS)}'")
    return t


def round_plain(t: float, precision: int) -> int:
    """Nearest multiple of ``precision`` ms, half up; negative → 0."""
    if not t > 0:
        return 0
    return math.floor(t / precision + 0.5) * precision


def round_to_grid(t: float, precision: int, grid: FrameClock) -> int:
    """A multiple of ``precision`` on the same frame as ``t`` (the first frame at or after it): the floor
    when it is on that frame, else the ceiling, else the frame's own time floored to the precision."""
    if not t > 0:
        return 0
    if t > MAX_GRID_MS:
        return round_plain(t, precision)
    frame = grid.frame_of(t)
    lo = math.floor(t / precision) * precision
    if grid.frame_of(lo) == frame:
        return lo
    hi = math.ceil(t / precision) * precision
    if grid.frame_of(hi) == frame:
        return hi
    return (grid.frame_ms(frame) // precision) * precision


MAX_WRITE_MS = 1e16


class FrameClock(Protocol):
    """A CFR :class:`~vsg_core.frames.cfr.FrameGrid` or a VFR :class:`~vsg_core.frames.vfr.VfrClock`."""

    def frame_of(self, t_ms: float) -> int: ...
    def frame_ms(self, n: int) -> int: ...


def write_rounded(t: float, precision: int, grid: FrameClock | None) -> int:
    if not (math.isfinite(t) and t <= MAX_WRITE_MS):
        raise SubtitleError(f"time out of range: {t} ms")
    return round_plain(t, precision) if grid is None else round_to_grid(t, precision, grid)


def format_ass(cs: int) -> str:
    h, rem = divmod(cs, 360000)
    m, rem = divmod(rem, 6000)
    s, c = divmod(rem, 100)
    return f"{h}:{m:02d}:{s:02d}.{c:02d}"


def format_srt(ms: int) -> str:
    h, rem = divmod(ms, 3600000)
    m, rem = divmod(rem, 60000)
    s, f = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{f:03d}"


def format_vtt(ms: int, with_hours: bool) -> str:
    h, rem = divmod(ms, 3600000)
    m, rem = divmod(rem, 60000)
    s, f = divmod(rem, 1000)
    if with_hours or h:
        return f"{h:02d}:{m:02d}:{s:02d}.{f:03d}"
    return f"{m:02d}:{s:02d}.{f:03d}"
