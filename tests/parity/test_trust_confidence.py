"""Parity of the distinct-peak chunk confidence (docs/confidence.md): Rust against the Python reference.

Tolerance: identical integer lag; confidence within 1e-3 absolute (both compute 100·(1 − second/peak) in
float64, from correlation values that agree to ~1e-6 relative: the Rust transforms run in float32 with the
spectrum mask on, docs/analysis.md#correlation-precision; measured differences ≤ 2e-6). Hypothesis draws
related pairs (delayed copy plus noise), unrelated pairs, and pairs scaled below and above the −60 dBFS
silence gate.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import vsg_core_rs as rs
from vsg_core.analysis.confidence import distinct_confidence, energy_envelope, gated_confidence, level_db
from vsg_core.analysis.correlate import rust_kwargs
from vsg_core.analysis.correlation_options import FFT_METHODS, CorrelationOptions
from vsg_core.analysis.methods.fft import correlate_chunk


@st.composite
def chunk_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, str]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    length = draw(st.integers(600, 3000))
    margin = draw(st.integers(50, 800))
    related = draw(st.booleans())
    level_db_ = draw(st.sampled_from([-90.0, -65.0, -55.0, -20.0, 0.0]))
    base = rng.standard_normal(length + 2 * margin)
    if related:
        d = draw(st.integers(-margin + 1, margin - 1))
        tgt = np.roll(base, -d) + draw(st.floats(0.0, 2.0)) * rng.standard_normal(base.size)
    else:
        tgt = rng.standard_normal(base.size)
    ref = base[margin:margin + length] * 10 ** (level_db_ / 20)
    method = draw(st.sampled_from(sorted(FFT_METHODS)))
    return ref.astype(np.float32), (tgt * 10 ** (level_db_ / 20)).astype(np.float32), method


@settings(max_examples=80, deadline=None)
@given(chunk_pairs())
def test_rust_matches_python_distinct_confidence(case: tuple[np.ndarray, np.ndarray, str]) -> None:
    ref, tgt, method = case
    opts = CorrelationOptions(search_range_s=None)
    py = correlate_chunk(ref, tgt, method, opts)
    lag, _raw, conf = rs.correlate_chunks([ref], [tgt], method, **rust_kwargs(opts))[0]
    assert lag == py.lag
    assert abs(conf - py.confidence) <= 1e-3
    if min(level_db(ref), level_db(tgt)) < opts.silence_db:
        assert conf == 0.0 and py.confidence == 0.0


def test_distinct_confidence_definition() -> None:
    a = np.ones(6000)
    a[3000] = 5.0
    assert distinct_confidence(a, width=1) == 80.0
    a[3900] = 4.99           # inside the ±960-lag (±20 ms) main lobe: ignored
    assert distinct_confidence(a, width=1) == 80.0
    a[5000] = 2.5            # outside: the runner-up
    assert distinct_confidence(a, width=1) == 50.0
    # a peak smeared over 5 ms loses to one sharp spike sample by sample, not in the energy envelope
    b = np.full(20000, 0.1)
    b[10000:10240] = 0.5
    b[2000] = 1.0
    assert abs(distinct_confidence(b, width=1) - 50.0) < 1e-9 and distinct_confidence(b) > 70.0
    assert energy_envelope(np.array([1.0, 2.0, 3.0]), 2).tolist() == [2.5, 6.5]
    quiet = np.full(100, 1e-4, np.float32)   # −80 dBFS
    assert gated_confidence(b, quiet, np.ones(100, np.float32)) == 0.0
    assert level_db(np.zeros(5, np.float32)) == float("-inf")
