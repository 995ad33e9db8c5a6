"""What ffprobe tells the clipper: an input's length, the keyframe a stream copy starts on, a clip's length."""

from __future__ import annotations

import json

from ..errors import MediaError
from ..log import JobLog
from ..runner import run


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def probe_duration_ms(ffprobe: str, target: str, log: JobLog | None = None) -> int:
    """Container duration in whole milliseconds (rounded); MediaError when ffprobe cannot read one."""
    proc = run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", target], log,
               what=target)
    try:
        value = float(json.loads(proc.stdout)["format"]["duration"])
    except (KeyError, ValueError, TypeError):
        raise MediaError(f"{target}: ffprobe reports no duration; is it a complete media file?") from None
    if not value > 0:
        raise MediaError(f"{target}: the input is empty (duration {value} s)")
    return round(value * 1000)


def keyframe_at_or_before(ffprobe: str, target: str, t_ms: int, log: JobLog | None = None) -> int | None:
    """Presentation time (ms) of the last video keyframe at or before ``t_ms``; None without video.

    Reads key-frame packets in a window of 30 s before ``t_ms`` (falling back to the whole file), which is
    where ffmpeg's input seek lands a stream copy.
    """
    for window in (30_000, None):
        lo = 0 if window is None else max(0, t_ms - window)
        interval = f"{lo / 1000:.3f}%{(t_ms + 1) / 1000:.3f}"
        proc = run([ffprobe, "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
                    "-read_intervals", interval, "-show_entries", "frame=pts_time,best_effort_timestamp_time",
                    "-of", "json", target], log, what=target)
        frames = json.loads(proc.stdout or "{}").get("frames", [])
        times = []
        for f in frames:
            v = f.get("pts_time", f.get("best_effort_timestamp_time"))
            try:
                times.append(round(float(v) * 1000))
            except (TypeError, ValueError):
                continue
        before = [t for t in times if t <= t_ms]
        if before:
            return max(before)
        if window is None or lo == 0:
            return None if not times else min(times)
    return None


def stream_start_ms(ffprobe: str, target: str) -> int:
    """The container start time in ms (0 when ffprobe reports none)."""
    proc = run([ffprobe, "-v", "error", "-show_entries", "format=start_time", "-of", "json", target], None,
               what=target)
    try:
        return round(float(json.loads(proc.stdout)["format"]["start_time"]) * 1000)
    except (KeyError, ValueError, TypeError):
        return 0


def _clock_ms(text: str) -> int | None:
    try:
        h, m, s = text.strip().split(":")
        return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)
    except ValueError:
        return None


def clip_length_ms(ffprobe: str, target: str, log: JobLog | None = None) -> int:
    """Length of a made clip: its first video stream's duration (Matroska's DURATION tag or the stream
    duration), else the container's. Subtitle events copied whole can outlast the picture, so the
    container duration alone overstates a clip."""
    proc = run([ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=duration:stream_tags=DURATION", "-of", "json", target], log, what=target)
    for s in json.loads(proc.stdout or "{}").get("streams", []):
        try:
            return round(float(s["duration"]) * 1000)
        except (KeyError, ValueError, TypeError):
            pass
        tag = (s.get("tags") or {}).get("DURATION")
        if isinstance(tag, str) and _clock_ms(tag) is not None:
            return int(_clock_ms(tag) or 0)
    return probe_duration_ms(ffprobe, target, log)
