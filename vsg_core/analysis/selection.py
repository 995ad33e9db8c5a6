"""Delay selection: one rounded and one raw delay per target from its chunk records (docs/analysis.md#delay-selection).

Modes (``delay_selection_mode``; any unknown string behaves as ``Mode (Most Common)``):

* ``Mode (Most Common)`` — rounded = the most common rounded delay ``M`` (ties: earliest first occurrence);
  raw = mean raw delay of the records with ``delay == M``.
* ``Mode (Clustered)`` — the records within ±1 ms of ``M``; rounded = round(mean raw), raw = that mean.
* ``Average`` — rounded = round(mean raw over the accepted records), raw = that mean.
* ``First Stable`` — the first segment of ``first_stable_min_chunks`` records whose rounded delays stay within
  1 ms of the segment's *first* delay (docs/analysis.md#delay-selection); falls back to Most Common.

All rounding is half to even (Python ``round``), all means are left-to-right sums divided by the count, in the
same order as the Rust mirror (``vsg_core_rs/src/analysis/selection.rs``) so both give bit-identical values.

vsg deviation (the original's quirk, docs/analysis.md#delay-selection): the First Stable fallback's *raw* value is the
Most Common raw value (mean of every record with ``delay == M``), not the raw delay of the first such record. The First
Stable search also runs once and is logged once (upstream ran it separately for the rounded and raw value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..backend import Backend
from .records import ChunkResult

MODE_MOST_COMMON = "Mode (Most Common)"
MODE_CLUSTERED = "Mode (Clustered)"
MODE_AVERAGE = "Average"
MODE_FIRST_STABLE = "First Stable"
SELECTION_MODES = (MODE_MOST_COMMON, MODE_CLUSTERED, MODE_AVERAGE, MODE_FIRST_STABLE)

# Short CLI spellings of the modes.
MODE_ALIASES = {
    "mode": MODE_MOST_COMMON,
    "most-common": MODE_MOST_COMMON,
    "clustered": MODE_CLUSTERED,
    "mode-clustered": MODE_CLUSTERED,
    "average": MODE_AVERAGE,
    "first-stable": MODE_FIRST_STABLE,
}


def normalise_mode(mode: str) -> str:
    """The canonical mode name for ``mode`` (a canonical name or a CLI alias); unknown → Most Common."""
    if mode in SELECTION_MODES:
        return mode
    return MODE_ALIASES.get(mode.strip().lower(), MODE_MOST_COMMON)


@dataclass(frozen=True)
class StableSegment:
    """A First Stable segment: consecutive accepted records within 1 ms of the segment's first delay."""

    count: int
    start_s: float
    delay_ms: int        # round_half_even(raw_delay_ms)
    raw_delay_ms: float  # mean raw delay of the segment

    def to_dict(self) -> dict[str, float | int]:
        return {"count": self.count, "start_s": self.start_s, "delay_ms": self.delay_ms,
                "raw_delay_ms": self.raw_delay_ms}


@dataclass(frozen=True)
class SelectionResult:
    """The chosen delay of one target (before the container-delay chain and the global shift)."""

    delay_ms: int
    raw_delay_ms: float
    mode: str                # canonical mode name that was applied
    label: str               # 'mode', 'mode (clustered)', 'average', 'first stable', 'mode (fallback)'
    accepted_count: int
    lines: tuple[str, ...]   # log lines (without the time stamp), in order

    def to_dict(self) -> dict[str, object]:
        return {"delay_ms": self.delay_ms, "raw_delay_ms": self.raw_delay_ms, "mode": self.mode,
                "label": self.label, "accepted_count": self.accepted_count, "lines": list(self.lines)}


def mean(values: Sequence[float]) -> float:
    """Left-to-right sum divided by the count (the Rust mirror does the same, so results are identical)."""
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


def most_common(delays: Sequence[int]) -> int:
    """The most common value; ties go to the value whose first occurrence is earliest
    (docs/analysis.md#delay-selection)."""
    counts: dict[int, int] = {}
    for d in delays:
        counts[d] = counts.get(d, 0) + 1
    best, best_count = delays[0], 0
    for d, c in counts.items():  # dict order = order of first occurrence
        if c > best_count:
            best, best_count = d, c
    return best


def find_first_stable_segment(accepted: Sequence[ChunkResult], min_chunks: int, skip_unstable: bool
                              ) -> tuple[StableSegment | None, list[str]]:
    """The first stable segment of the accepted records and the log lines of the search
    (docs/analysis.md#delay-selection)."""
    lines: list[str] = []
    if len(accepted) < min_chunks or not accepted:
        return None, lines
    segments: list[tuple[int, float, list[float]]] = []  # (first delay, start, raws)
    for r in accepted:
        if segments and abs(r.delay_ms - segments[-1][0]) <= 1:
            segments[-1][2].append(r.raw_delay_ms)
        else:
            segments.append((r.delay_ms, r.start_s, [r.raw_delay_ms]))

    def make(seg: tuple[int, float, list[float]]) -> StableSegment:
        raw = mean(seg[2])
        return StableSegment(len(seg[2]), seg[1], round(raw), raw)

    if skip_unstable:
        for seg in segments:
            if len(seg[2]) >= min_chunks:
                s = make(seg)
                lines.append(f"[First Stable] Found stable segment: {s.count} chunks at {s.delay_ms:+d}ms "
                             f"(raw avg: {s.raw_delay_ms:.3f}ms, starting at {s.start_s:.1f}s)")
                return s, lines
        largest = max(len(seg[2]) for seg in segments)
        lines.append(f"[First Stable] No segment found with minimum {min_chunks} chunks. "
                     f"Largest segment: {largest} chunks")
        return None, lines
    s = make(segments[0])
    if s.count < min_chunks:
        lines.append(f"[First Stable] Warning: First segment has only {s.count} chunks "
                     f"(minimum: {min_chunks}), but using it anyway (skip_unstable=False)")
    lines.append(f"[First Stable] Using first segment: {s.count} chunks at {s.delay_ms:+d}ms "
                 f"(raw avg: {s.raw_delay_ms:.3f}ms, starting at {s.start_s:.1f}s)")
    return s, lines


def select_python(chunks: Sequence[ChunkResult], mode: str, first_stable_min_chunks: int,
                   first_stable_skip_unstable: bool, min_accepted_chunks: int, source_key: str
                   ) -> SelectionResult | None:
    accepted = [c for c in chunks if c.accepted]
    n = len(accepted)
    if n < max(1, min_accepted_chunks):
        return None
    mode = normalise_mode(mode)
    delays = [c.delay_ms for c in accepted]
    m = most_common(delays)
    mode_raw = mean([c.raw_delay_ms for c in accepted if c.delay_ms == m])
    lines: list[str] = []
    if mode == MODE_CLUSTERED:
        members = [c for c in accepted if abs(c.delay_ms - m) <= 1]
        breakdown: dict[int, int] = {}
        for c in members:
            breakdown[c.delay_ms] = breakdown.get(c.delay_ms, 0) + 1
        raw = mean([c.raw_delay_ms for c in members])
        rounded = round(raw)
        text = ", ".join(f"{d}: {k}" for d, k in breakdown.items())
        lines.append(f"[Delay Selection] Mode (Clustered): most common = {m}ms, cluster [{m - 1} to {m + 1}] "
                     f"contains {len(members)}/{n} chunks (breakdown: {{{text}}}), raw avg: {raw:.3f}ms "
                     f"→ rounded to {rounded}ms")
        lines.append(f"[Delay Selection Raw] Mode (Clustered): {len(members)} chunks in cluster, "
                     f"raw avg: {raw:.3f}ms")
        label = "mode (clustered)"
    elif mode == MODE_AVERAGE:
        raw = mean([c.raw_delay_ms for c in accepted])
        rounded = round(raw)
        lines.append(f"[Delay Selection] Average of {n} raw values: {raw:.3f}ms → rounded to {rounded}ms")
        lines.append(f"[Delay Selection Raw] True average of {n} raw values: {raw:.3f}ms")
        label = "average"
    elif mode == MODE_FIRST_STABLE:
        seg, seg_lines = find_first_stable_segment(accepted, first_stable_min_chunks,
                                                   first_stable_skip_unstable)
        lines.extend(seg_lines)
        if seg is not None:
            rounded, raw, label = seg.delay_ms, seg.raw_delay_ms, "first stable"
        else:
            lines.append("[WARNING] No stable segment found, falling back to mode.")
            rounded, raw, label = m, mode_raw, "mode (fallback)"
    else:
        rounded, raw, label = m, mode_raw, "mode"
    lines.append(f"{source_key} delay determined: {rounded:+d} ms ({label}).")
    return SelectionResult(rounded, raw, mode, label, n, tuple(lines))


def select_delay(chunks: Sequence[ChunkResult], mode: str = MODE_MOST_COMMON, *,
                 first_stable_min_chunks: int = 3, first_stable_skip_unstable: bool = True,
                 min_accepted_chunks: int = 3, source_key: str = "Source 2",
                 backend: Backend | None = None) -> SelectionResult | None:
    """Choose the delay of one target from all its chunk records (rejected ones are ignored).

    Returns None when fewer than ``min_accepted_chunks`` records are accepted (docs/analysis.md#delay-selection); the
    caller reports that with :func:`insufficient_chunks_message`. ``backend`` None follows
    :func:`vsg_core.backend.active_backend`.
    """
    from .engine import engine

    return engine(backend).select_delay(chunks, mode, first_stable_min_chunks, first_stable_skip_unstable,
                                        min_accepted_chunks, source_key)


def insufficient_chunks_message(source_key: str, path: str, accepted: int, total: int, min_accepted: int,
                                min_match_pct: float) -> str:
    """The multi-line error for a target with too few accepted chunks (docs/analysis.md#delay-selection)."""
    return (
        f"Analysis failed for {source_key} ({path}): only {accepted} of {total} chunks were accepted "
        f"(at least {min_accepted} needed; a chunk is accepted when its match is >= {min_match_pct:.1f}%).\n"
        "Possible causes: the files are not the same programme, the selected audio tracks differ "
        "(e.g. another language or commentary), or long silent/music-only passages.\n"
        "What to do: choose matching audio tracks (language settings), raise the chunk count or duration, "
        "lower the minimum match percentage, or try another correlation method."
    )
