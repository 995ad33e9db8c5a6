"""The four FFT correlation methods (SCC, GCC-PHAT, GCC-SCOT, Whitened) — Python reference.

Mirrors ``vsg_core_rs/src/analysis/correlation.rs`` step by step; both compute in float64 (the original's
baseline ran in float32 under NumPy ≥ 2, docs/analysis.md#rounding-and-precision) and use the same definitions below,
so integer lags agree and raw lags/confidences agree to rounding.

Inputs per chunk: the reference chunk ``r`` (length L) and the target window ``t``:

* **circle layout** (``len(t) == L``; the original's, docs/analysis.md#chunk-placement): the same sample window from
  both signals, circular correlation ``c[k] = Σ r[m+k]·t[m]`` of length ``n ≥ 2L−1``; searched lags −(L−1)…L−1 kept in
  the original's array order (lags 0…L−1, then −(L−1)…−1; SCC: ascending lags, docs/analysis.md#correlation-methods);
* **window layout** (``len(t) == L + 2M``, vsg): the target window holds the chunk's samples ± M, so every
  lag −M…M has the whole chunk overlapping; ``n ≥ L + 2M`` suffices; values in ascending lag order.

Lag sign (docs/analysis.md#sign-convention): the returned lag is ``t_ref − t_tgt`` in samples: content that occurs
*later* in the target gives a negative lag. ``delay_ms = lag / SR · 1000``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..confidence import gated_confidence, peak_confidence, scc_match, scot_confidence
from ..correlation_options import EPS, SR, CorrelationOptions


@dataclass(frozen=True)
class LagResult:
    lag: int          # integer peak lag, samples (t_ref − t_tgt)
    raw_lag: float    # lag + sub-sample offset (== lag when no fit)
    confidence: float


def fast_len(n: int) -> int:
    """Smallest 2^a·3^b·5^c ≥ n (equals ``scipy.fft.next_fast_len(n, real=True)``)."""
    if n <= 1:
        return 1
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            if m < best:
                best = m
            p35 *= 3
        p5 *= 5
    return best


def fft_length(len_r: int, len_t: int, exact: bool) -> int:
    """FFT length: circle layout needs ≥ len_r+len_t−1, window layout ≥ len_t (no wrap into the searched lags)."""
    need = len_r + len_t - 1 if len_r == len_t else len_t
    return need if exact else fast_len(need)


def smooth_power(p: np.ndarray, half_width: int) -> np.ndarray:
    """Moving average of ``p`` over bins [k−h, k+h] ∩ [0, len) (prefix sums; negatives from rounding → 0)."""
    if half_width <= 0:
        return p.copy()
    nb = p.size
    c = np.empty(nb + 1)
    c[0] = 0.0
    np.cumsum(p, out=c[1:])
    k = np.arange(nb)
    lo = np.maximum(k - half_width, 0)
    hi = np.minimum(k + half_width + 1, nb)
    s = (c[hi] - c[lo]) / (hi - lo)
    return np.maximum(s, 0.0)


def smoothing_bins(smooth_hz: float, n: int) -> int:
    return max(0, round(0.5 * smooth_hz * n / SR))


def signal_mask(pr: np.ndarray, pt: np.ndarray, mask_db: float) -> np.ndarray:
    """Bins where both (smoothed) power spectra are within ``mask_db`` dB of their maximum."""
    f = 10.0 ** (-mask_db / 10.0)
    return (pr >= pr.max() * f) & (pt >= pt.max() * f)


def taper(n: int, alpha: float) -> np.ndarray | None:
    """Tukey-style taper: raised-cosine ramps of T = round(alpha·n/2) samples at both ends, 1 between.

    ``w[i] = 0.5·(1 − cos(π·(i + 0.5)/T))`` for i < T, mirrored at the end. None when T = 0.
    """
    t = min(round(alpha * n / 2.0), n // 2)
    if t <= 0:
        return None
    w = np.ones(n)
    ramp = 0.5 * (1.0 - np.cos(np.pi * (np.arange(t) + 0.5) / t))
    w[:t] = ramp
    w[n - t:] = ramp[::-1]
    return w


def _mag(z: np.ndarray) -> np.ndarray:
    """|z| as sqrt(re² + im²) (the Rust mirror's expression; np.abs uses hypot)."""
    return np.sqrt(z.real * z.real + z.imag * z.imag)


def _znorm(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + EPS)


def _search(c: np.ndarray, len_r: int, len_t: int, ascending: bool) -> tuple[np.ndarray, np.ndarray]:
    """The searched correlation values and their lags (see module docstring)."""
    n = c.size
    if len_r == len_t:
        L = len_r
        if ascending:
            s = np.concatenate((c[n - L + 1:], c[:L]))
            lags = np.arange(-(L - 1), L)
        else:
            s = np.concatenate((c[:L], c[n - L + 1:]))
            lags = np.concatenate((np.arange(0, L), np.arange(-(L - 1), 0)))
        return s, lags
    two_m = len_t - len_r
    s = np.concatenate((c[n - two_m:], c[:1]))
    return s, np.arange(two_m + 1) - two_m // 2


def _pearson(s: np.ndarray, rz: np.ndarray, tz: np.ndarray) -> np.ndarray:
    """Pearson r at each window-layout lag: the chunk against the overlapping target samples."""
    L = rz.size
    two_m = tz.size - L
    p1 = np.empty(tz.size + 1)
    p2 = np.empty(tz.size + 1)
    p1[0] = p2[0] = 0.0
    np.cumsum(tz, out=p1[1:])
    np.cumsum(tz * tz, out=p2[1:])
    j = two_m - np.arange(two_m + 1)   # start of the overlapping target samples for each searched lag
    ssum = p1[j + L] - p1[j]
    var = np.maximum(p2[j + L] - p2[j] - ssum * ssum / L, 0.0)
    er = float(np.dot(rz, rz))
    return s / (np.sqrt(er * var) + 1e-6 * L)


def parabolic_offset(y1: float, y2: float, y3: float) -> float:
    """Sub-sample peak offset δ of a parabola through three points; 0 unless the vertex is within ±1."""
    den = y1 - 2.0 * y2 + y3
    if den == 0.0:
        return 0.0
    d = 0.5 * (y1 - y3) / den
    return d if -1.0 < d < 1.0 else 0.0


def correlate_chunk(r: np.ndarray, t: np.ndarray, method: str, opts: CorrelationOptions) -> LagResult:
    """One chunk with one FFT method (``scc``, ``gcc_phat``, ``gcc_scot``, ``gcc_whiten``)."""
    len_r, len_t = r.size, t.size
    if len_t < len_r or (len_t - len_r) % 2:
        raise ValueError(f"target window length {len_t} must be the chunk length {len_r} + 2·margin")
    window = len_t != len_r
    r64 = np.asarray(r, dtype=np.float64)
    t64 = np.asarray(t, dtype=np.float64)
    if method == "scc":
        r64, t64 = _znorm(r64), _znorm(t64)
    elif opts.taper > 0 and (w := taper(len_r, opts.taper)) is not None:
        r64 = r64 * w
    n = fft_length(len_r, len_t, opts.exact_fft_length)
    R = np.fft.rfft(r64, n)
    T = np.fft.rfft(t64, n)
    vsg = opts.profile == "vsg"
    mask = None
    if method == "scc":
        X = R * np.conj(T)
    else:
        pr = R.real * R.real + R.imag * R.imag
        pt = T.real * T.real + T.imag * T.imag
        h = smoothing_bins(opts.smooth_hz, n)
        sr_ = st_ = None
        if opts.mask_db is not None or (method == "gcc_scot" and vsg):
            sr_, st_ = smooth_power(pr, h), smooth_power(pt, h)
        if opts.mask_db is not None:
            mask = signal_mask(sr_, st_, opts.mask_db)
        G = R * np.conj(T)
        if method == "gcc_phat":
            X = G / (_mag(G) + EPS)
        elif method == "gcc_scot":
            if vsg:
                X = G / (np.sqrt(sr_ * st_) + EPS)
            else:
                X = G / (np.sqrt(pr * pt) + EPS)
        elif method == "gcc_whiten":
            X = (R / (_mag(R) + EPS)) * np.conj(T / (_mag(T) + EPS))
        else:
            raise ValueError(f"unknown FFT correlation method {method!r}")
        if mask is not None:
            X = np.where(mask, X, 0.0)
    c = np.fft.irfft(X, n)
    ascending = window or method == "scc"
    s, lags = _search(c, len_r, len_t, ascending)
    pearson = method == "scc" and window and opts.pearson_scc
    vals = _pearson(s, r64, t64) if pearson else s
    a = np.abs(vals)
    k = int(np.argmax(a))
    lag = int(lags[k])
    raw = float(lag)
    # the original: only SCC has the (opt-in) fit, docs/analysis.md#correlation-methods; vsg: every method
    fit = opts.peak_fit and (vsg or method == "scc")
    half = (lags.size - 1) // 2           # searched lags are −half … half in both layouts
    if fit and -half < lag < half:
        # vsg fits the signed values (sign of the peak), so a negative side lobe next to a sharp peak is not
        # folded up by |·|; the original's SCC fit uses magnitudes (docs/analysis.md#correlation-methods)
        y = vals * np.sign(vals[k]) if vsg else a

        def at(lg: int) -> float:
            return float(y[lg + half if ascending else (lg if lg >= 0 else lags.size + lg)])
        raw = lag + parabolic_offset(at(lag - 1), float(y[k]), at(lag + 1))
    if opts.distinct_confidence:
        conf = gated_confidence(a, r, t, opts.silence_db)
    elif method == "scc":
        conf = float(a[k]) * 100.0 if pearson else scc_match(float(s[k]), float(np.dot(r64, r64)),
                                                             float(np.dot(t64, t64)))
    elif method == "gcc_scot" and not opts.stable_confidence:
        conf = scot_confidence(a, k)
    else:
        conf = peak_confidence(a, k)
    return LagResult(lag, raw, conf)
