"""Release timelines: which programme time a release shows at each of its own instants, and rendering
programme audio along such a map with sub-sample precision.

A :class:`TimeMap` is a list of pieces laid end to end on the release timeline. A piece either plays the
programme from ``prog_start`` at speed ``speed`` (programme seconds per release second), or is *filler*
(content that is not in the programme, e.g. an inserted bumper). Piece lengths are whole samples at
48 kHz, so every boundary is exact.

Rendering a speed-1 piece takes the programme at a fractional start with a 257-tap Kaiser-windowed sinc
interpolator (an integer start is an exact copy). Speed ≠ 1 uses either polyphase resampling
(``method="resample"``: a clock-drift, pitch changes with speed — used for linear drift) or the rubberband
CLI (``method="tempo"``: tempo change with pitch kept — used for PAL speed-up).
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.io import wavfile

from ..errors import CommandError
from ..tools import require
from .programme import FS

SINC_HALF = 128  # taps each side


@dataclass(frozen=True)
class Piece:
    samples: int                       # length on the release timeline (48 kHz samples)
    prog_start: float | None           # programme time at the piece's first sample; None = filler
    speed: Fraction = Fraction(1)      # programme seconds per release second
    method: str = "shift"              # "shift" (speed 1), "resample" or "tempo"

    @property
    def seconds(self) -> float:
        return self.samples / FS

    @property
    def prog_end(self) -> float | None:
        return None if self.prog_start is None else self.prog_start + self.seconds * float(self.speed)


@dataclass(frozen=True)
class TimeMap:
    pieces: tuple[Piece, ...]

    @property
    def samples(self) -> int:
        return sum(p.samples for p in self.pieces)

    @property
    def duration_s(self) -> float:
        return self.samples / FS

    def starts(self) -> list[float]:
        """Release time at which each piece starts."""
        out, acc = [], 0
        for p in self.pieces:
            out.append(acc / FS)
            acc += p.samples
        return out

    def to_prog(self, t_rel: float) -> float | None:
        """Programme time shown at release time ``t_rel`` (None inside filler or outside the release)."""
        for start, p in zip(self.starts(), self.pieces, strict=True):
            if start <= t_rel < start + p.seconds:
                if p.prog_start is None:
                    return None
                return p.prog_start + (t_rel - start) * float(p.speed)
        return None

    def to_rel(self, t_prog: float) -> float | None:
        """Release time at which programme time ``t_prog`` is shown (None if the release lacks it)."""
        for start, p in zip(self.starts(), self.pieces, strict=True):
            if p.prog_start is None:
                continue
            assert p.prog_end is not None
            if p.prog_start <= t_prog < p.prog_end:
                return start + (t_prog - p.prog_start) / float(p.speed)
        return None

    def prog_range(self) -> tuple[float, float]:
        ps = [(p.prog_start, p.prog_end) for p in self.pieces if p.prog_start is not None]
        return min(a for a, _ in ps), max(b for _, b in ps)  # type: ignore[type-var]


def offset_map(prog_start: float, duration_s: float) -> TimeMap:
    """A release that plays the programme from ``prog_start`` at normal speed."""
    return TimeMap((Piece(round(duration_s * FS), prog_start),))


# --------------------------------------------------------------------------------------------- rendering


def _sinc_kernel(frac: float) -> np.ndarray:
    """Taps h[k + SINC_HALF] = h(k - frac), k = -SINC_HALF..SINC_HALF (correlation form): a sinc with
    cut-off at 0.97·Nyquist under a Kaiser window (beta 12) evaluated at the fractional positions."""
    k = np.arange(-SINC_HALF, SINC_HALF + 1, dtype=np.float64)
    u = k - frac
    r = np.clip(u / (SINC_HALF + 1), -1.0, 1.0)
    w = np.i0(12.0 * np.sqrt(1.0 - r * r)) / np.i0(12.0)
    return 0.97 * np.sinc(0.97 * u) * w


def read_window(x: np.ndarray, start: float, n: int) -> np.ndarray:
    """``out[i] = x(start + i)`` for a fractional sample position ``start`` (band-limited interpolation);
    samples outside ``x`` read as zero. ``x`` is (samples, channels)."""
    i0 = int(np.floor(start))
    frac = start - i0
    ch = x.shape[1]
    if frac < 1e-9:
        out = np.zeros((n, ch), np.float32)
        a, b = max(0, i0), min(x.shape[0], i0 + n)
        if b > a:
            out[a - i0:b - i0] = x[a:b]
        return out
    lo, hi = i0 - SINC_HALF, i0 + n + SINC_HALF
    seg = np.zeros((hi - lo, ch), np.float32)
    a, b = max(0, lo), min(x.shape[0], hi)
    if b > a:
        seg[a - lo:b - lo] = x[a:b]
    h = _sinc_kernel(frac).astype(np.float32)
    # out[i] = sum_j seg[i + j] h[j] = sum_k x[i0 + i + k] h(k - frac), k = j - HALF (float32 FFT
    # overlap-add: error ~1e-6 of full scale)
    return signal.oaconvolve(seg, h[::-1, None], mode="valid", axes=0).astype(np.float32, copy=False)


def _resample(x: np.ndarray, speed: Fraction) -> np.ndarray:
    """Polyphase resampling so that output sample i is input position i·speed (exactly aligned)."""
    return signal.resample_poly(x, speed.denominator, speed.numerator, axis=0).astype(np.float32)


def _tempo(x: np.ndarray, speed: Fraction, tmp: Path) -> np.ndarray:
    """rubberband: output sample i ≈ input position i·speed, pitch kept."""
    exe = require("rubberband")["rubberband"]
    src, dst = tmp / "tempo_in.wav", tmp / "tempo_out.wav"
    wavfile.write(src, FS, np.ascontiguousarray(x, dtype=np.float32))  # IEEE-float WAV
    ratio = 1 / speed
    cmd = [exe, "-q", "--threads", "--ignore-clipping", "--time", f"{float(ratio):.15f}", str(src), str(dst)]
    proc = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace")
        raise CommandError(f"rubberband failed with exit code {proc.returncode}: {err.strip()[-300:]}",
                           proc.returncode, err)
    with warnings.catch_warnings():
        # rubberband (libsndfile) adds a PEAK chunk that scipy does not know; the samples are unaffected
        warnings.filterwarnings("ignore", category=wavfile.WavFileWarning)
        _, y = wavfile.read(dst)
    if y.dtype != np.float32:
        raise CommandError(f"rubberband wrote {y.dtype} samples, expected float32: {dst.name}")
    return y.reshape(len(y), -1)


def render(source: np.ndarray, source_t0: float, tmap: TimeMap, filler_seed: int = 0) -> np.ndarray:
    """Audio of a release: ``source`` (samples × channels, sample 0 = programme time ``source_t0``)
    rendered along ``tmap``. Filler pieces get -60 dBFS room noise."""
    ch = source.shape[1]
    parts: list[np.ndarray] = []
    for k, p in enumerate(tmap.pieces):
        if p.prog_start is None:
            rng = np.random.default_rng([filler_seed, 99, k])
            parts.append((rng.standard_normal((p.samples, ch)) * 10 ** (-60 / 20)).astype(np.float32))
            continue
        pos = (p.prog_start - source_t0) * FS
        if p.speed == 1:
            parts.append(read_window(source, pos, p.samples))
            continue
        need = int(np.ceil(p.samples * float(p.speed))) + 4 * FS // 10
        seg = read_window(source, pos, need)
        if p.method == "resample":
            y = _resample(seg, p.speed)
        elif p.method == "tempo":
            with tempfile.TemporaryDirectory(prefix="vsg-tempo-") as d:
                y = _tempo(seg, p.speed, Path(d))
        else:
            raise ValueError(f"unknown piece method {p.method!r}")
        if y.shape[0] < p.samples:
            y = np.concatenate([y, np.zeros((p.samples - y.shape[0], ch), np.float32)])
        parts.append(y[:p.samples])
    with contextlib.suppress(ValueError):
        return np.concatenate(parts)
    return np.zeros((0, ch), np.float32)
