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
