"""Variable frame rate: frame times read from the reference video itself, answered by the
``VideoTimestamps`` package (docs/frame_math.md, "VFR").

:func:`read_frame_times_ms` reads the presentation time of every frame of the first video track (milliseconds)
and appends the end of the last frame — from a Matroska file with ``mkvextract timestamps_v2`` (it reads the
block headers only: 0.1 s for a 24-minute episode), from any other container with ffprobe's packet list (0.5 s
and 0.85 s of CPU for the same file); both give the same list (checked on 62 generated files, CFR and VFR).
:class:`VfrClock` answers "which frame does an event starting at t first appear on" (``TimeType.START``: the
first frame whose time is ≥ t) and "when is frame n shown" through ``video_timestamps.VideoTimestamps``. Past
the last frame it continues with the last frame's duration. The Rust port (``FrameTimes`` in
``vsg_core_rs/src/frames``) answers the same from the same list; tests/parity/test_phase6_frames.py compares
them.
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
from fractions import Fraction
from pathlib import Path

from ..errors import MediaError
from ..log import JobLog
from ..runner import run


class VfrClock:
    def __init__(self, frame_times_ms: list[int]) -> None:
        times = [int(t) for t in frame_times_ms]
        if len(times) < 2 or any(b <= a for a, b in itertools.pairwise(times)):
            raise ValueError("frame times must be at least two strictly increasing values (ms)")
        self.times = times
        # imported here: the package costs ~0.03–0.1 s to import (it loads its video providers), which a job
        # pays only when it retimes subtitles on a VFR clock, not before every analysis
        from video_timestamps import TimeType, VideoTimestamps

        self._start, self._exact = TimeType.START, TimeType.EXACT
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
        return int(self.vts.time_to_frame(Fraction(t_ms) / 1000, self._start))

    def frame_ms(self, n: int) -> int:
        last = len(self.times) - 1
        if n < 0:
            raise ValueError(f"frame out of range: {n}")
        if n > last:
            return self.times[-1] + (n - last) * self.last_duration
        return int(self.vts.frame_to_time(n, self._exact, output_unit=3))


def read_frame_times_ms(video: str | Path, log: JobLog | None = None) -> list[int]:
    """Presentation times (ms) of every frame of the first video stream, sorted, plus the end of the last:
    :func:`_matroska_frame_times_ms` for a Matroska file, else :func:`_ffprobe_frame_times_ms`."""
    times = _matroska_frame_times_ms(Path(video), log)
    return times if times is not None else _ffprobe_frame_times_ms(video, log)


_TS_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")


def _matroska_frame_times_ms(video: Path, log: JobLog | None) -> list[int] | None:
    """The frame times from ``mkvextract FILE timestamps_v2 TID:OUT`` for the first video track of a Matroska
    file; None when ``video`` is not Matroska, has no video track or mkvextract cannot read it (the caller
    then asks ffprobe).

    The output is ``# timestamp format v2`` and one time per line in ms (exact: whole nanoseconds printed with
    up to six decimals), sorted, the last line being the end of the last frame (its time plus its block or
    default duration). Each frame time is rounded half to even to whole ms, as the ffprobe path rounds
    ``pts × time_base``; the last frame keeps the duration ffprobe reports for it, the whole milliseconds of
    that end line (floor)."""
    from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

    from .. import scratch
    from ..identification import mkvmerge_identify

    try:
        info = mkvmerge_identify(video, log)
    except MediaError:
        return None
    container = (info.data.get("container") or {}).get("type", "")
    videos = [t for t in info.data.get("tracks", []) if t.get("type") == "video"]
    if info.returncode not in (0, 1) or "Matroska" not in str(container) or not videos:
        return None
    out = scratch.mkdtemp("timestamps") / "video.txt"
    try:
        proc = run(["mkvextract", str(video), "timestamps_v2", f"{videos[0]['id']}:{out}"], log, check=False,
                   what=str(video))
        if proc.returncode not in (0, 1) or not out.is_file():
            return None
        values = [Decimal(m.group(1)) for m in map(_TS_LINE.match, out.read_text().splitlines()) if m]
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    if len(values) < 3:
        return None
    frames, end = values[:-1], values[-1]
    ms = sorted({int(v.to_integral_value(rounding=ROUND_HALF_EVEN)) for v in frames})
    last_dur = int((end - max(frames)).to_integral_value(rounding=ROUND_FLOOR)) or (ms[-1] - ms[-2])
    ms.append(ms[-1] + max(1, last_dur))
    return ms


def _ffprobe_frame_times_ms(video: str | Path, log: JobLog | None = None) -> list[int]:
    """Frame times from ffprobe's packet list (any container).

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
