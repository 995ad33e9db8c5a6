"""Chunk placement (docs/analysis.md#chunk-placement). Mirrors ``vsg_core_rs/src/analysis/chunks.rs``.

Chunks are spread evenly between ``scan_start_pct`` and ``scan_end_pct`` of the *reference* duration; chunk
``i`` (1-based ``index = i+1``) covers reference samples ``[a, a+L)`` with ``a = round(t_i·SR)``,
``L = round(Dc·SR)`` (rounding half to even). Chunks with ``a + L`` beyond either signal are skipped silently
and the rest keep their original numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .correlation_options import SR


@dataclass(frozen=True)
class Chunk:
    index: int       # 1-based number in the configured placement
    start_s: float   # t_i, seconds on the reference timeline
    start: int       # a = round(t_i · SR), first reference sample
    length: int      # L = round(Dc · SR)


def chunk_starts(n_ref: int, count: int, duration_s: float, start_pct: float, end_pct: float,
                 sr: int = SR) -> list[float]:
    """Chunk start times t_i in seconds (docs/analysis.md#chunk-placement), skipped chunks included."""
    p0, p1 = float(start_pct), float(end_pct)
    if not (0.0 <= p0 < p1 <= 100.0):
        p0, p1 = 5.0, 95.0
    dur = n_ref / sr
    s0 = dur * p0 / 100.0
    s1 = dur * p1 / 100.0
    rng = max(0.0, (s1 - s0) - float(duration_s))
    k = int(count)
    return [s0 + (rng / max(1, k - 1)) * i for i in range(k)]


def place_chunks(n_ref: int, n_tgt: int, count: int, duration_s: float, start_pct: float, end_pct: float,
                 sr: int = SR) -> list[Chunk]:
    """In-bounds chunks (docs/analysis.md#chunk-placement): ``a + L`` must not exceed ``n_ref`` nor ``n_tgt``."""
    length = round(float(duration_s) * sr)
    out: list[Chunk] = []
    for i, t in enumerate(chunk_starts(n_ref, count, duration_s, start_pct, end_pct, sr)):
        a = round(t * sr)
        if a + length > n_ref or a + length > n_tgt:
            continue
        out.append(Chunk(i + 1, t, a, length))
    return out
