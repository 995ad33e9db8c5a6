"""The one seam between the analysis and its compute core: the Rust extension or the Python reference.

:class:`AnalysisEngine` lists the compute functions the analysis needs; :class:`PythonEngine` runs the Python
reference implementations (NumPy, scikit-learn), :class:`RustEngine` the same algorithms in ``vsg_core_rs``
(parallel, GIL released). :func:`engine` returns the one the active backend (``vsg_core.backend``) selects.
Callers never test the backend name themselves; parity tests run both engines on the same inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..backend import Backend, active_backend, require_rust

if TYPE_CHECKING:
    import vsg_core_rs

    from .coarse import CoarseHit
    from .correlation_options import CorrelationOptions
    from .drift import ClusterInfo, Diagnosis, DriftConfig
    from .methods.fft import LagResult
    from .records import ChunkResult
    from .selection import SelectionResult


class AnalysisEngine(Protocol):
    name: Backend

    def correlate_fft(self, refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], method: str,
                      opts: CorrelationOptions) -> list[LagResult]:
        """Lag and confidence of each (reference chunk, target window) pair with one FFT method."""
        ...

    def dbscan(self, values: Sequence[float], eps: float, min_samples: int) -> list[int]:
        """1-D DBSCAN labels (−1 = noise) with scikit-learn's semantics."""
        ...

    def select_delay(self, chunks: Sequence[ChunkResult], mode: str, first_stable_min_chunks: int,
                     first_stable_skip_unstable: bool, min_accepted_chunks: int, source_key: str
                     ) -> SelectionResult | None:
        """The delay of one target from its chunk records (None: too few accepted)."""
        ...

    def diagnose(self, chunks: Sequence[ChunkResult], config: DriftConfig, ref_fps: float | None,
                 target_fps: float | None, codec_id: str, ref_duration_s: float | None) -> Diagnosis:
        """Drift / stepping / no-match diagnosis of one target."""
        ...

    def coarse_search(self, span: np.ndarray, chunks: Sequence[np.ndarray], ranges: Sequence[tuple[int, int]],
                      lobe: int, rate: int | None = None) -> list[CoarseHit]:
        """Reach: position and distinct-peak score of every chunk inside one long target span (signals at
        ``rate`` Hz, default ``coarse.COARSE_SR``)."""
        ...


class PythonEngine:
    """The Python reference implementations."""

    name: Backend = "python"

    def correlate_fft(self, refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], method: str,
                      opts: CorrelationOptions) -> list[LagResult]:
        from .methods.fft import correlate_chunk

        return [correlate_chunk(r, t, method, opts) for r, t in zip(refs, tgts, strict=True)]

    def dbscan(self, values: Sequence[float], eps: float, min_samples: int) -> list[int]:
        from .dbscan import dbscan_python

        return dbscan_python(values, eps, min_samples)

    def select_delay(self, chunks: Sequence[ChunkResult], mode: str, first_stable_min_chunks: int,
                     first_stable_skip_unstable: bool, min_accepted_chunks: int, source_key: str
                     ) -> SelectionResult | None:
        from .selection import select_python

        return select_python(chunks, mode, first_stable_min_chunks, first_stable_skip_unstable,
                             min_accepted_chunks, source_key)

    def diagnose(self, chunks: Sequence[ChunkResult], config: DriftConfig, ref_fps: float | None,
                 target_fps: float | None, codec_id: str, ref_duration_s: float | None) -> Diagnosis:
        from .drift import diagnose_python

        return diagnose_python(chunks, config, ref_fps, target_fps, codec_id, ref_duration_s)

    def coarse_search(self, span: np.ndarray, chunks: Sequence[np.ndarray], ranges: Sequence[tuple[int, int]],
                      lobe: int, rate: int | None = None) -> list[CoarseHit]:
        from .coarse import COARSE_SR, coarse_search_python

        return coarse_search_python(span, chunks, ranges, lobe=lobe, rate=rate or COARSE_SR)


class RustEngine:
    """``vsg_core_rs``: the same algorithms in Rust."""

    name: Backend = "rust"

    def correlate_fft(self, refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], method: str,
                      opts: CorrelationOptions) -> list[LagResult]:
        from .correlate import rust_kwargs
        from .methods.fft import LagResult

        out = require_rust().correlate_chunks(list(refs), list(tgts), method, **rust_kwargs(opts))
        return [LagResult(int(lag), float(raw), float(conf)) for lag, raw, conf in out]

    def dbscan(self, values: Sequence[float], eps: float, min_samples: int) -> list[int]:
        return list(require_rust().dbscan_1d([float(v) for v in values], float(eps), int(min_samples)))

    def select_delay(self, chunks: Sequence[ChunkResult], mode: str, first_stable_min_chunks: int,
                     first_stable_skip_unstable: bool, min_accepted_chunks: int, source_key: str
                     ) -> SelectionResult | None:
        from .selection import normalise_mode

        out = require_rust().select_delay(list(chunks), normalise_mode(mode), first_stable_min_chunks,
                                          first_stable_skip_unstable, min_accepted_chunks, source_key)
        return None if out is None else selection_from_rust(out)

    def diagnose(self, chunks: Sequence[ChunkResult], config: DriftConfig, ref_fps: float | None,
                 target_fps: float | None, codec_id: str, ref_duration_s: float | None) -> Diagnosis:
        out = require_rust().diagnose_drift(list(chunks), config.to_dict(), ref_fps, target_fps, codec_id,
                                            ref_duration_s)
        return diagnosis_from_rust(out)

    def coarse_search(self, span: np.ndarray, chunks: Sequence[np.ndarray], ranges: Sequence[tuple[int, int]],
                      lobe: int, rate: int | None = None) -> list[CoarseHit]:
        from .coarse import COARSE_MASK_DB, COARSE_SMOOTH_HZ, COARSE_SR, COARSE_TAPER, CoarseHit

        out = require_rust().coarse_search(np.ascontiguousarray(span, dtype=np.float32),
                                           [np.ascontiguousarray(c, dtype=np.float32) for c in chunks],
                                           [(int(a), int(b)) for a, b in ranges], lobe, float(rate or COARSE_SR),
                                           COARSE_SMOOTH_HZ, COARSE_MASK_DB, COARSE_TAPER, -60.0)
        return [CoarseHit(int(k), float(c)) for k, c in out]


# ------------------------------------------------------------------ Rust results → the Python reference's types
# The one place where the typed Rust results (vsg_core_rs.SelectionResult, DriftDiagnosis and its parts; see
# vsg_core_rs.pyi) become the Python reference's dataclasses, field by field.

def selection_from_rust(out: vsg_core_rs.SelectionResult) -> SelectionResult:
    from .selection import SelectionResult

    return SelectionResult(out.delay_ms, out.raw_delay_ms, out.mode, out.label, out.accepted_count,
                           tuple(out.lines))


def _cluster_from_rust(c: vsg_core_rs.DriftCluster) -> ClusterInfo:
    from .drift import Check, ClusterInfo

    checks = {name: Check(ck.value, ck.threshold, ck.passed) for name, ck in c.checks.items()}
    return ClusterInfo(c.label, tuple(c.members), tuple(c.chunk_indices), c.mean_delay_ms, c.std_delay_ms,
                       c.start_s, c.end_s, c.duration_s, c.percentage, c.avg_match_pct, c.min_match_pct, checks,
                       c.passed_checks, c.valid)


def diagnosis_from_rust(d: vsg_core_rs.DriftDiagnosis) -> Diagnosis:
    from ..models import DiagnosisKind
    from .drift import Diagnosis, Segment

    segments = tuple(Segment(s.start_s, s.end_s, s.delay_ms, s.raw_delay_ms, s.cluster_label) for s in d.segments)
    return Diagnosis(DiagnosisKind.from_value(d.kind), d.accepted_count, d.drift_ms_per_s, d.intercept_ms, d.r2,
                     d.residual_rms_ms, d.total_drift_ms, d.lossless, d.expected_pal_ms_per_s,
                     tuple(_cluster_from_rust(c) for c in d.clusters), segments, d.correction_mode,
                     d.fallback_mode, d.reason, tuple(d.lines), tuple(d.outlier_chunks),
                     d.robust_slope_ms_per_s, d.robust_intercept_ms, d.line_support, d.cluster_support)


_ENGINES: dict[Backend, AnalysisEngine] = {"python": PythonEngine(), "rust": RustEngine()}


def engine(backend: Backend | None = None) -> AnalysisEngine:
    """The engine of ``backend`` (default: the active backend)."""
    return _ENGINES[backend or active_backend()]
