"""Parity: frame math of the Python reference (vsg_core/frames) and the Rust port (vsg_core_rs frames_*),
plus the fixed vectors of docs/frame_math.md and frame → time → frame stability.

Tolerance: exact (same integers, bit-identical floats).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_core.frames import FrameGrid
from vsg_core.frames.vfr import VfrClock
from vsg_core.subtitles.engine import engine

PY, RS = engine("python"), engine("rust")
RATES = [(24000, 1001), (30000, 1001), (25, 1), (60000, 1001), (24, 1), (50, 1), (120000, 1001)]
MODES = ["floor", "middle", "aegisub"]
FILM = 24000 / 1001
times = st.floats(-1e9, 1e10, allow_nan=False)


@settings(max_examples=600, deadline=None)
@given(times, st.sampled_from(RATES), st.sampled_from(MODES))
def test_time_to_frame_parity(t: float, rate: tuple[int, int], mode: str) -> None:
    fps = rate[0] / rate[1]
    assert PY.time_to_frame(t, fps, mode) == RS.time_to_frame(t, fps, mode)


@settings(max_examples=600, deadline=None)
@given(st.integers(-10**9, 10**9), st.sampled_from(RATES), st.sampled_from(MODES))
def test_frame_to_time_parity_and_stability(f: int, rate: tuple[int, int], mode: str) -> None:
    fps = rate[0] / rate[1]
    t_py, t_rs = PY.frame_to_time(f, fps, mode), RS.frame_to_time(f, fps, mode)
    assert t_py == t_rs or (math.isnan(t_py) and math.isnan(t_rs))
    # Stable in every mode while a frame lasts longer than the mode's output step (aegisub: 10 ms, so up to
    # 100 fps) and the 1e-6 ms epsilon exceeds the float error of f·fd (|f| ≤ 10^7: over 100 hours); floor
    # mode also for negative frames.
    if (mode == "floor" or f >= 0) and not (mode == "aegisub" and fps > 100) and abs(f) <= 10**7:
        assert PY.time_to_frame(t_py, fps, mode) == f          # frame → time → frame is stable
        assert RS.time_to_frame(t_rs, fps, mode) == f


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(RATES), st.integers(0, 10**9), st.floats(-1e3, 1e12, allow_nan=False))
def test_exact_grid_parity(rate: tuple[int, int], n: int, t: float) -> None:
    assert PY.grid_frame_ms(rate, n) == RS.grid_frame_ms(rate, n)
    assert PY.grid_frame_of(rate, t) == RS.grid_frame_of(rate, t)
    # frame → time → frame on the grid
    assert RS.grid_frame_of(rate, RS.grid_frame_ms(rate, n)) == n
    g = FrameGrid(*rate)
    k = g.frame_of(t)
    assert g.frame_ms(k) >= t and (k == 0 or g.frame_ms(k - 1) < t)


def test_vectors_at_film_rate() -> None:
    for eng in (PY, RS):
        for t, f in [(0, 0), (41.707, 0), (41.708, 0), (1000.999, 23), (1001.0, 24), (4170.8, 99), (4171, 100)]:
            assert eng.time_to_frame(t, FILM, "floor") == f
        assert eng.frame_to_time(1, FILM, "floor") == 41.70833333333333
        assert eng.frame_to_time(24, FILM, "floor") == 1000.9999999999999
        assert [eng.frame_to_time(f, FILM, "middle") for f in (0, 1, 24, 100)] == [21, 63, 1022, 4192]
        assert [eng.frame_to_time(f, FILM, "aegisub") for f in (0, 1, 24, 100)] == [0, 50, 1010, 4180]
        for mode in ("middle", "aegisub"):
            assert [eng.time_to_frame(t, FILM, mode) for t in (1001, 1022, 4171)] == [24, 24, 100]
        assert [eng.grid_frame_ms((24000, 1001), n) for n in (0, 1, 2, 12, 24, 25, 48)] == \
            [0, 42, 83, 501, 1001, 1043, 2002]
        with pytest.raises(ValueError):
            eng.time_to_frame(1.0, FILM, "nearest")
        with pytest.raises(ValueError):
            eng.time_to_frame(1.0, 0.0, "floor")


@st.composite
def vfr_lists(draw: st.DrawFn) -> list[int]:
    start = draw(st.integers(0, 2000))
    steps = draw(st.lists(st.sampled_from([33, 34, 41, 42, 17, 50, 100, 1]), min_size=1, max_size=60))
    out = [start]
    for s in steps:
        out.append(out[-1] + s)
    return out


@settings(max_examples=400, deadline=None)
@given(vfr_lists(), st.lists(st.floats(-100, 6000, allow_nan=False), min_size=1, max_size=20))
def test_vfr_clock_writes_the_same_bytes(frame_times: list[int], starts: list[float]) -> None:
    """VideoTimestamps (Python) and the Rust frame-time list agree on every rounded time."""
    clock = VfrClock(frame_times)
    for t in starts:
        k = clock.frame_of(t)
        assert clock.frame_ms(k) >= t and (k == 0 or clock.frame_ms(k - 1) < t)
    lines = "".join(f"Dialogue: 0,0:00:00.00,0:00:00.01,D,,0,0,0,,{i}\n" for i in range(len(starts)))
    data = ("[Events]\n" + lines).encode()
    outs = []
    for eng in (PY, RS):
        doc = eng.parse(data, "ass")
        doc.apply_edl([(0.0, t, 0.0) for t in starts[:1]], "start")
        doc.shift(0.5)
        outs.append(doc.to_bytes(frame_times))
    assert outs[0] == outs[1]


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 40), st.integers(1, 12), st.integers(1, 6), st.integers(1, 4), st.data())
def test_dhash_and_sliding_match_parity(w: int, h: int, n_src: int, extra: int, data: st.DataObject) -> None:
    import vsg_core_rs
    from vsg_core.frames.video_match import dhash_py, slide_distances_py

    size = w * h
    src = data.draw(st.binary(min_size=size * n_src, max_size=size * n_src))
    tgt = data.draw(st.binary(min_size=size * (n_src + extra), max_size=size * (n_src + extra)))
    hs_py, ht_py = dhash_py(src, w, h), dhash_py(tgt, w, h)
    assert [list(x) for x in vsg_core_rs.frames_dhash(src, w, h)] == hs_py
    assert vsg_core_rs.frames_slide_distances(hs_py, ht_py) == slide_distances_py(hs_py, ht_py)
    # the source itself sits at distance 0 where it was taken from
    assert slide_distances_py(hs_py, hs_py + ht_py)[0] == 0.0
