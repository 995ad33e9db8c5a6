"""Global shift and the job's ``Delays`` (docs/analysis.md#sync-mode-and-global-shift, docs/analysis.md#delays).

``positive_only`` (default): when the layout takes audio from a source other than Source 1, every delay is
shifted by the same amount so that none is negative (mkvmerge cannot start a track before 0).
``allow_negative``: never shifted. Unknown modes warn and behave as ``positive_only``.

vsg deviations (recorded in the decision log):

* The original's quirk (docs/analysis.md#sync-mode-and-global-shift): the raw shift was ``|min(raw candidates)|`` over a
  list that omitted the container delays and dropped the raw value of a second source with the same rounded delay, so
  the raw and rounded shifts could disagree (even a positive raw shift from a non-negative value). vsg takes every
  candidate as a (rounded, raw) pair — container delays included, their raw value being the same integer — and, when the
  smallest rounded candidate ``m`` is negative, shifts by ``−m`` (rounded) and ``−min(raw)`` (raw). Because every raw
  delay is within 0.5 ms of its rounded value, the raw minimum belongs to the same delay and both shifts agree to within
  half a millisecond; with no negative rounded candidate both shifts are 0.
* The original's quirk (docs/analysis.md#sync-mode-and-global-shift): sources are ordered naturally ("Source 2" <
  "Source 10").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..models.jobs import Delays
from ..sources import sort_sources

POSITIVE_ONLY = "positive_only"
ALLOW_NEGATIVE = "allow_negative"
SYNC_MODES = (POSITIVE_ONLY, ALLOW_NEGATIVE)
REFERENCE_KEY = "Source 1"


@dataclass(frozen=True)
class SyncModeDecision:
    mode: str          # effective mode (unknown → positive_only)
    shift_required: bool
    lines: tuple[str, ...]


def decide_sync_mode(sync_mode: str, layout_audio_sources: Sequence[str] | None) -> SyncModeDecision:
    """Banner lines (docs/analysis.md#sync-mode-and-global-shift) and whether the global shift is needed.
    ``layout_audio_sources`` = the source of every audio item of the output layout (None for an analyse-only job:
    nothing is muxed, no shift)."""
    lines = ["=" * 60, f"=== TIMING SYNC MODE: {sync_mode.upper()} ===", "=" * 60]
    mode = sync_mode
    if mode not in SYNC_MODES:
        lines.append(f"[WARNING] Unknown sync_mode '{sync_mode}', using '{POSITIVE_ONLY}'.")
        mode = POSITIVE_ONLY
    if mode == ALLOW_NEGATIVE:
        lines.append("[SYNC MODE] Negative delays are allowed; no global shift will be applied.")
        return SyncModeDecision(mode, False, tuple(lines))
    required = any(src != REFERENCE_KEY for src in (layout_audio_sources or ()))
    lines.append("[SYNC MODE] Positive-only: a global shift removes negative delays." if required else
                 "[SYNC MODE] Positive-only, but no audio from other sources is muxed; no global shift "
                 "needed.")
    return SyncModeDecision(mode, required, tuple(lines))


@dataclass(frozen=True)
class GlobalShift:
    shift_ms: int
    raw_shift_ms: float
    lines: tuple[str, ...]


def compute_global_shift(final_delays: Mapping[str, tuple[int, float]], layout_audio_sources: Sequence[str],
                         source1_audio_relative_ms: Iterable[int], required: bool) -> GlobalShift:
    """The global shift (docs/analysis.md#sync-mode-and-global-shift) with vsg's consistent raw shift.

    ``final_delays``: source key → (rounded, raw) delay after the container-delay chain (Source 1 absent or
    0).
    ``source1_audio_relative_ms``: every Source 1 audio track's container delay relative to its video.
    """
    lines = ["--- Calculating Global Shift ---"]
    if not required:
        lines.append("[Global Shift] Not required for this job (no shift applied).")
        return GlobalShift(0, 0.0, tuple(lines))
    candidates: list[tuple[int, float]] = []
    for src in layout_audio_sources:
        if src == REFERENCE_KEY:
            candidates.append((0, 0.0))
        elif src in final_delays:
            rounded, raw = final_delays[src]
            candidates.append((int(rounded), float(raw)))
    for d in source1_audio_relative_ms:
        if d != 0:
            candidates.append((int(d), float(d)))
    m = min((c[0] for c in candidates), default=0)
    m_raw = min((c[1] for c in candidates), default=0.0)
    if m < 0:
        shift, raw_shift = -m, max(0.0, -m_raw)
        lines.append(f"[Delay] Most negative relevant delay: {m}ms (rounded), {m_raw:.3f}ms (raw)")
        lines.append(f"[Delay] Applying lossless global shift: +{shift}ms (rounded), "
                     f"+{raw_shift:.3f}ms (raw)")
        return GlobalShift(shift, raw_shift, tuple(lines))
    lines.append("[Delay] All relevant delays are non-negative. No global shift needed.")
    return GlobalShift(0, 0.0, tuple(lines))


def build_delays(final_delays: Mapping[str, tuple[int, float]], shift: GlobalShift, sync_mode: str
                 ) -> tuple[Delays, list[str]]:
    """``Delays`` with identical keys (Source 1 = the shift) and the final summary log lines
    (docs/analysis.md#delays)."""
    rounded: dict[str, int] = {REFERENCE_KEY: shift.shift_ms}
    raw: dict[str, float] = {REFERENCE_KEY: shift.raw_shift_ms}
    lines: list[str] = []
    for key in sort_sources(k for k in final_delays if k != REFERENCE_KEY):
        r, f = final_delays[key]
        rounded[key] = int(r) + shift.shift_ms
        raw[key] = float(f) + shift.raw_shift_ms
        if shift.shift_ms:
            lines.append(f"[Delay] {key}: {int(r):+d}ms → {rounded[key]:+d}ms (raw {float(f):+.3f}ms → "
                         f"{raw[key]:+.3f}ms)")
    lines.append(f"[Delay] === FINAL DELAYS (Sync Mode: {sync_mode.upper()}, "
                 f"Global Shift: +{shift.shift_ms}ms) ===")
    for key in sort_sources(rounded):
        lines.append(f"  - {key}: {rounded[key]:+d}ms")
    if sync_mode == ALLOW_NEGATIVE:
        lines.append("[INFO] Negative delays retained (allow_negative mode).")
    elif shift.shift_ms:
        lines.append(f"[INFO] All delays shifted by +{shift.shift_ms}ms to eliminate negatives.")
    delays = Delays(source_delays_ms=rounded, raw_source_delays_ms=raw, global_shift_ms=shift.shift_ms,
                    raw_global_shift_ms=shift.raw_shift_ms)
    return delays, lines
