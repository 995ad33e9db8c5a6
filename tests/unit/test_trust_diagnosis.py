"""Robust diagnosis (Theil–Sen line, model support, NO_MATCH) in both backends: false peaks cannot turn
drift into stepping or hide PAL, and chunks that agree on nothing are NO_MATCH."""

from __future__ import annotations

import numpy as np
import pytest

from vsg_core.analysis.drift import DriftConfig, diagnose, theil_sen
from vsg_core.analysis.records import ChunkResult
from vsg_core.models.enums import DiagnosisKind as K

BACKENDS = ("python", "rust")


def recs(raws: list[float], spacing: float = 20.0, first: float = 5.0) -> list[ChunkResult]:
    return [ChunkResult(i + 1, first + spacing * i, round(r), r, 95.0, True) for i, r in enumerate(raws)]


def centres(n: int, spacing: float = 20.0, first: float = 5.0) -> np.ndarray:
    return first + spacing * np.arange(n) + 7.5


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("slope", [0.2, -0.3, 0.4, -0.5])
def test_slow_drift_with_false_peaks_is_linear_drift_not_stepping(backend: str, slope: float) -> None:
    # 5 minutes of chunks every 20 s (15 chunks), ±0.05 ms jitter, two false peaks seconds away
    x = centres(15)
    rng = np.random.default_rng(3)
    y = list(-120.0 + slope * x + rng.uniform(-0.05, 0.05, x.size))
    y[4] = -8547.0
    y[11] = 5756.0
    d = diagnose(recs(y), DriftConfig(), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT
    assert d.drift_ms_per_s == pytest.approx(slope, rel=0.05)
    assert d.outlier_chunks == (5, 12)
    assert d.line_support == 13


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("ref_fps", "tgt_fps"), [(24000 / 1001, 25.0), (24.0, 25.0), (25.0, 24000 / 1001)])
def test_pal_with_false_peaks(backend: str, ref_fps: float, tgt_fps: float) -> None:
    exp = (1 - ref_fps / tgt_fps) * 1000
    x = centres(10)
    y = list(500.0 + exp * x)
    y[2] = 929.0
    y[7] = -3000.0
    d = diagnose(recs(y), DriftConfig(), ref_fps=ref_fps, target_fps=tgt_fps, backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.PAL_DRIFT
    assert d.drift_ms_per_s == pytest.approx(exp, rel=0.02)
    assert d.outlier_chunks == (3, 8)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("n", "slope"), [(3, 0.1), (4, -0.1), (5, 0.04), (5, -0.1)])
def test_few_chunks_on_a_drifting_line_are_linear_drift(backend: str, n: int, slope: float) -> None:
    # a short programme of which only 3–5 chunks matched (quiet stretches rejected), drifting 40–100 ppm:
    # the delays agree within eps, but one constant delay would leave the ends several ms off (a −100 ppm
    # 4-minute release failed the post-mux audit when it was called UNIFORM)
    x = centres(n, spacing=45.0)
    rng = np.random.default_rng(n)
    y = list(329.0 + slope * x + rng.uniform(-0.03, 0.03, x.size))
    d = diagnose(recs(y, spacing=45.0), DriftConfig(), codec_id="A_FLAC", backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.LINEAR_DRIFT, d.reason
    assert d.drift_ms_per_s == pytest.approx(slope, rel=0.05)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("raws", [[5.0, 5.0, 12.0], [5.0, 5.0, 5.0, 15.0, 15.0], [5.0, 5.01, 4.99, 5.02]])
def test_few_chunks_with_a_step_or_agreeing_stay_as_before(backend: str, raws: list[float]) -> None:
    # a step between few chunks leaves a line's residual at about a quarter of the step: not drift
    d = diagnose(recs(raws, spacing=45.0), DriftConfig(), codec_id="A_FLAC", backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM


@pytest.mark.parametrize("backend", BACKENDS)
def test_scattered_delays_are_no_match(backend: str) -> None:
    rng = np.random.default_rng(11)
    y = list(rng.uniform(-14000, 14000, 10))
    d = diagnose(recs(y), DriftConfig(), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.NO_MATCH
    assert "agree on no delay model" in d.reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_uniform_with_one_false_peak_stays_uniform(backend: str) -> None:
    y = [200.0 + 0.01 * (i % 3) for i in range(10)]
    y[6] = -8547.0
    d = diagnose(recs(y), DriftConfig(), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.UNIFORM
    assert d.outlier_chunks == (7,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_step_is_still_stepping(backend: str) -> None:
    y = [312.5] * 8 + [-1687.5] * 7
    d = diagnose(recs(y), DriftConfig(), backend=backend)  # type: ignore[arg-type]
    assert d.kind is K.STEPPING
    assert [s.delay_ms for s in d.segments] == [312, -1688]


def test_theil_sen_ignores_a_minority() -> None:
    x = [float(i) for i in range(10)]
    y = [2.0 * v + 1.0 for v in x]
    y[3] = 1000.0
    y[8] = -1000.0
    assert theil_sen(x, y) == pytest.approx((2.0, 1.0))
    assert theil_sen([1.0, 1.0], [0.0, 5.0]) is None
