"""Phase 4 parity: the Rust stepping core (vsg_core_rs) and the Python reference
(vsg_core.correction.stepping) give the same splices, EDL, assembly plan and sample-identical assembled audio.

Tolerance: none. Every score is computed from exact integer sums and the same floating-point operations in the
same order, so splices (positions, plateaus, scores), EDLs and PCM must be equal bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_core.correction.engine import PythonEngine, RustEngine
from vsg_core.correction.stepping import AudioSegment, RefineParams

PY = PythonEngine()
RS = RustEngine()
SR = 8000


def _speechy(n: int, seed: int, gaps: bool = True) -> np.ndarray:
    """Band-limited noise bursts with quiet gaps (int32 full scale)."""
    rng = np.random.default_rng(seed)
    x = np.convolve(rng.standard_normal(n + 31), np.hanning(32), mode="valid")[:n]
    if gaps:
        env = np.repeat(rng.random(n // 400 + 1) > 0.3, 400)[:n].astype(np.float64)
        x = x * env + rng.standard_normal(n) * 1e-4
    return np.clip(x / (np.max(np.abs(x), initial=0.0) + 1e-12) * 1.5e9, -2**31, 2**31 - 1).astype(np.int32)


def _target(ref: np.ndarray, cut_at: int, length: int, seed: int) -> np.ndarray:
    """length > 0: insert ``length`` foreign samples at ``cut_at``; < 0: drop ``-length`` samples there."""
    if length >= 0:
        return np.concatenate([ref[:cut_at], _speechy(length, seed + 1, gaps=False), ref[cut_at:]])
    return np.concatenate([ref[:cut_at], ref[cut_at - length:]])


def _check_same(ref: np.ndarray, tgt: np.ndarray, d_before: float, d_after: float, lo: int, hi: int,
                params: RefineParams, zones: list[tuple[int, int]], align: float, crossfade: int,
                channels: int = 2) -> None:
    sp = PY.refine_splice(ref, tgt, SR, d_before, d_after, lo, hi, params, zones)
    sr_ = RS.refine_splice(ref, tgt, SR, d_before, d_after, lo, hi, params, zones)
    assert sp == sr_
    edl_p = PY.build_edl([d_before, d_after], [sp], len(tgt), SR)
    edl_r = RS.build_edl([d_before, d_after], [sr_], len(tgt), SR)
    assert edl_p == edl_r
    plan_p = PY.assembly_plan(edl_p, SR, align)
    plan_r = RS.assembly_plan(edl_r, SR, align)
    assert plan_p == plan_r
    pcm = np.ascontiguousarray(np.stack([tgt] + [tgt // (c + 2) for c in range(channels - 1)], axis=1))
    out_p = PY.splice_audio(pcm, plan_p, crossfade)
    out_r = RS.splice_audio(pcm, plan_r, crossfade)
    assert out_p.dtype == out_r.dtype == np.int32
    assert np.array_equal(out_p, out_r)


@pytest.mark.parametrize("length", [0, 400, -400, 1234, -1234])
def test_fixture_splices_are_identical(length: int) -> None:
    ref = _speechy(40_000, 3)
    tgt = _target(ref, 20_000, length, 5)
    d_after = -length * 1000.0 / SR
    params = RefineParams.for_rate(SR, window_ms=200.0, step_ms=2.0)
    _check_same(ref, tgt, 0.0, d_after, 17_000, 23_000, params, [], 0.0, 64)
    _check_same(ref, tgt, 0.0, d_after, 17_000, 23_000, params, [(19_000, 20_500), (21_000, 22_000)], 3.0, 64)


def test_fixture_removal_is_exact_without_crossfade() -> None:
    """An insert found and removed gives back the reference exactly (both engines)."""
    ref = _speechy(40_000, 11, gaps=False)
    tgt = _target(ref, 15_000, 800, 13)
    params = RefineParams.for_rate(SR, window_ms=200.0, step_ms=1.0)
    for eng in (PY, RS):
        s = eng.refine_splice(ref, tgt, SR, 0.0, -100.0, 14_000, 16_000, params, snap=False)
        assert (s.position, s.removed) == (15_000, 800)
        edl = eng.build_edl([0.0, -100.0], [s], len(tgt), SR)
        out = eng.splice_audio(tgt[:, None].copy(), eng.assembly_plan(edl, SR, 0.0), 0)
        assert np.array_equal(out[:, 0], ref)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), length=st.integers(-2000, 2000), cut=st.integers(8_000, 30_000),
       window_ms=st.sampled_from([50.0, 125.0, 300.0]), step=st.integers(1, 40),
       align=st.floats(-300.0, 300.0), crossfade=st.integers(0, 400), channels=st.integers(1, 3),
       d0=st.floats(-50.0, 50.0), zone=st.tuples(st.integers(0, 40_000), st.integers(0, 3000)))
def test_hypothesis_engines_agree(seed: int, length: int, cut: int, window_ms: float, step: int, align: float,
                                  crossfade: int, channels: int, d0: float, zone: tuple[int, int]) -> None:
    ref = _speechy(40_000, seed)
    tgt = _target(ref, cut, length, seed)
    d_after = d0 - length * 1000.0 / SR
    params = RefineParams(max(1, int(window_ms * SR / 1000)), step, 0.02, 160, -40.0)
    _check_same(ref, tgt, d0, d_after, cut - 3000, cut + 3000, params, [(zone[0], zone[0] + zone[1])], align,
                crossfade, channels)


@settings(max_examples=40, deadline=None)
@given(delays=st.lists(st.floats(-5000.0, 5000.0), min_size=1, max_size=5),
       bounds=st.lists(st.floats(0.0, 100.0), min_size=4, max_size=4), align=st.floats(-5000.0, 5000.0))
def test_hypothesis_plans_agree(delays: list[float], bounds: list[float], align: float) -> None:
    cuts = sorted(bounds)[:len(delays) - 1]
    edges = [0.0, *cuts, 120.0]
    edl = [AudioSegment(edges[i], max(edges[i], edges[i + 1]), round(d), d) for i, d in enumerate(delays)]
    assert PY.assembly_plan(edl, 48_000, align) == RS.assembly_plan(edl, 48_000, align)
