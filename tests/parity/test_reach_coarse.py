"""Parity of the reach's coarse search (vsg_core/analysis/coarse.py, docs/reach.md): Rust against the Python
reference.

Tolerance: identical position; confidence within 1e-6 absolute (both compute 100·(1 − second/peak) in
float64 from correlation values that agree to ~1e-12 relative). Hypothesis draws a chunk taken anywhere in a
span (plus noise), unrelated pairs, spans shorter than the chunk and levels around the −60 dBFS gate.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_core.analysis.coarse import COARSE_LOBE_S, COARSE_SR, coarse_align_python
from vsg_core.analysis.engine import engine

LOBE = round(COARSE_LOBE_S * COARSE_SR)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int | None]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    length = draw(st.integers(200, 4000))
    span_len = draw(st.integers(length // 2, 40 * length))
    level = 10 ** (draw(st.sampled_from([-90.0, -65.0, -40.0, 0.0])) / 20)
    span = rng.standard_normal(span_len)
    pos = None
    if draw(st.booleans()) and span_len >= length:
        pos = draw(st.integers(0, span_len - length))
        chunk = span[pos:pos + length] + draw(st.floats(0.0, 1.5)) * rng.standard_normal(length)
    else:
        chunk = rng.standard_normal(length)
    return (chunk * level).astype(np.float32), (span * level).astype(np.float32), pos


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_rust_matches_python(case: tuple[np.ndarray, np.ndarray, int | None]) -> None:
    chunk, span, _ = case
    py = coarse_align_python(chunk, span, lobe=LOBE)
    (rs,) = engine("rust").coarse_align([chunk], [span], LOBE)
    assert rs.position == py.position
    assert abs(rs.confidence - py.confidence) <= 1e-6


def test_finds_a_chunk_and_rejects_noise() -> None:
    rng = np.random.default_rng(5)
    span = rng.standard_normal(120_000).astype(np.float32)
    chunk = span[77_777:77_777 + 6_000] + 0.5 * rng.standard_normal(6_000).astype(np.float32)
    other = rng.standard_normal(6_000).astype(np.float32)
    for be in ("python", "rust"):
        hit, miss = engine(be).coarse_align([chunk, other], [span, span], LOBE)
        assert hit.position == 77_777 and hit.confidence > 50.0
        assert miss.confidence < 20.0
    quiet = np.zeros(6_000, dtype=np.float32)
    assert coarse_align_python(quiet, span, lobe=LOBE).confidence == 0.0
