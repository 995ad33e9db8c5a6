"""Parity of the reach's coarse search (docs/reach.md): Rust ``coarse_search`` against the Python reference.

Tolerance: the same position for every chunk whose score reaches the candidate threshold (a clear peak),
scores within 0.5 there and within 2 in the 5 points below it (the Rust FFTs are f32, the Python reference
float64; far below the threshold peak and runner-up are both noise and a whitening mask bin at its edge can
flip: seen 6.4 vs 4.1, a score that only says "no candidate"), and the same candidate decision except within
0.5 of the threshold. Hypothesis draws
spans with embedded chunks (noisy copies), unrelated chunks, position ranges that exclude the true position,
and levels around the −60 dBFS silence gate.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_core.analysis.coarse import COARSE_MIN_CONF, coarse_search, coarse_search_python


@st.composite
def spans(draw: st.DrawFn) -> tuple[np.ndarray, list[np.ndarray], list[tuple[int, int]]]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(4000, 40_000))
    level = 10 ** (draw(st.sampled_from([-70.0, -20.0, 0.0])) / 20)
    span = (rng.standard_normal(n) * level).astype(np.float32)
    chunks, ranges = [], []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.integers(300, 3000))
        if draw(st.booleans()):
            at = draw(st.integers(0, n - length))
            c = span[at:at + length] + draw(st.floats(0.0, 1.0)) * level * rng.standard_normal(length)
        else:
            c = rng.standard_normal(length) * level
        lo = draw(st.integers(0, n))
        hi = draw(st.integers(lo, n + 100)) if draw(st.booleans()) else n
        chunks.append(np.asarray(c, dtype=np.float32))
        ranges.append((lo if draw(st.booleans()) else 0, hi))
    return span, chunks, ranges


@settings(max_examples=60, deadline=None)
@given(spans())
def test_rust_coarse_search_matches_python(case: tuple[np.ndarray, list[np.ndarray], list[tuple[int, int]]]) -> None:
    span, chunks, ranges = case
    py = coarse_search(span, chunks, ranges, "python")
    rs = coarse_search(span, chunks, ranges, "rust")
    assert py == coarse_search_python(span, chunks, ranges, lobe=5)
    for a, b in zip(py, rs, strict=True):
        # a score well below the candidate bar only says "no candidate" (it is never used otherwise); the
        # float32 Rust search and the float64 reference then differ by a few points on noise (seen: 6.4 vs 4.1)
        clear = max(a.confidence, b.confidence) >= COARSE_MIN_CONF
        if max(a.confidence, b.confidence) >= COARSE_MIN_CONF - 5.0:
            assert abs(a.confidence - b.confidence) <= (0.5 if clear else 2.0), (a, b)
        if min(abs(a.confidence - COARSE_MIN_CONF), abs(b.confidence - COARSE_MIN_CONF)) >= 0.5:
            assert (a.confidence >= COARSE_MIN_CONF) == (b.confidence >= COARSE_MIN_CONF), (a, b)
        if a.confidence >= COARSE_MIN_CONF:
            assert a.position == b.position, (a, b)


def test_embedded_chunk_found_and_unrelated_refused() -> None:
    rng = np.random.default_rng(3)
    span = rng.standard_normal(120_000).astype(np.float32)
    hit, other, outside = coarse_search(span, [span[70_000:85_000], rng.standard_normal(15_000).astype(np.float32),
                                               span[10_000:25_000]],
                                        [(0, 120_000), (0, 120_000), (50_000, 100_000)], "rust")
    assert hit.position == 70_000 and hit.confidence > 60
    assert other.confidence < COARSE_MIN_CONF
    assert 50_000 <= outside.position <= 100_000 and outside.confidence < COARSE_MIN_CONF
