"""Keyframe times of a video and snapping chapter times to them (docs/chapters.md#keyframe-snap).

Keyframes come from ``ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags -of json``:
packets with a ``pts_time`` and ``K`` in their flags, ``ns = round_half_even(pts_time · 1e9)`` (computed
exactly from the decimal string), sorted and de-duplicated.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from ..errors import MediaError
from ..log import JobLog
from ..models import SnapMode
from ..runner import run
from .times import NS_PER_MS


def _pts_ns(pts_time: str) -> int | None:
    try:
        value = Decimal(str(pts_time)) * 1_000_000_000
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def parse_keyframes(ffprobe_json: str) -> list[int]:
    """Sorted keyframe times (ns) from the ffprobe packet JSON."""
    data = json.loads(ffprobe_json or "{}")
    if not isinstance(data, dict) or not isinstance(data.get("packets") or [], list):
        raise ValueError("expected a JSON object with a 'packets' list")
    out = set()
    for pkt in data.get("packets") or []:
        if not isinstance(pkt, dict):
            continue
        if "K" not in str(pkt.get("flags", "")) or pkt.get("pts_time") in (None, "N/A"):
            continue
        ns = _pts_ns(pkt["pts_time"])
        if ns is not None:
            out.add(ns)
    return sorted(out)


def probe_keyframes(video: Path | str, log: JobLog | None = None, ffprobe: str = "ffprobe") -> list[int]:
    """Keyframe times (ns) of the first video stream of ``video``; MediaError when ffprobe fails."""
    cmd = [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
           "-of", "json", str(video)]
    proc = run(cmd, log, check=False, what=str(video))
    if proc.returncode != 0:
        raise MediaError(f"ffprobe could not read the keyframes of {video} (exit code {proc.returncode}): "
                         f"{proc.stderr.strip() or 'no error output'}")
    try:
        return parse_keyframes(proc.stdout)
    except ValueError as exc:
        raise MediaError(f"ffprobe printed unreadable packet JSON for {video}: {exc}") from None


@dataclass(frozen=True)
class SnapResult:
    time_ns: int          # the (possibly) snapped time
    delta_ns: int         # candidate − original
    outcome: str          # "snapped", "on_keyframe" or "too_far"


def snap_time(t_ns: int, keyframes: Sequence[int], mode: SnapMode | str, threshold_ms: int) -> SnapResult:
    """Keyframe snap of one time (docs/chapters.md#keyframe-snap). ``keyframes`` must be sorted and non-empty.

    ``previous``: the last keyframe ≤ t (the first keyframe when none). Any other mode (``nearest``): the
    closer of that and the first keyframe > t (the last keyframe when none); ties go to the previous one.
    """
    if not keyframes:
        raise ValueError("snap_time needs at least one keyframe")
    i = bisect.bisect_right(keyframes, t_ns)
    prev = keyframes[i - 1] if i > 0 else keyframes[0]
    candidate = prev
    if str(mode) != SnapMode.PREVIOUS.value:
        nxt = keyframes[i] if i < len(keyframes) else keyframes[-1]
        candidate = prev if abs(t_ns - prev) <= abs(t_ns - nxt) else nxt
    delta = candidate - t_ns
    if delta == 0:
        return SnapResult(t_ns, 0, "on_keyframe")
    if abs(delta) <= threshold_ms * NS_PER_MS:
        return SnapResult(candidate, delta, "snapped")
    return SnapResult(t_ns, delta, "too_far")
