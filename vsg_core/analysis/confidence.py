"""Chunk confidence scores (docs/analysis.md#confidence). Mirrors ``src/analysis/confidence.rs``.

All statistics are over the magnitudes ``a = |c|`` of the searched correlation values, in float64:
population standard deviation, median = mean of the two middle values for even counts, percentile with
linear interpolation (numpy's default).
"""

from __future__ import annotations

import numpy as np

from .correlation_options import EPS


def peak_confidence(a: np.ndarray, k: int) -> float:
    """Peak-normalised score (docs/analysis.md#confidence) of magnitudes ``a`` (≥ 0) at peak index ``k``, clipped to
    [0, 100].

    prominence = p / (median + ε); uniqueness = p / (largest value outside ±w of the peak + ε) with
    w = max(1, n // 100); snr = p / (std of the values below the 90th percentile + ε) (1e-9 when ≤ 10 such
    values); score = (5·prominence + 8·uniqueness + 1.5·snr) / 3.
    """
    n = a.size
    p = float(a[k])
    med = float(np.median(a))
    prominence = p / (med + EPS)
    w = max(1, n // 100)
    lo, hi = max(0, k - w), min(n, k + w + 1)
    second = -np.inf
    if lo > 0:
        second = float(a[:lo].max())
    if hi < n:
        second = max(second, float(a[hi:].max()))
    if second == -np.inf:
        second = med
    uniqueness = p / (second + EPS)
    q90 = float(np.percentile(a, 90))
    bg = a[a < q90]
    sigma = float(bg.std()) if bg.size > 10 else 1e-9
    snr = p / (sigma + EPS)
    score = (5.0 * prominence + 8.0 * uniqueness + 1.5 * snr) / 3.0
    return float(min(100.0, max(0.0, score)))


def scot_confidence(a: np.ndarray, k: int) -> float:
    """Upstream GCC-SCOT score (docs/analysis.md#confidence): min(100, peak / (mean + ε) · 10)."""
    return float(min(100.0, float(a[k]) / (float(a.mean()) + EPS) * 10.0))


def scc_match(peak: float, energy_r: float, energy_t: float) -> float:
    """Upstream SCC match % (docs/analysis.md#confidence): |c[k*]| / (sqrt(Σr'²·Σt'²) + ε) · 100."""
    return abs(peak) / (float(np.sqrt(energy_r * energy_t)) + EPS) * 100.0


# ------------------------------------------------------------------------------------- distinct-peak score
LOBE_SAMPLES = 960          # main lobe left out around the peak: ±20 ms at 48 kHz
ENVELOPE_SAMPLES = 241      # energy envelope: mean of |c|² over 5 ms (gathers a peak smeared by drift)
SILENCE_DB = -60.0          # a window whose RMS is below this (dBFS) scores 0


def level_db(x: np.ndarray) -> float:
    """RMS level of ``x`` in dBFS (float64 sum of squares; −inf for an empty or all-zero window)."""
    if x.size == 0:
        return float("-inf")
    x64 = np.asarray(x, dtype=np.float64)
    ms = float(np.dot(x64, x64)) / x64.size
    return 10.0 * float(np.log10(ms)) if ms > 0.0 else float("-inf")


def energy_envelope(a: np.ndarray, width: int = ENVELOPE_SAMPLES) -> np.ndarray:
    """Mean of ``a²`` over each run of ``width`` consecutive lags (``a.size − width + 1`` values; the whole
    array when it is shorter), from a sequential float64 running sum like the Rust mirror."""
    w = max(1, min(width, a.size))
    c = np.empty(a.size + 1)
    c[0] = 0.0
    np.cumsum(a.astype(np.float64) ** 2, out=c[1:])
    return (c[w:] - c[:-w]) / w


def distinct_confidence(a: np.ndarray, lobe: int = LOBE_SAMPLES, width: int = ENVELOPE_SAMPLES) -> float:
    """How much the strongest correlation stands out from every other candidate lag, 0–100.

    On the energy envelope ``e`` (:func:`energy_envelope`) with maximum ``e[j]``:
    ``100 · (1 − sqrt(second / e[j]))`` where ``second`` is the largest ``e`` more than ``lobe`` lags from
    ``j`` (0 when nothing is that far). A true alignment of 15 s of programme towers over the rest of the
    correlation (score ≈ 80–100, also when drift within the chunk smears its peak over a few ms); with no
    common content the peak is the largest of a million near-equal noise values and the score stays near 0.
    See docs/confidence.md.
    """
    if a.size == 0:
        return 0.0
    e = energy_envelope(a, width)
    j = int(np.argmax(e))
    p = float(e[j])
    if not p > 0.0:
        return 0.0
    lo, hi = max(0, j - lobe), min(e.size, j + lobe + 1)
    second = 0.0
    if lo > 0:
        second = float(e[:lo].max())
    if hi < e.size:
        second = max(second, float(e[hi:].max()))
    return float(min(100.0, max(0.0, 100.0 * (1.0 - float(np.sqrt(second / p))))))


def gated_confidence(a: np.ndarray, r: np.ndarray, t: np.ndarray, silence_db: float = SILENCE_DB) -> float:
    """:func:`distinct_confidence`, or 0 when the reference chunk or the target window is below
    ``silence_db`` (digital silence or near-silence never matches)."""
    if min(level_db(r), level_db(t)) < silence_db:
        return 0.0
    return distinct_confidence(a)
