"""Where the Matroska copy of a non-Matroska source plays its audio, against where the analysis decoded it.

The analysis decodes the original file with ffmpeg, which honours an MP4 edit list: the AAC encoder's priming
(1024 samples, 23.2 ms at 44.1 kHz) is dropped and the programme starts at sample 0. mkvmerge's copy of the
same file keeps the priming frame at the start of the track, so the copy (and every stream extracted from it)
plays the programme that much later, and a delay measured on the original put the muxed track 21–24 ms late
(docs/pipeline.md#identification). :func:`copy_lag_ms` measures that lag by decoding the first seconds of the
same audio track from both files and cross-correlating them; :func:`vsg_core.extraction.probe.open_source`
then copies the file again with ``--sync`` so the copy plays the audio where ffmpeg decodes the original.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..log import JobLog
from ..runner import run

RATE = 48000
SPAN_S = 20.0        # decoded from the start of each file
MAX_LAG_S = 0.5      # a priming or padding difference is a few frames, never this long
MIN_PEARSON = 0.9    # the same packets decoded twice: anything lower is not a measurement
MIN_RMS = 1e-4       # about −80 dBFS: a silent start cannot be measured


def _decode(path: Path, ordinal: int, ffmpeg: str, log: JobLog | None) -> np.ndarray:
    proc = run([ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}", "-t", f"{SPAN_S:g}",
                "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"], log, binary=True, check=False,
               what=f"{path} audio {ordinal}")
    if proc.returncode != 0:
        return np.zeros(0, dtype=np.float64)
    data = proc.stdout[: len(proc.stdout) // 4 * 4]
    return np.frombuffer(data, dtype="<f4").astype(np.float64)


def lag_ms(original: np.ndarray, copy: np.ndarray) -> float | None:
    """How much later (ms) ``copy`` holds the content of ``original``; None when it cannot be measured."""
    n_max = int(MAX_LAG_S * RATE)
    a = original[n_max: original.size - n_max]
    if a.size < RATE or copy.size < a.size or float(np.sqrt(np.mean(a * a))) < MIN_RMS:
        return None
    n = 1 << int(np.ceil(np.log2(copy.size + a.size)))
    c = np.fft.irfft(np.fft.rfft(copy, n) * np.conj(np.fft.rfft(a, n)), n)
    lags = np.arange(0, 2 * n_max + 1)       # position of ``a`` in ``copy``; n_max means no lag
    valid = lags[lags + a.size <= copy.size]
    k = int(valid[np.argmax(c[valid])])
    seg = copy[k: k + a.size]
    denom = float(np.sqrt(np.sum(a * a) * np.sum(seg * seg)))
    if denom == 0.0 or float(np.dot(a, seg)) / denom < MIN_PEARSON:
        return None
    frac = 0.0
    if 0 < k < c.size - 1:
        y1, y2, y3 = c[k - 1], c[k], c[k + 1]
        den = y1 - 2 * y2 + y3
        if den != 0:
            frac = float(np.clip(0.5 * (y1 - y3) / den, -1, 1))
    return (k + frac - n_max) / RATE * 1000.0


def copy_lag_ms(original: Path, copy: Path, ordinal: int, ffmpeg: str = "ffmpeg",
                log: JobLog | None = None) -> float | None:
    """Lag (ms) of audio track ``ordinal`` (ffmpeg ``0:a:N``) in ``copy`` against ``original``."""
    return lag_ms(_decode(original, ordinal, ffmpeg, log), _decode(copy, ordinal, ffmpeg, log))
