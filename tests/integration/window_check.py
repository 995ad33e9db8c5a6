"""Independent check of a muxed output's sync, shared by the correction tests (not vsg's own QA or audit).

The output's reference audio track and the track under test are decoded by ffmpeg on their presentation
timelines, and every 10-second window of the reference is located in the track under test by a GCC-PHAT
cross-correlation written here (not vsg's correlator). Windows whose correlation peak is weak (quiet passages,
filled gaps) are not judged; the callers state how many must be.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np

SR = 48_000
WINDOW_S = 10.0
SEARCH_S = 0.1
MIN_PEAK_RATIO = 10.0     # measured: 16–48 on PAL, 150–420 on drift, 580–1420 on stepping windows


def decode(path: Path, ordinal: int, presentation: bool = True) -> np.ndarray:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}"]
    if presentation:
        cmd += ["-af", "aresample=async=1:min_hard_comp=0.000001:first_pts=0"]
    cmd += ["-ac", "1", "-ar", str(SR), "-f", "f32le", "-"]
    data = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(data[:len(data) - len(data) % 4], dtype="<f4").astype(np.float64)


def lag_ms(ref: np.ndarray, tgt: np.ndarray, start: int) -> tuple[float, float] | None:
    """(lag of the reference window inside the target in ms, peak / median of |correlation|) by GCC-PHAT
    (whitened cross-spectrum: robust to the phase changes of a pitch-preserving time-stretch); None when the
    window does not fit."""
    n, m = int(WINDOW_S * SR), int(SEARCH_S * SR)
    if start - m < 0 or start + n + m > len(tgt) or start + n > len(ref):
        return None
    r = ref[start:start + n]
    t = tgt[start - m:start + n + m]
    size = 1 << int(np.ceil(np.log2(len(t) + n)))
    x = np.fft.rfft(t, size) * np.conj(np.fft.rfft(r, size))
    x /= np.abs(x) + 1e-12
    c = np.fft.irfft(x, size)[:2 * m + 1]
    k = int(np.argmax(c))
    frac = 0.0
    if 0 < k < 2 * m:
        y0, y1, y2 = c[k - 1], c[k], c[k + 1]
        den = y0 - 2 * y1 + y2
        frac = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    return (k + frac - m) * 1000.0 / SR, float(c[k] / (np.median(np.abs(c)) + 1e-12))


def window_lags(out: Path, ref_ordinal: int, tgt_ordinal: int,
                counts: Callable[[float, float], bool] = lambda a, b: True
                ) -> tuple[int, list[tuple[float, float]]]:
    """(number of windows that count, [(window start s, lag ms)] of the judged ones) over the whole output:
    10 s windows every 10 s from 1 s; ``counts(start_s, end_s)`` says whether a window is owed a judgement
    (e.g. not one spanning a filled gap)."""
    ref = decode(out, ref_ordinal)
    tgt = decode(out, tgt_ordinal)
    starts = [s for s in range(int(1 * SR), len(ref) - int((WINDOW_S + 1) * SR), int(WINDOW_S * SR))
              if counts(s / SR, s / SR + WINDOW_S)]
    lags = []
    for s in starts:
        got = lag_ms(ref, tgt, s)
        if got is None or got[1] < MIN_PEAK_RATIO:
            continue
        lags.append((s / SR, got[0]))
    return len(starts), lags
