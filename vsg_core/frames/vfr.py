"""Variable frame rate: frame times read from the reference video itself, answered by the
``VideoTimestamps`` package (docs/frame_math.md, "VFR").

:func:`read_frame_times_ms` asks ffprobe for the presentation time of every video packet (milliseconds on
the Matroska time base) and appends the end of the last frame; :class:`VfrClock` answers "which frame does
an event starting at t first appear on" (``TimeType.START``: the first frame whose time is ≥ t) and "when is
frame n shown" through ``video_timestamps.VideoTimestamps``. Past the last frame it continues with the last
frame's duration. The Rust port (``FrameTimes`` in ``vsg_core_rs/src/frames``) answers the same from the
same list; tests/parity/test_phase6_frames.py compares them.
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction
from pathlib import Path

from video_timestamps import TimeType, VideoTimestamps

from ..errors import MediaError
from ..log import JobLog
from ..runner import run


class VfrClock:
    def __init__(self, frame_times_ms: list[int]) -> None:
        times = [int(t) for t in frame_times_ms]
        if len(times) < 2 or any(b <= a for a, b in itertools.pairwise(times)):
            raise ValueError("frame times must be at least two strictly increasing values (ms)")
        self.times = times
        self.vts = VideoTimestamps(times, Fraction(1000), normalize=False)
        self.last_duration = times[-1] - times[-2]

    def frame_of(self, t_ms: float) -> int:
        """The first frame shown at or after ``t_ms``."""
        if not math.isfinite(t_ms):
            raise ValueError(f"time must be finite, got {t_ms}")
        end = self.times[-1]
        if t_ms > end:
            return len(self.times) - 1 + math.ceil((t_ms - end) / self.last_duration)
        if t_ms <= self.times[0]:
            return 0
        return int(self.vts.time_to_frame(Fraction(t_ms) / 1000, TimeType.START))

    def frame_ms(self, n: int) -> int:
        last = len(self.times) - 1
        if n < 0:
            raise ValueError(f"frame out of range: {n}")
        if n > last:
            return self.times[-1] + (n - last) * self.last_duration
        return int(self.vts.frame_to_time(n, TimeType.EXACT, output_unit=3))


def read_frame_times_ms(video: str | Path, log: JobLog | None = None) -> list[int]:
    """Presentation times (ms) of every frame of the first video stream, sorted, plus the end of the last.

    ffprobe prints one ``packet|pts=…|duration=…`` line per packet (its ``compact`` format: a fifth of the JSON
    it printed before, and no JSON to parse); each time is ``pts × time_base`` in ms, rounded half to even in
    exact integer arithmetic. A packet without a pts is skipped, one without a duration counts as 0."""
    proc = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts,duration:stream=time_base", "-of", "compact", str(video)], log, check=False,
               what=str(video))
    if proc.returncode != 0:
        raise MediaError(f"cannot read the video time stamps of {video}: ffprobe failed")
    try:
        tb, packets = _parse_packets(proc.stdout)
    except (ValueError, ZeroDivisionError):
        raise MediaError(f"cannot read the video time stamps of {video}: unexpected ffprobe output") from None
    if len(packets) < 2:
        raise MediaError(f"{video} has fewer than two video frames")
    packets.sort()
    num, den = tb.numerator * 1000, tb.denominator
    ms = [_round_ratio(p * num, den) for p, _ in packets]
    last_dur = _round_ratio(packets[-1][1] * num, den) or (ms[-1] - ms[-2])
    out = sorted(set(ms))
    out.append(out[-1] + max(1, last_dur))
    return out


_PACKET = re.compile(r"^packet\|pts=(-?\d+)\|duration=(-?\d+|N/A)?", re.M)
_TIME_BASE = re.compile(r"^stream\|time_base=(\d+/\d+)", re.M)


def _parse_packets(text: str) -> tuple[Fraction, list[tuple[int, int]]]:
    """(time base, [(pts, duration)]) from ffprobe's compact output; ValueError when it has no time base."""
    m = _TIME_BASE.search(text)
    if m is None:
        raise ValueError("no time base")
    tb = Fraction(m.group(1))
    if tb <= 0:
        raise ValueError("no time base")
    packets = [(int(p), int(d) if d and d != "N/A" else 0) for p, d in _PACKET.findall(text)]
    return tb, packets


def _round_ratio(n: int, d: int) -> int:
    """``round(n / d)`` for integers, half to even, exactly (``d`` > 0)."""
    q, r = divmod(n, d)
    if 2 * r > d or (2 * r == d and q % 2 == 1):
        q += 1
    return q
