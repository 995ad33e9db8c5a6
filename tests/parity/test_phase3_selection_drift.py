"""Phase 3 parity: delay selection, DBSCAN and the drift diagnosis, Python reference vs vsg_core_rs.

Tolerances: rounded delays, labels, kinds, cluster memberships, segments' rounded delays and every log line
must be identical; floats (raw delays, slopes, R², means, times) within 1e-9 (relative for large values).
Both implementations sum left to right in the same order, so in practice they are bit-identical.

DBSCAN: the Python reference is scikit-learn's DBSCAN (on the exact 1-D distance matrix); on integer-valued
delays (where the Euclidean expansion is exact) it is also compared with scikit-learn's default Euclidean
path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

import vsg_core_rs  # a missing extension must fail loudly, not skip
from vsg_core.analysis.dbscan import dbscan_labels
from vsg_core.analysis.drift import DriftConfig, diagnose
from vsg_core.analysis.records import ChunkResult
from vsg_core.analysis.selection import (
    MODE_AVERAGE,
    MODE_CLUSTERED,
    MODE_FIRST_STABLE,
    MODE_MOST_COMMON,
    select_delay,
)

assert vsg_core_rs.dbscan_1d is not None

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Raw delays as they occur: integers, exact half-ms ties, 48 kHz lag-quantised values, arbitrary floats.
raw_delay = st.one_of(
    st.integers(-3000, 3000).map(float),
    st.integers(-3000, 3000).map(lambda k: k + 0.5),
    st.integers(-150_000, 150_000).map(lambda lag: (lag / 48000) * 1000.0),
    st.floats(-5000, 5000, allow_nan=False, allow_infinity=False),
)


@st.composite
def chunk_lists(draw: st.DrawFn, max_size: int = 25, raws: st.SearchStrategy[float] = raw_delay
                ) -> list[ChunkResult]:
    n = draw(st.integers(0, max_size))
    pool = draw(st.lists(raws, min_size=1, max_size=4))  # few distinct values → ties and repeats
    values = [draw(st.one_of(st.sampled_from(pool), raws)) for _ in range(n)]
    starts = sorted(draw(st.lists(st.floats(0, 7200, allow_nan=False), min_size=n, max_size=n)))
    out = []
    for i, (r, t) in enumerate(zip(values, starts, strict=True)):
        match = draw(st.floats(0, 100, allow_nan=False))
        out.append(ChunkResult(i + 1, t, round(r), r, match, draw(st.booleans())))
    return out


def close(a: float | None, b: float | None, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def assert_same(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert close(a, b), f"{path}: {a!r} != {b!r}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys {a.keys()} != {b.keys()}"
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"{path}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


# ----------------------------------------------------------------------------------------------- selection

@SETTINGS
@given(chunks=chunk_lists(),
       mode=st.sampled_from([MODE_MOST_COMMON, MODE_CLUSTERED, MODE_AVERAGE, MODE_FIRST_STABLE, "Bogus"]),
       fs_min=st.integers(0, 6), fs_skip=st.booleans(), min_acc=st.integers(0, 5))
def test_selection_parity(chunks: list[ChunkResult], mode: str, fs_min: int, fs_skip: bool,
                          min_acc: int) -> None:
    kw = dict(first_stable_min_chunks=fs_min, first_stable_skip_unstable=fs_skip, min_accepted_chunks=min_acc,
              source_key="Source 3")
    py = select_delay(chunks, mode, backend="python", **kw)  # type: ignore[arg-type]
    rs = select_delay(chunks, mode, backend="rust", **kw)  # type: ignore[arg-type]
    if py is None or rs is None:
        assert py is None and rs is None
        return
    assert (py.delay_ms, py.label, py.mode, py.accepted_count) == (rs.delay_ms, rs.label, rs.mode,
                                                                   rs.accepted_count)
    assert abs(py.raw_delay_ms - rs.raw_delay_ms) <= 1e-9
    assert py.lines == rs.lines


@SETTINGS
@given(base=st.integers(-2000, 2000), n=st.integers(3, 12), mode=st.sampled_from(
    [MODE_MOST_COMMON, MODE_CLUSTERED, MODE_AVERAGE, MODE_FIRST_STABLE]))
def test_selection_parity_on_exact_ties(base: int, n: int, mode: str) -> None:
    # Raws k + 0.5 and k − 0.5 alternate: every rounding is a tie and every mode count is tied.
    raws = [base + (0.5 if i % 2 else -0.5) for i in range(n)]
    chunks = [ChunkResult(i + 1, 30.0 * i, round(r), r, 90.0, True) for i, r in enumerate(raws)]
    py = select_delay(chunks, mode, backend="python")
    rs = select_delay(chunks, mode, backend="rust")
    assert py is not None and rs is not None
    assert (py.delay_ms, py.raw_delay_ms, py.lines) == (rs.delay_ms, rs.raw_delay_ms, rs.lines)


# ----------------------------------------------------------------------------------------------- DBSCAN

@st.composite
def delay_sets(draw: st.DrawFn) -> tuple[list[float], float]:
    eps = draw(st.one_of(st.sampled_from([5.0, 20.0, 35.5, 100.0]), st.floats(0.5, 150, allow_nan=False)))
    centres = draw(st.lists(raw_delay, min_size=1, max_size=4))
    values = []
    for _ in range(draw(st.integers(0, 40))):
        c = draw(st.sampled_from(centres))
        kind = draw(st.integers(0, 2))
        if kind == 0:      # exactly k·eps away: the distance-equals-eps boundary
            values.append(c + draw(st.integers(-3, 3)) * eps)
        elif kind == 1:    # jitter around a centre
            values.append(c + draw(st.floats(-eps, eps, allow_nan=False)))
        else:
            values.append(draw(raw_delay))
    return values, eps


@SETTINGS
@given(data=delay_sets(), min_samples=st.integers(1, 10))
def test_dbscan_parity(data: tuple[list[float], float], min_samples: int) -> None:
    values, eps = data
    py = dbscan_labels(values, eps, min_samples, backend="python")
    rs = dbscan_labels(values, eps, min_samples, backend="rust")
    assert py == rs


@SETTINGS
@given(values=st.lists(st.integers(-3000, 3000), min_size=1, max_size=40),
       eps=st.integers(1, 100), min_samples=st.integers(1, 10))
def test_dbscan_matches_sklearn_euclidean_on_integer_delays(values: list[int], eps: int,
                                                           min_samples: int) -> None:
    x = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    sk = [int(v) for v in DBSCAN(eps=float(eps), min_samples=min_samples).fit(x).labels_]
    assert dbscan_labels([float(v) for v in values], float(eps), min_samples, backend="rust") == sk


# ----------------------------------------------------------------------------------------------- diagnosis

@st.composite
def shaped_chunks(draw: st.DrawFn) -> list[ChunkResult]:
    """Chunk lists shaped like real results: constant, steps, linear drift or random, with jitter/outliers."""
    n = draw(st.integers(0, 30))
    spacing = draw(st.floats(1.0, 300.0, allow_nan=False))
    first = draw(st.floats(0.0, 120.0, allow_nan=False))
    shape = draw(st.sampled_from(["constant", "steps", "steps", "linear", "pal", "random"]))
    base = draw(raw_delay)
    levels = draw(st.lists(st.floats(-1500, 1500, allow_nan=False), min_size=1, max_size=4))
    slope = draw(st.one_of(st.floats(-50, 50, allow_nan=False), st.sampled_from([40.959, -42.708, 0.3, 0.05])))
    jitter = draw(st.sampled_from([0.0, 0.02, 0.5, 5.0, 30.0]))
    out = []
    for i in range(n):
        t = first + spacing * i
        if shape == "constant":
            y = base
        elif shape == "steps":
            y = base + levels[min(len(levels) - 1, i * len(levels) // max(1, n))]
        elif shape == "linear":
            y = base + slope * t
        elif shape == "pal":
            y = base + (40.959 if slope >= 0 else -42.708) * t
        else:
            y = draw(raw_delay)
        y += draw(st.floats(-1.0, 1.0, allow_nan=False)) * jitter
        if draw(st.integers(0, 9)) == 0:
            y = draw(raw_delay)  # an outlier chunk
        match = draw(st.sampled_from([95.0, 88.0, 80.0, 72.0, 60.0, 100.0, 100.0, 97.0]))
        out.append(ChunkResult(i + 1, t, round(y), y, match, draw(st.integers(0, 7)) > 0))
    return out


drift_configs = st.builds(
    DriftConfig,
    eps_ms=st.sampled_from([20.0, 5.0, 50.0]),
    min_samples=st.sampled_from([2, 2, 3, 5]),
    stepping_correction_mode=st.sampled_from(["full", "strict", "filtered", "disabled", "legacy"]),
    stepping_quality_mode=st.sampled_from(["normal", "strict", "lenient", "custom", "odd"]),
    custom_min_chunks_per_cluster=st.integers(1, 5),
    custom_min_total_clusters=st.integers(1, 4),
    stepping_filtered_fallback=st.sampled_from(["nearest", "reject", "uniform"]),
    diagnostics_verbose=st.booleans(),
    min_accepted_chunks=st.integers(0, 6),
    chunk_duration_s=st.sampled_from([15.0, 5.0, 30.0]),
)
FPS = [None, 0.0, 25.0, 24000 / 1001, 24.0, 30000 / 1001]
fps_pairs = st.one_of(st.tuples(st.sampled_from(FPS), st.sampled_from(FPS)),
                      st.sampled_from([(24000 / 1001, 25.0), (25.0, 24000 / 1001), (24.0, 25.0)]))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=shaped_chunks(), cfg=drift_configs, fps=fps_pairs,
       codec=st.sampled_from(["A_AAC", "A_FLAC", "A_AC3", "A_PCM/INT/LIT", "unknown"]),
       ref_duration=st.one_of(st.none(), st.floats(100.0, 10000.0, allow_nan=False)))
def test_diagnosis_parity(chunks: list[ChunkResult], cfg: DriftConfig,
                          fps: tuple[float | None, float | None], codec: str, ref_duration: float | None) -> None:
    kw = dict(ref_fps=fps[0], target_fps=fps[1], codec_id=codec, ref_duration_s=ref_duration)
    py = diagnose(chunks, cfg, backend="python", **kw)  # type: ignore[arg-type]
    rs = diagnose(chunks, cfg, backend="rust", **kw)  # type: ignore[arg-type]
    event(py.kind.value)
    assert py.kind == rs.kind
    assert py.lines == rs.lines
    assert_same(py.to_dict(), rs.to_dict())
