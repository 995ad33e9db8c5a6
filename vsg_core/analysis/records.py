"""Per-chunk correlation record shared by correlation, delay selection and drift diagnosis.

Mirrors ``vsg_core_rs`` ``ChunkResult`` (Rust: ``src/analysis/records.rs``). Sign convention
(docs/analysis.md#sign-convention): ``delay = t_ref − t_tgt``; positive ⇒ the target must be shifted later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ChunkResult:
    index: int          # 1-based chunk number in the configured placement (skipped chunks keep their gaps)
    start_s: float      # chunk start on the reference timeline, seconds
    delay_ms: int       # round-half-even(raw_delay_ms)
    raw_delay_ms: float # sub-sample delay estimate, ms
    match_pct: float    # method confidence / match percentage
    accepted: bool      # match_pct >= min_match_pct
    coarse_delay_ms: float | None = None  # reach: the coarse position's delay (None: no coarse search or no
    #                                       position; docs/reach.md)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ChunkResult:
        return cls(int(d["index"]), float(d["start_s"]), int(d["delay_ms"]), float(d["raw_delay_ms"]),
                   float(d["match_pct"]), bool(d["accepted"]),
                   None if d.get("coarse_delay_ms") is None else float(d["coarse_delay_ms"]))
