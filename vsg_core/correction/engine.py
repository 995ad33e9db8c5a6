"""The seam between the correction pipeline and its compute core: one Protocol, the Python reference
(:mod:`vsg_core.correction.stepping`) and the Rust implementation (``vsg_core_rs``), chosen by
:func:`vsg_core.backend.active_backend`. Both return the Python dataclasses of ``stepping``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..backend import Backend, require_rust, use_rust
from . import stepping as py
from .stepping import AudioSegment, Piece, RefineParams, Splice


class SteppingEngine(Protocol):
    name: str

    def refine_splice(self, ref: np.ndarray, tgt: np.ndarray, sr: int, delay_before: float, delay_after: float,
                      lo: int, hi: int, params: RefineParams, zones: Sequence[tuple[int, int]] = (),
                      snap: bool = True) -> Splice: ...

    def build_edl(self, delays_raw: Sequence[float], splices: Sequence[Splice], n_target: int, sr: int
                  ) -> list[AudioSegment]: ...

    def assembly_plan(self, edl: Sequence[AudioSegment], sr: int, align_ms: float) -> list[Piece]: ...

    def splice_audio(self, pcm: np.ndarray, pieces: Sequence[Piece], crossfade: int) -> np.ndarray: ...


class PythonEngine:
    name = "python"

    def refine_splice(self, ref: np.ndarray, tgt: np.ndarray, sr: int, delay_before: float, delay_after: float,
                      lo: int, hi: int, params: RefineParams, zones: Sequence[tuple[int, int]] = (),
                      snap: bool = True) -> Splice:
        return py.refine_splice(ref, tgt, sr, delay_before, delay_after, lo, hi, params, zones, snap)

    def build_edl(self, delays_raw: Sequence[float], splices: Sequence[Splice], n_target: int, sr: int
                  ) -> list[AudioSegment]:
        return py.build_edl(delays_raw, splices, n_target, sr)

    def assembly_plan(self, edl: Sequence[AudioSegment], sr: int, align_ms: float) -> list[Piece]:
        return py.assembly_plan(edl, sr, align_ms)

    def splice_audio(self, pcm: np.ndarray, pieces: Sequence[Piece], crossfade: int) -> np.ndarray:
        return py.splice_audio(pcm, pieces, crossfade)


def _i32(a: np.ndarray) -> np.ndarray:
    """The array itself when it already is contiguous int32 (no copy), else a converted copy."""
    return np.ascontiguousarray(a, dtype=np.int32)


class RustEngine:
    name = "rust"

    def __init__(self) -> None:
        self._rs = require_rust()

    def refine_splice(self, ref: np.ndarray, tgt: np.ndarray, sr: int, delay_before: float, delay_after: float,
                      lo: int, hi: int, params: RefineParams, zones: Sequence[tuple[int, int]] = (),
                      snap: bool = True) -> Splice:
        s = self._rs.stepping_refine_splice(_i32(ref), _i32(tgt), int(sr), float(delay_before),
                                            float(delay_after), int(lo), int(hi), params.window, params.step,
                                            params.plateau_tol, params.level_window, params.silence_db,
                                            [(int(a), int(b)) for a, b in zones], bool(snap))
        return Splice(s.delay_before, s.delay_after, s.removed, s.filled, s.best, s.score, s.plateau_lo,
                      s.plateau_hi, s.position, s.snap)

    def build_edl(self, delays_raw: Sequence[float], splices: Sequence[Splice], n_target: int, sr: int
                  ) -> list[AudioSegment]:
        rs_splices = [self._rs.Splice(s.delay_before, s.delay_after, s.removed, s.filled, s.best, s.score,
                                      s.plateau_lo, s.plateau_hi, s.position, s.snap) for s in splices]
        out = self._rs.stepping_build_edl([float(d) for d in delays_raw], rs_splices, int(n_target), int(sr))
        return [AudioSegment(a.start_s, a.end_s, a.delay_ms, a.delay_raw, a.drift_rate_ms_s) for a in out]

    def assembly_plan(self, edl: Sequence[AudioSegment], sr: int, align_ms: float) -> list[Piece]:
        segs = [self._rs.AudioSegment(e.start_s, e.end_s, e.delay_ms, e.delay_raw, e.drift_rate_ms_s)
                for e in edl]
        return [Piece(a, b, c) for a, b, c in self._rs.stepping_assembly_plan(segs, int(sr), float(align_ms))]

    def splice_audio(self, pcm: np.ndarray, pieces: Sequence[Piece], crossfade: int) -> np.ndarray:
        if pcm.ndim != 2:
            raise ValueError("splice_audio: PCM must be frames × channels")
        return self._rs.stepping_splice_audio(_i32(pcm), [(p.out_start, p.length, p.src) for p in pieces],
                                              int(crossfade))


def engine(backend: Backend | None = None) -> SteppingEngine:
    """The active stepping engine (Rust unless the Python reference is selected)."""
    return RustEngine() if use_rust(backend) else PythonEngine()
