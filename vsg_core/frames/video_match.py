"""Video offset of a source against the reference, for the ``video-verified`` subtitle mode
(docs/subtitles.md, "video-verified").

At several points of the source (``positions``, fractions of its duration) a window of source frames is
compared with reference frames around where the audio delay puts them: ffmpeg decodes small grayscale
frames (``W``×``H``) with their presentation times, each frame gets a dHash (Rust ``frames_dhash`` or the
Python reference here), and the source window slides over the reference frames ±``search_frames``; the
slide with the smallest mean Hamming distance gives that point's offset (reference frame time − source frame
time). The offsets vote: the most common one (after rounding to the reference frame duration) wins when at
least half of the points that found a clear match agree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..backend import Backend, active_backend, require_rust, use_rust
from ..errors import MediaError
from ..log import JobLog
from ..runner import run

W, H = 33, 32                  # 32×32 = 1024-bit dHash
_PTS = re.compile(r"pts_time:\s*(-?[0-9.]+)")


def dhash_py(frames: bytes, w: int, h: int) -> list[list[int]]:
    """Python reference of ``vsg_core_rs.frames_dhash``."""
    if w < 2 or h < 1:
        raise ValueError(f"frame size must be at least 2x1, got {w}x{h}")
    if len(frames) % (w * h):
        raise ValueError(f"{len(frames)} bytes is not a whole number of {w}x{h} frames")
    arr = np.frombuffer(frames, dtype=np.uint8).reshape(-1, h, w)
    bits = (arr[:, :, 1:] > arr[:, :, :-1]).reshape(arr.shape[0], -1)
    n = bits.shape[1]
    words = -(-n // 64)
    out = []
    for row in bits:
        vals = [0] * words
        for k in np.flatnonzero(row):
            vals[k // 64] |= 1 << (int(k) % 64)
        out.append(vals)
    return out


def slide_distances_py(source: list[list[int]], target: list[list[int]]) -> list[float]:
    if not source or len(target) < len(source):
        return []
    out = []
    for s in range(len(target) - len(source) + 1):
        total = sum(sum((a ^ b).bit_count() for a, b in zip(x, y, strict=False))
                    for x, y in zip(source, target[s:], strict=False))
        out.append(total / len(source))
    return out


def _hash(frames: bytes, backend: Backend) -> list[list[int]]:
    if use_rust(backend):
        return [list(h) for h in require_rust().frames_dhash(frames, W, H)]
    return dhash_py(frames, W, H)


def _slide(source: list[list[int]], target: list[list[int]], backend: Backend) -> list[float]:
    if use_rust(backend):
        return list(require_rust().frames_slide_distances(source, target))
    return slide_distances_py(source, target)


def read_frames(video: Path, start_ms: float, duration_ms: float, log: JobLog | None = None
                ) -> tuple[list[float], bytes]:
    """Presentation times (ms, the file's own timeline) and ``W``×``H`` grayscale pixels of the frames in
    ``[start, start + duration)``."""
    start = max(0.0, start_ms) / 1000.0
    proc = run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "info", "-copyts", "-ss", f"{start:.3f}", "-t",
                f"{duration_ms / 1000.0:.3f}", "-i", str(video), "-map", "0:v:0", "-an", "-sn",
                "-fps_mode", "passthrough", "-vf", f"showinfo,scale={W}:{H}:flags=area,format=gray",
                "-f", "rawvideo", "-"],
               None, binary=True, check=False, what=str(video))
    if proc.returncode != 0:
        raise MediaError(f"cannot decode video frames of {video} at {start:.3f} s")
    times = [float(m.group(1)) * 1000.0 for m in _PTS.finditer(proc.stderr)]
    data = bytes(proc.stdout)
    n = len(data) // (W * H)
    if n != len(times):
        raise MediaError(f"{video}: {n} frames decoded but {len(times)} time stamps reported")
    return times, data


@dataclass
class PointResult:
    source_ms: float
    offset_ms: float | None
    distance: float | None
    margin: float | None          # second-best distance (≥ 2 frames away) − best distance


@dataclass
class VideoOffset:
    offset_ms: float | None       # reference time − source time of the same picture (None: no consensus)
    votes: int
    points: list[PointResult] = field(default_factory=list)
    reason: str = ""


def measure_offset(reference: Path, source: Path, audio_offset_ms: float, source_duration_ms: float,
                   frame_ms: float, *, positions: tuple[float, ...] = (0.15, 0.3, 0.5, 0.7, 0.85),
                   window_ms: float = 2000.0, search_frames: int = 24, log: JobLog | None = None,
                   backend: Backend | None = None) -> VideoOffset:
    """The source's video offset (reference time − source time), searched ±``search_frames`` reference
    frames around ``audio_offset_ms``."""
    be: Backend = backend or active_backend()
    results: list[PointResult] = []
    pad = search_frames * frame_ms
    for p in positions:
        s0 = source_duration_ms * p
        try:
            s_times, s_px = read_frames(source, s0, window_ms, log)
            r_times, r_px = read_frames(reference, s0 + audio_offset_ms - pad, window_ms + 2 * pad, log)
        except MediaError as e:
            if log is not None:
                log.log(f"[VideoVerified] point {p:.0%}: {e}")
            results.append(PointResult(s0, None, None, None))
            continue
        src_h, ref_h = _hash(s_px, be), _hash(r_px, be)
        d = _slide(src_h, ref_h, be)
        if len(src_h) < 3 or not d:
            results.append(PointResult(s0, None, None, None))
            continue
        best = int(np.argmin(d))
        others = [v for i, v in enumerate(d) if abs(i - best) >= 2]
        margin = (min(others) - d[best]) if others else None
        results.append(PointResult(s_times[0], r_times[best] - s_times[0], d[best], margin))
    clear = [r for r in results if r.offset_ms is not None and r.margin is not None and r.margin > 0]
    if not clear:
        return VideoOffset(None, 0, results, "no point found a clear match")
    votes = Counter(round(r.offset_ms / frame_ms) for r in clear if r.offset_ms is not None)
    frames, count = votes.most_common(1)[0]
    if count * 2 < len(clear):
        return VideoOffset(None, count, results, f"the points disagree ({dict(votes)})")
    agreeing = [r.offset_ms for r in clear if r.offset_ms is not None and round(r.offset_ms / frame_ms) == frames]
    return VideoOffset(float(np.median(agreeing)), count, results, f"{count} of {len(clear)} points agree")
