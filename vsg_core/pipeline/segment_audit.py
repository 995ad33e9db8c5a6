"""Post-mux check of corrected stepping tracks: every kept segment, and both sides of every splice.

For each kept segment a window in its middle, and 1-second windows ending 0.5 s before and starting 0.5 s
after each splice, are decoded from the muxed output on its presentation timeline (only those windows, as the
main audit does: vsg_core/pipeline/presentation.py) and located in the corrected track by a whitened
(GCC-PHAT) correlation against the reference audio track. A window whose peak is clear (peak / median
≥ ``MIN_PEAK_RATIO``) and whose offset exceeds ``TOLERANCE_MS`` is an issue; unclear windows (quiet passages,
filled gaps) are reported as not measurable, not as passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..log import JobLog
from ..models import PlanItem, TrackType
from ..mux import final_order
from .presentation import SR, Span, TrackWindows, decode_windows

TOLERANCE_MS = 2.0
MIN_PEAK_RATIO = 8.0
SEARCH_S = 0.1
SEGMENT_WINDOW_S = 10.0
SPLICE_WINDOW_S = 1.0
SPLICE_GAP_S = 0.5


def phat_offset(ref: np.ndarray, tgt: np.ndarray) -> tuple[float, float] | None:
    """(offset ms of the reference window ``ref`` inside ``tgt`` — the same window with ``SEARCH_S`` more on
    each side —, peak/median ratio); None when either is incomplete (the track ends or starts inside)."""
    n, m = ref.size, int(SEARCH_S * SR)
    if n == 0 or tgt.size < n + 2 * m:
        return None
    r = ref.astype(np.float64)
    t = tgt[:n + 2 * m].astype(np.float64)
    size = 1 << int(np.ceil(np.log2(len(t) + n)))
    x = np.fft.rfft(t, size) * np.conj(np.fft.rfft(r, size))
    x /= np.abs(x) + 1e-12
    c = np.fft.irfft(x, size)[:2 * m + 1]
    k = int(np.argmax(c))
    frac = 0.0
    if 0 < k < 2 * m:
        den = c[k - 1] - 2 * c[k] + c[k + 1]
        frac = 0.5 * (c[k - 1] - c[k + 1]) / den if den != 0 else 0.0
    return (k + frac - m) * 1000.0 / SR, float(c[k] / (np.median(np.abs(c)) + 1e-12))


def _windows(report: dict[str, Any], shift_s: float) -> list[tuple[str, float, float]]:
    """(label, start on the presentation timeline, length) of the windows to check for one correction."""
    out: list[tuple[str, float, float]] = []
    kept = [s for s in report.get("segments", []) if s.get("action") == "kept"]
    for i, seg in enumerate(kept):
        a, b = seg["reference_start_s"] + shift_s, seg["reference_end_s"] + shift_s
        if b - a >= SEGMENT_WINDOW_S + 2 * SPLICE_GAP_S:
            mid = (a + b) / 2.0
            out.append((f"segment {i + 1} middle", mid - SEGMENT_WINDOW_S / 2.0, SEGMENT_WINDOW_S))
        if i > 0:
            out.append((f"segment {i + 1} start (after splice {i})", a + SPLICE_GAP_S, SPLICE_WINDOW_S))
        if i + 1 < len(kept):
            out.append((f"segment {i + 1} end (before splice {i + 1})", b - SPLICE_GAP_S - SPLICE_WINDOW_S,
                        SPLICE_WINDOW_S))
    return out


def audit_corrected_segments(output: Path, items: Sequence[PlanItem], corrections: Sequence[Any],
                             shift_ms: int, log: JobLog) -> list[str]:
    """Issues found in the stepping-corrected tracks of ``output`` (empty list: all measurable windows pass).
    ``shift_ms``: the global shift (presentation time of reference time 0)."""
    reports = [c.to_json() if hasattr(c, "to_json") else dict(c) for c in corrections]
    stepping = [r for r in reports if r.get("kind") == "STEPPING" and r.get("applied")]
    if not stepping:
        return []
    order = final_order(items)
    audio = [it for it in order if it.track.type is TrackType.AUDIO]
    ref_ord = next((i for i, it in enumerate(audio) if it.track.source == "Source 1"), None)
    if ref_ord is None:
        log.log("[Segment Audit] No Source 1 audio in the output; corrected segments cannot be checked.")
        return []
    log.section("Post-Merge: Checking Corrected Segments")
    s1a = next((it.container_delay_ms for it in audio if it.track.source == "Source 1"), 0)
    shift_s = (shift_ms + s1a) / 1000.0
    margin = round(SEARCH_S * 1000)
    checks: list[tuple[str, int, int, int]] = []   # (what, start ms, length ms, corrected track's ordinal)
    for rep in stepping:
        ordinal = next((i for i, it in enumerate(audio) if it.is_corrected and it.track.source == rep["source"]
                        and it.track.id == rep["track_id"]), None)
        if ordinal is None:
            continue
        for label, start, length in _windows(rep, shift_s):
            checks.append((f"{rep['source']} track {rep['track_id']} {label} ({start:.2f} s)",
                           round(start * 1000), round(length * 1000), ordinal))
    if not checks:
        return []
    # the reference's windows, and each corrected track's with the search margin around them; a window
    # whose margin reaches before time 0 is not measurable
    ref_job = TrackWindows(ref_ord, tuple(Span(a, n) for _w, a, n, _o in checks), audio[ref_ord].track.props.codec_id)
    tgt_jobs = {o: TrackWindows(o, tuple(Span(a - margin, n + 2 * margin) for _w, a, n, oo in checks if oo == o))
                for o in dict.fromkeys(c[3] for c in checks)}
    decoded = decode_windows(output, [ref_job, *tgt_jobs.values()], log)
    tgt_pcm = {o: iter(x) for o, x in zip(tgt_jobs, decoded[1:], strict=True)}
    issues: list[str] = []
    for (where, start, length, o), ref in zip(checks, decoded[0], strict=True):
        tgt = next(tgt_pcm[o])
        whole = start - margin >= 0 and ref.size == length * SR // 1000
        got = phat_offset(ref, tgt) if whole else None
        if got is None or got[1] < MIN_PEAK_RATIO:
            log.log(f"[Segment Audit] {where}: not measurable (quiet or no clear match)")
            continue
        ok = abs(got[0]) <= TOLERANCE_MS
        log.log(f"[Segment Audit] {where}: {got[0]:+.3f} ms (peak ratio {got[1]:.0f}) {'OK' if ok else 'OFF'}")
        if not ok:
            issues.append(f"{where} is off by {got[0]:+.3f} ms after correction")
    return issues
