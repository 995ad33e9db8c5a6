"""Short delay segments confirmed by a dense scan (docs/diagnosis.md#short-segments).

The diagnosis validates a timing cluster by how many chunks it holds (3 with the default quality preset): a
stretch between two edits that is shorter than about three chunk spacings holds one or two chunks and is
filtered out. Then an insert near the start of the programme reads UNIFORM (the first stretch is muxed seconds
off), and a cut followed by an insert reads as one step (the stretch between them is off by the cut).

A chunk is 15 s of audio matched with a distinct peak, so a run of 1–2 such chunks is strong evidence; what it
lacks is confirmation that a whole stretch of the programme plays at that delay (and not a repeat of the same
music bed elsewhere). :func:`recover_short_segments` gets that from the audio: between the neighbouring runs of
chunks it compares the reference with the target shifted by each candidate delay in 0.5 s windows every 0.1 s
(the dense scan of the step boundaries, :func:`vsg_core.analysis.coarse.window_similarity`). The run is kept as
a segment when at least ``MIN_EXCLUSIVE_S`` of windows match its delay and match neither neighbour's, and those
windows are most of the stretch they span (``MIN_EXCLUSIVE_SHARE``). Runs that fail stay filtered out, as
before. It runs only where the diagnosis found at least two timing clusters (STEPPING, or stepping rejected by
cluster validation) and stepping correction is not disabled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..log import JobLog
from ..models.enums import DiagnosisKind
from . import decode as dec
from .coarse import SCAN_HOP_S, SCAN_LAGS, SCAN_MATCH, SCAN_RATE, SCAN_WINDOW_S, _decode_at, window_similarity
from .drift import Diagnosis, Segment
from .records import ChunkResult

MIN_EXCLUSIVE_S = 5.0       # seconds of windows that only the run's delay explains (docs/diagnosis.md)
MIN_EXCLUSIVE_SHARE = 0.5   # … as a share of the windows between the first and last of them
SAME_DELAY_MS = 20.0        # runs closer than this in delay are one delay (the DBSCAN distance)


@dataclass(frozen=True)
class _Run:
    """Consecutive accepted chunks (time order) of one cluster, or one chunk outside every cluster."""

    first_s: float           # start of the first chunk
    last_s: float            # start of the last chunk
    delay_ms: float          # mean raw delay
    label: int               # cluster label, or −1 − chunk index for a chunk outside every cluster
    trusted: bool            # a valid cluster's run


@dataclass(frozen=True)
class ScanEvidence:
    """What the dense scan says about one run: seconds of windows only its delay explains, and their share
    of the stretch from the first to the last of them."""

    exclusive_s: float
    share: float
    span_s: tuple[float, float]

    @property
    def confirmed(self) -> bool:
        return self.exclusive_s >= MIN_EXCLUSIVE_S and self.share >= MIN_EXCLUSIVE_SHARE


def _runs(diag: Diagnosis, accepted: Sequence[ChunkResult]) -> list[_Run]:
    label_of: dict[int, int] = {}
    valid: set[int] = set()
    for c in diag.clusters:
        for m in c.members:
            label_of[m] = c.label
        if c.valid:
            valid.add(c.label)
    order = sorted(range(len(accepted)), key=lambda i: accepted[i].start_s)
    runs: list[list[int]] = []
    labels: list[int] = []
    for i in order:
        lb = label_of.get(i, -1 - accepted[i].index)
        if runs and labels[-1] == lb:
            runs[-1].append(i)
        else:
            runs.append([i])
            labels.append(lb)
    return [_Run(accepted[r[0]].start_s, accepted[r[-1]].start_s,
                 float(np.mean([accepted[i].raw_delay_ms for i in r])), lb, lb in valid)
            for r, lb in zip(runs, labels, strict=True)]


def scan_run(ri: dec.AudioInfo, ti: dec.AudioInfo, lo: float, hi: float, delay_ms: float,
             others_ms: Sequence[float], log: JobLog | None) -> ScanEvidence:
    """Dense scan of reference [lo, hi] s: windows where the target at ``delay_ms`` matches and at none of
    ``others_ms`` does."""
    rate = SCAN_RATE
    win, hop = round(SCAN_WINDOW_S * rate), round(SCAN_HOP_S * rate)
    ref = _decode_at(ri, lo, hi - lo, rate, log)

    def sim(d: float) -> np.ndarray:
        return window_similarity(ref, _decode_at(ti, lo - d / 1000.0, hi - lo, rate, log), win, hop, SCAN_LAGS)

    own = sim(delay_ms) >= SCAN_MATCH
    excl = own.copy()
    for d in others_ms:
        excl &= ~(sim(d) >= SCAN_MATCH)
    idx = np.flatnonzero(excl)
    if idx.size == 0:
        return ScanEvidence(0.0, 0.0, (lo, lo))
    centre = lo + (SCAN_LAGS + np.arange(own.size) * hop + win / 2) / rate
    share = float(idx.size) / float(idx[-1] - idx[0] + 1)
    return ScanEvidence(float(idx.size) * SCAN_HOP_S, share, (float(centre[idx[0]]), float(centre[idx[-1]])))


def recover_short_segments(diag: Diagnosis, chunks: Sequence[ChunkResult], ref_path: Path, ref_ordinal: int,
                           tgt_path: Path, tgt_ordinal: int, chunk_s: float, ref_duration_s: float | None,
                           correction_mode: str, log: JobLog | None) -> Diagnosis:
    """The diagnosis with every run of chunks the dense scan confirms as a segment of its own (module doc);
    unchanged when nothing is confirmed or the diagnosis is not about timing clusters."""
    if correction_mode == "disabled" or len(diag.clusters) < 2:
        return diag
    if diag.kind is not DiagnosisKind.STEPPING and not (
            diag.kind is DiagnosisKind.UNIFORM and any(not c.valid for c in diag.clusters)):
        return diag
    accepted = [c for c in chunks if c.accepted]
    runs = _runs(diag, accepted)
    if all(r.trusted for r in runs):
        return diag
    ri = dec.probe(ref_path, ref_ordinal, log)
    ti = dec.probe(tgt_path, tgt_ordinal, log)
    end_s = ref_duration_s if ref_duration_s is not None else runs[-1].last_s + chunk_s
    keep: list[_Run] = []
    lines: list[str] = []
    for k, r in enumerate(runs):
        if r.trusted:
            keep.append(r)
            continue
        prev = next((p for p in reversed(runs[:k]) if abs(p.delay_ms - r.delay_ms) > SAME_DELAY_MS), None)
        nxt = next((p for p in runs[k + 1:] if abs(p.delay_ms - r.delay_ms) > SAME_DELAY_MS), None)
        if prev is None and nxt is None:
            continue
        lo = prev.last_s if prev is not None else 0.0
        hi = (nxt.first_s + chunk_s) if nxt is not None else end_s
        others = [p.delay_ms for p in (prev, nxt) if p is not None]
        ev = scan_run(ri, ti, max(0.0, lo), hi, r.delay_ms, others, log)
        verdict = "confirmed" if ev.confirmed else "not confirmed"
        lines.append(f"[Short Segment] Chunks @{r.first_s:.1f}–{r.last_s:.1f}s at {r.delay_ms:+.3f} ms: "
                     f"{ev.exclusive_s:.1f} s of 0.5 s windows match only this delay between {lo:.1f} and "
                     f"{hi:.1f} s ({ev.share:.0%} of {ev.span_s[0]:.1f}–{ev.span_s[1]:.1f} s; need "
                     f"{MIN_EXCLUSIVE_S:g} s and {MIN_EXCLUSIVE_SHARE:.0%}) → {verdict}")
        if ev.confirmed:
            keep.append(dataclasses.replace(r, trusted=True))
    # consecutive kept runs of one delay form one segment
    merged: list[list[_Run]] = []
    for r in keep:
        if merged and abs(merged[-1][-1].delay_ms - r.delay_ms) <= SAME_DELAY_MS:
            merged[-1].append(r)
        else:
            merged.append([r])
    if log is not None:
        for line in lines:
            log.log(line)
    if len(merged) < 2 or not any(line.endswith("→ confirmed") for line in lines):
        return diag
    segs: list[Segment] = []
    for k, group in enumerate(merged):
        delay = float(np.mean([r.delay_ms for r in group]))
        first_c = group[0].first_s + chunk_s / 2.0
        last_c = group[-1].last_s + chunk_s / 2.0
        start = 0.0 if k == 0 else (merged[k - 1][-1].last_s + chunk_s / 2.0 + first_c) / 2.0
        end = ((last_c + merged[k + 1][0].first_s + chunk_s / 2.0) / 2.0 if k + 1 < len(merged) else
               end_s if end_s is not None else last_c + chunk_s / 2.0)
        segs.append(Segment(start, end, round(delay), delay, group[0].label))
    reason = f"{len(segs)} delay segments ({sum(1 for line in lines if line.endswith('→ confirmed'))} " \
             "confirmed by the dense scan)"
    if log is not None:
        log.log(f"[Short Segment] Diagnosis {diag.kind.value} → STEPPING: " + ", ".join(
            f"{s.delay_ms:+d} ms from {s.start_s:.1f} s" for s in segs))
    return dataclasses.replace(diag, kind=DiagnosisKind.STEPPING, segments=tuple(segs), reason=reason,
                               lines=tuple(diag.lines) + tuple(lines))
