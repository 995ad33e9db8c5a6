"""Chunk confidence scores (spec analysis.md §7.3.6, §7.4.3, §7.9). Mirrors ``src/analysis/confidence.rs``.

All statistics are over the magnitudes ``a = |c|`` of the searched correlation values, in float64:
population standard deviation, median = mean of the two middle values for even counts, percentile with
linear interpolation (numpy's default).
"""

from __future__ import annotations

import numpy as np

from .correlation_options import EPS


def peak_confidence(a: np.ndarray, k: int) -> float:
    """§7.9 peak-normalised score of magnitudes ``a`` (≥ 0) at peak index ``k``, clipped to [0, 100].

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
    """Upstream GCC-SCOT score (§7.4.3): min(100, peak / (mean + ε) · 10)."""
    return float(min(100.0, float(a[k]) / (float(a.mean()) + EPS) * 10.0))


def scc_match(peak: float, energy_r: float, energy_t: float) -> float:
    """Upstream SCC match % (§7.3.6): |c[k*]| / (sqrt(Σr'²·Σt'²) + ε) · 100."""
    return abs(peak) / (float(np.sqrt(energy_r * energy_t)) + EPS) * 100.0


# ------------------------------------------------------------------------------------- distinct-peak score
LOBE_SAMPLES = 240          # main lobe left out around the peak: ±5 ms at 48 kHz
SILENCE_DB = -60.0          # a window whose RMS is below this (dBFS) scores 0


def level_db(x: np.ndarray) -> float:
    """RMS level of ``x`` in dBFS (float64 sum of squares; −inf for an empty or all-zero window)."""
    if x.size == 0:
        return float("-inf")
    x64 = np.asarray(x, dtype=np.float64)
    ms = float(np.dot(x64, x64)) / x64.size
    return 10.0 * float(np.log10(ms)) if ms > 0.0 else float("-inf")


def distinct_confidence(a: np.ndarray, k: int, lobe: int = LOBE_SAMPLES) -> float:
    """How much the peak stands out from every other candidate lag, 0–100.

    ``100 · (1 − second / peak)`` where ``second`` is the largest magnitude outside ±``lobe`` searched lags
    of the peak ``k`` (0 when nothing lies outside). A true alignment of 15 s of programme towers over the
    rest of the correlation (score 60–100); with no common content the peak is merely the largest of
    a million near-equal noise values and the score stays near 0. See docs/confidence.md.
    """
    n = a.size
    p = float(a[k])
    if not p > 0.0:
        return 0.0
    lo, hi = max(0, k - lobe), min(n, k + lobe + 1)
    second = 0.0
    if lo > 0:
        second = float(a[:lo].max())
    if hi < n:
        second = max(second, float(a[hi:].max()))
    return float(min(100.0, max(0.0, 100.0 * (1.0 - second / p))))


def gated_confidence(a: np.ndarray, k: int, r: np.ndarray, t: np.ndarray,
                     silence_db: float = SILENCE_DB) -> float:
    """:func:`distinct_confidence`, or 0 when the reference chunk or the target window is below
    ``silence_db`` (digital silence or near-silence never matches)."""
    if min(level_db(r), level_db(t)) < silence_db:
        return 0.0
    return distinct_confidence(a, k)
