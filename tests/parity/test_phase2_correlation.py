"""Phase 2 parity: the Rust correlation engine (vsg_core_rs) against the Python reference (vsg_core.analysis).

Tolerances (from the issue): for every FFT method (SCC, GCC-PHAT, GCC-SCOT, Whitened), both profiles (vsg,
spec) and every chunk, the integer lag is identical, the raw delay agrees within 0.001 ms and the confidence
within 1e-3 relative; chunk placement, ``fast_len`` and the peak-normalised confidence (docs/analysis.md#confidence)
agree exactly / to 1e-9.

Signals are hypothesis-generated: white noise, linear chirps, band-limited noise and mixtures of these with
tones, delayed by random integer or fractional sample counts of either sign (fractional delays are applied
in the frequency domain), with independent noise added to the target. Chunks are short (≤ 6000 samples) so
the module runs in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vsg_core_rs as rs
from vsg_core.analysis.chunks import place_chunks
from vsg_core.analysis.confidence import peak_confidence
from vsg_core.analysis.correlate import correlate_arrays, correlate_lags, rust_kwargs
from vsg_core.analysis.correlation_options import FFT_METHODS, SR, CorrelationOptions
from vsg_core.analysis.methods.fft import correlate_chunk, fast_len

RAW_TOL_MS = 0.001
CONF_REL_TOL = 1e-3


def _signal(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / SR
    if kind == "noise":
        return rng.standard_normal(n)
    if kind == "chirp":
        f0, f1 = rng.uniform(50, 2000), rng.uniform(3000, 20000)
        return np.sin(2 * np.pi * (f0 * t + (f1 - f0) / (2 * t[-1]) * t * t))
    if kind == "bandnoise":
        x = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1 / SR)
        lo = rng.uniform(100, 2000)
        x[(f < lo) | (f > lo + rng.uniform(1000, 8000))] = 0
        return np.fft.irfft(x, n)
    # mixture: chirp + noise + two tones
    return (_signal("chirp", n, rng) + 0.5 * rng.standard_normal(n)
            + 0.3 * np.sin(2 * np.pi * rng.uniform(100, 5000) * t + rng.uniform(0, 6)))


def _delayed(x: np.ndarray, d: float) -> np.ndarray:
    """x(t − d) for a (periodic) signal, fractional d in samples."""
    n = x.size
    X = np.fft.rfft(x)
    X *= np.exp(-2j * np.pi * np.fft.rfftfreq(n) * d)
    return np.fft.irfft(X, n)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, int, list[int]]:
    """(reference, target, chunk length L, margin M, chunk starts)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    L = draw(st.integers(600, 6000))
    M = draw(st.sampled_from([0, L // 4, L // 2]))
    total = 4 * L + 4 * M + 2000
    kind = draw(st.sampled_from(["noise", "chirp", "bandnoise", "mixture"]))
    x = _signal(kind, total, rng)
    lim = max(1, (M or L) - 1)
    if draw(st.booleans()):
        d = float(draw(st.integers(-lim, lim)))
    else:
        d = draw(st.floats(-lim + 1, lim - 1, allow_nan=False)) if lim > 2 else 0.37
    y = _delayed(x, d) + draw(st.sampled_from([0.0, 0.05, 0.3])) * rng.standard_normal(total)
    starts = sorted(draw(st.lists(st.integers(M, total - L - M), min_size=1, max_size=3)))
    return x.astype(np.float32), y.astype(np.float32), L, M, starts


PROFILES = {
    "vsg": CorrelationOptions(),
    "vsg_nomask": CorrelationOptions(mask_db=None, smooth_hz=0.0),
    "spec": CorrelationOptions.spec(),
    "spec_fit_fast": CorrelationOptions.spec(peak_fit=True, exact_fft_length=False),
}


def _compare(py: list, rust: list, ctx: str) -> None:
    assert len(py) == len(rust)
    for i, (p, r) in enumerate(zip(py, rust, strict=True)):
        assert p.lag == r.lag, f"{ctx} chunk {i}: lag {p.lag} vs {r.lag}"
        assert abs(p.raw_lag - r.raw_lag) / SR * 1000.0 <= RAW_TOL_MS, f"{ctx} chunk {i}: raw"
        assert r.confidence == pytest.approx(p.confidence, rel=CONF_REL_TOL, abs=1e-12), \
            f"{ctx} chunk {i}: confidence {p.confidence} vs {r.confidence}"


@settings(max_examples=40, deadline=None)
@given(pairs(), st.sampled_from(sorted(PROFILES)))
def test_fft_methods_match(case: tuple, profile: str) -> None:
    x, y, L, M, starts = case
    opts = PROFILES[profile]
    refs = [x[a:a + L] for a in starts]
    tgts = [y[a - M:a + L + M] for a in starts]
    for method in FFT_METHODS:
        py = [correlate_chunk(r, t, method, opts) for r, t in zip(refs, tgts, strict=True)]
        rust = correlate_lags(refs, tgts, method, opts, backend="rust")
        _compare(py, rust, f"{profile}/{method}")


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(-300, 300), st.floats(-0.5, 0.5))
def test_sign_and_subsample_agree_with_truth(seed: int, whole: int, frac: float) -> None:
    """Content later in the target by d samples → lag ≈ −d (a nearest sample) in both backends
    (docs/analysis.md#sign-convention), raw within
    0.25 samples (0.005 ms)."""
    rng = np.random.default_rng(seed)
    L, M = 4800, 480
    x = _signal("mixture", 4 * L, rng)
    d = whole + frac
    y = _delayed(x, d)
    a = L
    r = [x[a:a + L].astype(np.float32)]
    t = [y[a - M:a + L + M].astype(np.float32)]
    for method in FFT_METHODS:
        for be in ("python", "rust"):
            res = correlate_lags(r, t, method, CorrelationOptions(), backend=be)[0]
            assert abs(res.lag + d) < 1.0, (method, be, d, res)   # one of the two nearest samples
            assert abs(res.raw_lag + d) < 0.25, (method, be, d, res.raw_lag)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 30), st.floats(0.01, 200.0),
       st.floats(-10.0, 110.0), st.floats(-10.0, 110.0))
def test_chunk_placement_matches(n_ref: int, n_tgt: int, count: int, dur: float, p0: float, p1: float) -> None:
    py = [(c.index, c.start_s, c.start, c.length) for c in place_chunks(n_ref, n_tgt, count, dur, p0, p1)]
    assert py == rs.place_chunks(n_ref, n_tgt, count, dur, p0, p1)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3_000_000))
def test_fast_len_matches(n: int) -> None:
    import scipy.fft

    assert fast_len(n) == rs.fast_len(n) == scipy.fft.next_fast_len(n, real=True)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5000), st.sampled_from(["uniform", "exp", "ties"]))
def test_peak_confidence_matches(seed: int, n: int, dist: str) -> None:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 1, n) if dist == "uniform" else rng.exponential(1.0, n)
    if dist == "ties":
        a = np.round(a * 4) / 4
    k = int(rng.integers(0, n))
    if rng.uniform() < 0.5:
        a[k] = a.max() * rng.uniform(1.0, 30.0)
    assert rs.peak_confidence(a, k) == pytest.approx(peak_confidence(a, k), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("filtering", ["None", "Dialogue Band-Pass Filter"])
@pytest.mark.parametrize("profile", ["vsg", "spec"])
def test_whole_pipeline_records_match(filtering: str, profile: str) -> None:
    """correlate_arrays with each backend gives the same ChunkResult records (incl. placement, rounding)."""
    rng = np.random.default_rng(7)
    x = _signal("mixture", 6 * SR, rng)
    y = _delayed(x, 123.4) + 0.1 * rng.standard_normal(x.size)
    base = CorrelationOptions.spec() if profile == "spec" else CorrelationOptions()
    opts = base.with_(filtering=filtering, chunk_duration_s=0.25, chunk_count=6)
    for method in FFT_METHODS:
        o = opts.with_(method=method)
        a = correlate_arrays(x.astype(np.float32), y.astype(np.float32), o, backend="python").chunks
        b = correlate_arrays(x.astype(np.float32), y.astype(np.float32), o, backend="rust").chunks
        assert [c.index for c in a] == [c.index for c in b] and len(a) == 6
        for p, r in zip(a, b, strict=True):
            assert (p.start_s, p.delay_ms, p.accepted) == (r.start_s, r.delay_ms, r.accepted), method
            assert abs(p.raw_delay_ms - r.raw_delay_ms) <= RAW_TOL_MS
            assert r.match_pct == pytest.approx(p.match_pct, rel=CONF_REL_TOL)


def test_rust_kwargs_cover_the_binding() -> None:
    """Every option the binding takes is forwarded (guards against a silently ignored option)."""
    import inspect

    sig = inspect.signature(rs.correlate_chunks)
    assert set(rust_kwargs(CorrelationOptions())) == {
        p for p in sig.parameters if p not in ("refs", "targets", "method")}
