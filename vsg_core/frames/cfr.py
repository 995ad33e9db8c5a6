"""Constant-frame-rate conversions (docs/frame_math.md).

Three float modes, as the original application defined them (``fd = 1000 / fps`` with ``fps = num / den``):

=========  ====================================  ==================================
mode       time (ms) → frame                     frame → time (ms)
=========  ====================================  ==================================
floor      ``floor((t + 1e-6) / fd)``            ``f · fd`` (float)
middle     ``round_half_even(t / fd − 0.5)``     ``round_half_even((f + 0.5) · fd)``
aegisub    ``floor(t / fd)``                     ``10 · ceil(f · fd / 10)``
=========  ====================================  ==================================

vsg uses the mathematical floor for negative times (the original truncated toward zero, mapping −10 ms
to frame 0). :class:`FrameGrid` is the exact integer grid a Matroska file stores at millisecond precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

EPSILON_MS = 1e-6
MAX_TIME_MS = 1e15
MAX_FRAME = 10**12
MAX_GRID_MS = 1e13
MAX_RATE_TERM = 2**31 - 1   # ~2 800 hours: beyond it the grid refuses (frame times stay exact integers in a double)
MODES = ("floor", "middle", "aegisub")


def _fd(fps: float) -> float:
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"frame rate must be a positive finite number, got {fps}")
    return 1000.0 / fps


def time_to_frame(t_ms: float, fps: float, mode: str = "floor") -> int:
    fd = _fd(fps)
    if not (math.isfinite(t_ms) and abs(t_ms) <= MAX_TIME_MS):
        raise ValueError(f"time out of range: {t_ms}")
    if mode == "floor":
        return math.floor((t_ms + EPSILON_MS) / fd)
    if mode == "middle":
        return round(t_ms / fd - 0.5)
    if mode == "aegisub":
        return math.floor(t_ms / fd)
    raise ValueError(f"unknown frame mode {mode!r}: use one of {', '.join(MODES)}")


def frame_to_time(frame: int, fps: float, mode: str = "floor") -> float:
    fd = _fd(fps)
    if abs(frame) > MAX_FRAME:
        raise ValueError(f"frame out of range: {frame}")
    if mode == "floor":
        return frame * fd
    if mode == "middle":
        return float(round((frame + 0.5) * fd))
    if mode == "aegisub":
        return float(10 * math.ceil(frame * fd / 10))
    raise ValueError(f"unknown frame mode {mode!r}: use one of {', '.join(MODES)}")


def parse_rate(text: str) -> tuple[int, int]:
    """``"24000/1001"`` or ``"25"`` → (num, den) reduced; ValueError for anything else or a rate ≤ 0."""
    try:
        fr = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"not a frame rate: {text!r}") from None
    if fr <= 0:
        raise ValueError(f"not a frame rate: {text!r}")
    return fr.numerator, fr.denominator


@dataclass(frozen=True)
class FrameGrid:
    """CFR starting at 0 with rate ``num/den``; frame ``n`` is shown at the integer millisecond
    ``frame_ms(n) = round_half_up(n · 1000 · den / num)`` (what a millisecond-timestamp container stores)."""

    num: int
    den: int

    def __post_init__(self) -> None:
        if not (0 < self.num <= MAX_RATE_TERM and 0 < self.den <= MAX_RATE_TERM):
            raise ValueError(f"frame rate must be positive, got {self.num}/{self.den}")

    @property
    def fps(self) -> float:
        return self.num / self.den

    def frame_ms(self, n: int) -> int:
        if abs(n) > MAX_FRAME:
            raise ValueError(f"frame out of range: {n}")
        return (2 * n * 1000 * self.den + self.num) // (2 * self.num)

    def frame_of(self, t_ms: float) -> int:
        """The first frame shown at or after ``t_ms`` (the frame an event starting at ``t_ms`` appears on)."""
        if not (math.isfinite(t_ms) and abs(t_ms) <= MAX_GRID_MS):
            raise ValueError(f"time out of range for the frame grid: {t_ms}")
        if t_ms <= 0:
            return 0
        n = max(0, math.floor(t_ms * self.num / (1000 * self.den)) - 1)
        while self.frame_ms(n) < t_ms:
            n += 1
        while n > 0 and self.frame_ms(n - 1) >= t_ms:
            n -= 1
        return n
