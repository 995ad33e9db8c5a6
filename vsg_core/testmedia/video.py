"""Cheap synthetic video that shows the programme time of every frame.

Each frame (default 320×180, rendered in numpy, encoded with libx264 ultrafast) shows

* a background colour per scene (it changes at the chapter boundaries),
* the programme time as seven-segment digits ``±MM:SS.mmm`` (top left),
* a white bar sweeping left→right every 8 programme seconds,
* a machine-readable code row at the bottom: 24 cells (MSB first, cell ``i`` at ``x = 16 + 12·i``,
  rows ``160…175``), white = 1, holding ``round(programme_ms) + 2**23``; 0 marks filler frames
  (content not in the programme, drawn dark grey without digits).
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import CommandError, ToolMissingError
from ..tools import install_hint
from .programme import Scene

W, H = 320, 180
CODE_BITS = 24
CODE_OFFSET = 2 ** 23
CODE_X0, CODE_CELL, CODE_Y0, CODE_Y1 = 16, 12, 160, 176

#  aaa
# f   b
#  ggg
# e   c
#  ddd
_SEGMENTS = {
    "0": "abcdef", "1": "bc", "2": "abged", "3": "abgcd", "4": "fgbc", "5": "afgcd", "6": "afgedc",
    "7": "abc", "8": "abcdefg", "9": "abcdfg", "-": "g", "+": "", " ": "",
}
GW, GH, T = 12, 22, 2


def _glyph(ch: str) -> np.ndarray:
    m = np.zeros((GH, GW), bool)
    mid = GH // 2
    if ch == ":":
        m[6:9, 5:8] = True
        m[14:17, 5:8] = True
        return m
    if ch == ".":
        m[GH - 3:GH, 5:8] = True
        return m
    if ch == "+":
        m[mid - 1:mid + 1, 2:GW - 2] = True
        m[mid - 5:mid + 5, GW // 2 - 1:GW // 2 + 1] = True
        return m
    seg = _SEGMENTS[ch]
    if "a" in seg:
        m[0:T, 1:GW - 1] = True
    if "d" in seg:
        m[GH - T:GH, 1:GW - 1] = True
    if "g" in seg:
        m[mid - 1:mid + 1, 1:GW - 1] = True
    if "f" in seg:
        m[1:mid, 0:T] = True
    if "b" in seg:
        m[1:mid, GW - T:GW] = True
    if "e" in seg:
        m[mid:GH - 1, 0:T] = True
    if "c" in seg:
        m[mid:GH - 1, GW - T:GW] = True
    return m


_GLYPHS = {c: _glyph(c) for c in "0123456789-+:. "}


def time_text(t: float) -> str:
    sign = "-" if t < 0 else "+"
    ms = round(abs(t) * 1000)
    return f"{sign}{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def frame_code(t_prog: float | None) -> int:
    return 0 if t_prog is None else round(t_prog * 1000) + CODE_OFFSET


def _backgrounds(scenes: Sequence[Scene]) -> list[np.ndarray]:
    out = []
    ramp = np.linspace(0.55, 1.0, H)[:, None, None]
    for k in range(len(scenes)):
        hue = (k * 0.381966) % 1.0  # golden-ratio hue steps: neighbouring scenes differ clearly
        rgb = np.array([abs(hue * 6 - 3) - 1, 2 - abs(hue * 6 - 2), 2 - abs(hue * 6 - 4)]).clip(0, 1)
        col = 60 + 120 * rgb
        out.append(np.broadcast_to(ramp * col, (H, W, 3)).astype(np.uint8).copy())
    return out


def render_frame(t_prog: float | None, scenes: Sequence[Scene], backgrounds: list[np.ndarray]) -> np.ndarray:
    if t_prog is None:
        f = np.full((H, W, 3), 40, np.uint8)
    else:
        k = next((i for i, s in enumerate(scenes) if s.start_s <= t_prog < s.end_s), len(scenes) - 1)
        f = backgrounds[k].copy()
        x = int((t_prog % 8.0) / 8.0 * (W - 6))
        f[:150, x:x + 6] = 255
        f[4:32, 4:8 + 15 * 10] = 20
        for i, ch in enumerate(time_text(t_prog)):
            sub = f[6:6 + GH, 8 + 15 * i:8 + 15 * i + GW]
            sub[_GLYPHS[ch]] = 255
    code = frame_code(t_prog)
    f[CODE_Y0 - 2:CODE_Y1 + 2, CODE_X0 - 2:CODE_X0 + CODE_CELL * CODE_BITS + 2] = 0
    for b in range(CODE_BITS):
        if (code >> (CODE_BITS - 1 - b)) & 1:
            x0 = CODE_X0 + CODE_CELL * b
            f[CODE_Y0:CODE_Y1, x0 + 1:x0 + CODE_CELL - 1] = 255
    return f


def frame_count(duration_s: float, fps: Fraction) -> int:
    """Number of frames k with k/fps < duration_s."""
    return max(0, math.ceil(Fraction(duration_s) * fps))


def encode_video(path: Path, prog_time: Callable[[float], float | None], duration_s: float, fps: Fraction,
                 scenes: Sequence[Scene], crf: int = 32, ffmpeg: str = "ffmpeg") -> int:
    """Render and encode the release video to ``path`` (Matroska, H.264); returns the frame count."""
    n = frame_count(duration_s, fps)
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}",
           "-framerate", f"{fps.numerator}/{fps.denominator}", "-i", "-", "-c:v", "libx264",
           "-preset", "ultrafast", "-crf", str(crf), "-pix_fmt", "yuv420p", "-g", "120",
           "-fflags", "+bitexact", "-flags:v", "+bitexact", str(path)]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise ToolMissingError(f"program not found: {ffmpeg}; {install_hint(['ffmpeg'])}") from None
    bgs = _backgrounds(scenes)
    assert proc.stdin is not None and proc.stderr is not None
    batch: list[bytes] = []
    try:
        for k in range(n):
            batch.append(render_frame(prog_time(float(Fraction(k) / fps)), scenes, bgs).tobytes())
            if len(batch) >= 96:
                proc.stdin.write(b"".join(batch))
                batch.clear()
        if batch:
            proc.stdin.write(b"".join(batch))
        proc.stdin.close()
    except BrokenPipeError:
        pass
    err = proc.stderr.read().decode(errors="replace")
    rc = proc.wait()
    if rc != 0:
        raise CommandError(f"ffmpeg failed with exit code {rc} while encoding video {path.name}: "
                           f"{err.strip()[-300:]}", rc, err)
    return n
