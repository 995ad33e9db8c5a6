"""Correlation methods (Python reference): sign convention (docs/analysis.md#sign-convention) for all seven methods,
sub-sample accuracy, FFT-length independence, the band-limited PHAT failure of the original and vsg's fix, the DTW sign
quirk."""

from __future__ import annotations

import numpy as np
import pytest

from vsg_core.analysis.correlate import correlate_arrays, correlate_lags
from vsg_core.analysis.correlation_options import FFT_METHODS, SR, CorrelationOptions
from vsg_core.analysis.methods.fft import correlate_chunk, taper


def _delayed(x: np.ndarray, d: float) -> np.ndarray:
    """x(t − d) (periodic, fractional d in samples): content d samples *later*."""
    X = np.fft.rfft(x)
    X *= np.exp(-2j * np.pi * np.fft.rfftfreq(x.size) * d)
    return np.fft.irfft(X, x.size)


def _mixture(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    return rng.standard_normal(n) + np.sin(2 * np.pi * (200 * t + 900 * t * t))


@pytest.mark.parametrize("method", FFT_METHODS)
@pytest.mark.parametrize("d", [137, -250])
def test_fft_sign_both_profiles(method: str, d: int) -> None:
    x = _mixture(40000, 1)
    y = _delayed(x, d)
    L, M, a = 9600, 1200, 15000
    r = x[a:a + L].astype(np.float32)
    vsg = correlate_chunk(r, y[a - M:a + L + M].astype(np.float32), method, CorrelationOptions())
    spec = correlate_chunk(r, y[a:a + L].astype(np.float32), method, CorrelationOptions.spec())
    assert vsg.lag == spec.lag == -d          # later in the target → negative
    assert spec.raw_lag == -d                 # spec: integer lags
    assert abs(vsg.raw_lag + d) < 0.01


@pytest.mark.parametrize("method", FFT_METHODS)
@pytest.mark.parametrize("d", [10.25, -3.5, 0.75])
def test_subsample_accuracy(method: str, d: float) -> None:
    x = _mixture(40000, 2)
    y = _delayed(x, d)
    L, M, a = 9600, 480, 15000
    res = correlate_chunk(x[a:a + L].astype(np.float32), y[a - M:a + L + M].astype(np.float32), method,
                          CorrelationOptions())
    # 0.25 samples = 0.0052 ms, well inside the 0.05 ms requirement
    assert abs(res.raw_lag + d) < 0.25, res


@pytest.mark.parametrize("method", FFT_METHODS)
def test_fft_length_does_not_change_the_spec_result(method: str) -> None:
    x = _mixture(20000, 3)
    y = _delayed(x, -33)
    r, t = x[5000:9001].astype(np.float32), y[5000:9001].astype(np.float32)
    exact = correlate_chunk(r, t, method, CorrelationOptions.spec())            # n = 8001 (3·2667)
    fast = correlate_chunk(r, t, method, CorrelationOptions.spec(exact_fft_length=False))   # n = 8100
    assert exact.lag == fast.lag == 33
    assert fast.confidence == pytest.approx(exact.confidence, rel=1e-9)


def _band_noise(n: int, seed: int, lo: float, hi: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    X[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(X, n)


def test_masked_tapered_phat_fixes_the_band_limited_failure() -> None:
    """Band-limited content (what the dialogue band-pass leaves): with unit weight on every bin, the empty
    bins carry only the chunk edges' leakage and GCC-PHAT locks onto the edge alignment; vsg's masked,
    tapered PHAT finds the true lag."""
    wrong = 0
    for seed in range(6):
        x = _band_noise(60000, seed, 300.0, 3400.0)
        d = 57 + 11 * seed
        y = _delayed(x, d)
        L, M, a = 19200, 4800, 20000
        r, w = x[a:a + L].astype(np.float32), y[a - M:a + L + M].astype(np.float32)
        fixed = correlate_chunk(r, w, "gcc_phat", CorrelationOptions())
        assert fixed.lag == -d
        plain = correlate_chunk(r, w, "gcc_phat", CorrelationOptions(mask_db=None, taper=0.0))
        wrong += plain.lag != -d
    assert wrong >= 3


def test_taper_shape() -> None:
    w = taper(100, 0.1)
    assert w is not None and w.size == 100
    assert np.all(w[5:95] == 1.0) and np.allclose(w[:5], w[::-1][:5])
    assert 0 < w[0] < 0.1 and taper(100, 0.0) is None


def _clicks(n: int, seed: int) -> np.ndarray:
    """Sharp onsets at random intervals over quiet noise (for the frame-based methods)."""
    rng = np.random.default_rng(seed)
    x = 0.01 * rng.standard_normal(n)
    pos = 0
    while pos < n - 4000:
        pos += int(rng.integers(3000, 14000))
        burst = rng.standard_normal(2400) * np.exp(-np.arange(2400) / 300.0)
        x[pos:pos + 2400] += burst[: max(0, min(2400, n - pos))]
    return x


def _melody(n: int, seed: int) -> np.ndarray:
    """Random tones of 30–80 ms each (every frame has a distinct spectrum) over quiet noise."""
    rng = np.random.default_rng(seed)
    x = 0.01 * rng.standard_normal(n)
    pos = 0
    while pos < n:
        m = int(rng.integers(30, 80) * SR / 1000)
        t = np.arange(min(m, n - pos)) / SR
        x[pos:pos + t.size] += np.sin(2 * np.pi * rng.uniform(150, 6000) * t) * rng.uniform(0.2, 1.0)
        pos += m
    return x


@pytest.mark.parametrize("method", ["onset", "spectrogram", "dtw"])
def test_feature_methods_sign(method: str) -> None:
    x = (_melody if method == "dtw" else _clicks)(12 * SR, 4)
    d = 0.25 * SR                                # target 250 ms later → −250 ms
    y = np.concatenate([np.zeros(int(d)), x])[: x.size]
    opts = CorrelationOptions(method=method, chunk_count=3, chunk_duration_s=3.0)
    recs = correlate_arrays(x.astype(np.float32), y.astype(np.float32), opts, backend="python").chunks
    assert len(recs) == 3
    for rec in recs:
        assert rec.raw_delay_ms == pytest.approx(-250.0, abs=11.0), rec   # frame = 10.67 ms


def test_dtw_sign_quirk_kept_in_spec_profile() -> None:
    x = _melody(6 * SR, 5)
    y = np.concatenate([np.zeros(SR // 5), x])[: x.size]            # 200 ms later
    L = 3 * SR
    r, t = [x[SR:SR + L].astype(np.float32)], [y[SR:SR + L].astype(np.float32)]
    fixed = correlate_lags(r, t, "dtw", CorrelationOptions())[0]
    spec = correlate_lags(r, t, "dtw", CorrelationOptions.spec())[0]
    assert fixed.raw_lag == -spec.raw_lag
    assert fixed.raw_lag < 0 < spec.raw_lag


def test_multi_correlation_logs_and_results() -> None:
    from vsg_core.log import JobLog

    x = _mixture(8 * SR, 6)
    y = _delayed(x, 96.0)
    log = JobLog()
    run = correlate_arrays(x.astype(np.float32), y.astype(np.float32),
                           CorrelationOptions(chunk_count=3, chunk_duration_s=1.0), log,
                           methods=["Standard Correlation (SCC)", "gcc_phat"], backend="python")
    assert list(run.results) == ["scc", "gcc_phat"] and run.method == "scc"
    text = [ln.split("] ", 1)[1] for ln in log.lines]
    assert "[MULTI-CORRELATION] Running 2 methods on 3 chunks" in text
    assert "  MULTI-CORRELATION: Phase Correlation (GCC-PHAT)" in text
    assert text.count("═" * 70) == 4
    assert sum("Chunk 1/3 (@" in t for t in text) == 2  # denominator: extracted chunks (docs/analysis.md#chunk-records)
    for recs in run.results.values():
        assert all(r.delay_ms == -2 and abs(r.raw_delay_ms + 2.0) < 0.01 for r in recs)


def test_bandpass_filter_logged_once() -> None:
    from vsg_core.log import JobLog

    x = _mixture(6 * SR, 7)
    log = JobLog()
    correlate_arrays(x.astype(np.float32), x.astype(np.float32),
                     CorrelationOptions(filtering="Dialogue Band-Pass Filter", chunk_count=2,
                                        chunk_duration_s=1.0), log, backend="python")
    assert sum(ln.endswith("Applying Dialogue Band-Pass filter...") for ln in log.lines) == 1
