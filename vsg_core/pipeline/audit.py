"""Post-mux audit: vsg checks its own output file.

Checks: track count; per track type, language, name and default/forced flags against the plan; and, for every
muxed audio track, the offset still left against the reference audio, measured by correlation in windows
decoded on the file's *presentation* timeline (container delays and ``--sync`` offsets applied; only the
windows are decoded: vsg_core/pipeline/presentation.py, docs/audit.md#decoding). A residual near 0 ms means
the track plays in sync with the reference audio (and so with the video).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.correlation_options import CorrelationOptions
from ..analysis.records import ChunkResult
from ..errors import MediaError
from ..identification import mkvmerge_identify
from ..log import JobLog
from ..models import PlanItem
from ..mux import final_order, flag_indices
from ..progress import report_fraction
from .presentation import SR, Span, TrackWindows, decode_windows
from .result import AudioResidual, AuditReport, AuditWindow

RESIDUAL_TOLERANCE_MS = 5.0   # default of the setting audit_tolerance_ms
MAX_SHORTFALL_S = 3.0         # default of the setting audit_max_shortfall_s
AUDIT_WINDOW_S = 5.0          # length of one audit window (docs/audit.md#windows)
AUDIT_MIN_HOP_S = 15.0        # one window per this much audio ...
AUDIT_MAX_WINDOWS = 12        # ... but no more than this many per track ...
AUDIT_MAX_HOP_S = 120.0       # ... unless the windows would then be further apart than this (a film: one per 2 min)
AUDIT_TAIL_S = 15.0           # every track is decoded from this long before the file's end to its own end
REPLAN_SHARE = 0.75           # fewer of the file's windows than this share of its own grid: that grid instead
AUDIT_SEARCH_S = 10.0         # offsets up to ±10 s are found (a step or PAL drift left uncorrected)
MIN_MATCHED_SHARE = 0.5       # of the non-silent windows, at least this share must match the reference


def window_starts_ms(length_s: float) -> list[int]:
    """Start times (whole ms) of the audit windows over ``length_s`` seconds of audio (docs/audit.md#windows):
    one per ``AUDIT_MIN_HOP_S`` seconds, at least 2 and at most ``AUDIT_MAX_WINDOWS`` — but never further
    apart than ``AUDIT_MAX_HOP_S`` — spread evenly from 0 to the end (the last one ends at ``length_s``); none
    when the audio is shorter than one window."""
    win = round(AUDIT_WINDOW_S * 1000)
    total = int(length_s * 1000)
    if total < win:
        return []
    count = max(2, min(AUDIT_MAX_WINDOWS, math.ceil(length_s / AUDIT_MIN_HOP_S)),
                math.ceil((length_s - AUDIT_WINDOW_S) / AUDIT_MAX_HOP_S) + 1)
    return sorted({round(i * (total - win) / (count - 1)) for i in range(count)})


@dataclass(frozen=True)
class _Plan:
    """The first decode of every audio track: the regular windows (each ± the narrow search margin) and the
    tail from ``tail_ms`` to the track's end (the last window and the track's end come from it)."""

    starts_ms: tuple[int, ...]
    tail_ms: int
    margin_ms: int

    @classmethod
    def over(cls, duration_s: float, margin_ms: int) -> _Plan:
        starts = window_starts_ms(duration_s)[:-1]
        return cls(tuple(starts), max(0, int(duration_s * 1000) - round(AUDIT_TAIL_S * 1000)), margin_ms)

    def spans(self) -> tuple[Span, ...]:
        win = round(AUDIT_WINDOW_S * 1000)
        return (*(Span(t - self.margin_ms, win + 2 * self.margin_ms) for t in self.starts_ms),
                Span(self.tail_ms - self.margin_ms, None))

    def windows(self, common_ms: float) -> list[int]:
        """Window starts measured on ``common_ms`` of audio that both tracks cover: the regular ones inside
        it and one ending at its end when the tail holds it."""
        win = round(AUDIT_WINDOW_S * 1000)
        inside = [t for t in self.starts_ms if t + win <= common_ms]
        last = int(common_ms) - win
        if last >= self.tail_ms and (not inside or last > inside[-1]):
            inside.append(last)
        return inside

    def cut(self, pcm: Sequence[np.ndarray], t: int, before_ms: int, length_ms: int) -> np.ndarray:
        """Samples of window ``t`` from ``before_ms`` before its start, ``length_ms`` long, taken from the first
        decode (zeros where the track has none)."""
        i = self.starts_ms.index(t) if t in self.starts_ms else len(self.starts_ms)
        base = (self.starts_ms[i] if i < len(self.starts_ms) else self.tail_ms) - self.margin_ms
        return _slice(pcm[i], (t - before_ms - base) * SR // 1000, length_ms * SR // 1000)


def _slice(x: np.ndarray, start: int, length: int) -> np.ndarray:
    """x[start:start+length] with zeros outside x."""
    out = np.zeros(length, dtype=np.float32)
    a, b = max(0, start), min(x.size, start + length)
    if b > a:
        out[a - start:b - start] = x[a:b]
    return out


def _end_ms(spans: Sequence[Span], pcm: Sequence[np.ndarray]) -> float | None:
    """Presentation end (ms) of a track from its decoded spans (in time order), None when it lies between
    two spans (the last span with audio was decoded in full) or no span holds audio."""
    for sp, x in zip(reversed(spans), reversed(pcm), strict=True):
        if x.size == 0:
            continue
        if sp.length_ms is None or x.size < sp.length_ms * SR // 1000:
            return sp.start_ms + x.size * 1000 / SR
        return None
    return None


def _probe_from(spans: Sequence[Span], pcm: Sequence[np.ndarray]) -> int:
    """Where to decode from to find a track's end that lies between spans: the end of its last span with
    audio (0 when none has any)."""
    for sp, x in zip(reversed(spans), reversed(pcm), strict=True):
        if x.size and sp.length_ms is not None:
            return max(0, sp.start_ms + sp.length_ms)
    return 0


def _options() -> CorrelationOptions:
    return CorrelationOptions(chunk_duration_s=AUDIT_WINDOW_S, search_range_s=AUDIT_SEARCH_S,
                              speed_compensation=False)


def _correlate(refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], starts_ms: Sequence[int],
               opts: CorrelationOptions) -> list[ChunkResult]:
    """One record per window (index = position in ``starts_ms`` + 1), in batches of bounded memory."""
    from ..analysis.chunks import Chunk
    from ..analysis.correlate import batch_size, correlate_lags, make_record

    key = opts.method_key
    win = round(AUDIT_WINDOW_S * SR)
    out: list[ChunkResult] = []
    step = batch_size(opts)
    for b0 in range(0, len(refs), step):
        res = correlate_lags(refs[b0:b0 + step], tgts[b0:b0 + step], key, opts)
        out += [make_record(Chunk(b0 + k + 1, t / 1000, t * SR // 1000, win), r, key, opts, None)
                for k, (t, r) in enumerate(zip(starts_ms[b0:b0 + step], res, strict=True))]
    return out


def narrow_search(refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], starts_ms: Sequence[int]
                  ) -> list[ChunkResult | None]:
    """Windows searched ±``GUIDE_MARGIN_S`` around 0 (``tgts``: the window with that margin on each side):
    the record where it ``confirms`` 0 (the guided search's rule, docs/analysis.md#guided-search), else None
    (the window is searched again over ±``AUDIT_SEARCH_S`` by :func:`full_search`)."""
    from ..analysis.correlate import GUIDE_MARGIN_S, confirms

    opts = _options()
    recs = _correlate(refs, tgts, starts_ms, opts.with_(search_range_s=GUIDE_MARGIN_S))
    return [r if confirms(r, 0.0, opts) else None for r in recs]


def full_search(refs: Sequence[np.ndarray], tgts: Sequence[np.ndarray], starts_ms: Sequence[int]
                ) -> list[ChunkResult]:
    """Windows searched over ±``AUDIT_SEARCH_S`` (``tgts``: the window with that margin on each side)."""
    return _correlate(refs, tgts, starts_ms, _options())


def judge_track(windows: Sequence[AuditWindow], ref_s: float, tgt_s: float, tolerance_ms: float,
                max_shortfall_s: float) -> tuple[bool, str, float | None]:
    """(ok, reason, signed largest residual) of one muxed audio track from its audit windows."""
    matched = [w for w in windows if w.residual_ms is not None]
    worst = max(matched, key=lambda w: abs(w.residual_ms or 0.0)) if matched else None
    worst_ms = worst.residual_ms if worst is not None else None
    reasons: list[str] = []
    if tgt_s < ref_s - max_shortfall_s:
        reasons.append(f"the track ends at {tgt_s:.1f} s, {ref_s - tgt_s:.1f} s before the reference audio "
                       f"({ref_s:.1f} s)")
    off = [w for w in matched if abs(w.residual_ms or 0.0) > tolerance_ms]
    if off:
        where = ", ".join(f"{w.start_s:.0f}–{w.start_s + AUDIT_WINDOW_S:.0f} s: {w.residual_ms:+.1f} ms"
                          for w in off[:6])
        more = f" and {len(off) - 6} more" if len(off) > 6 else ""
        reasons.append(f"{len(off)} of {len(matched)} matched windows are off by more than {tolerance_ms:g} ms "
                       f"({where}{more})")
    audible = [w for w in windows if w.match_pct > 0.0]
    if audible and len(matched) < MIN_MATCHED_SHARE * len(audible):
        reasons.append(f"only {len(matched)} of {len(audible)} windows match the reference audio at all")
    if not windows or not audible:
        reasons.append("no window could be measured (silent track?)")
    return not reasons, "; ".join(reasons), worst_ms


def _identify(path: Path, log: JobLog | None) -> Mapping[str, Any]:
    out = mkvmerge_identify(path, log)
    if out.returncode not in (0, 1) or not out.data:
        raise MediaError(f"{path}: mkvmerge cannot read the muxed output (exit code {out.returncode}): "
                         f"{out.stderr.strip() or 'no error output'}")
    return out.data


def audit_output(output: Path, items: Sequence[PlanItem], log: JobLog, *,
                 measure_sync: bool = True, reference_index: int | None = None,
                 tolerance_ms: float = RESIDUAL_TOLERANCE_MS, max_shortfall_s: float = MAX_SHORTFALL_S
                 ) -> AuditReport:
    """Compare ``output`` with the plan; measure the residual offset of every audio track in every window.

    An audio track fails when any matched window is off by more than ``tolerance_ms``, when it ends more
    than ``max_shortfall_s`` before the reference audio, or when fewer than half of its non-silent windows
    match the reference audio at all; a planned track missing from the file fails the audit too.
    """
    log.section("Post-Merge: Running Final Audit")
    order = final_order(items)
    info = _identify(output, log)
    tracks = list(info.get("tracks", []))
    issues = check_tracks(order, tracks)
    residuals: list[AudioResidual] = []
    if measure_sync:
        duration_ns = info.get("container", {}).get("properties", {}).get("duration")
        duration_s = duration_ns / 1e9 if isinstance(duration_ns, (int, float)) else None
        residuals = measure_residuals(output, order, tracks, log, reference_index, duration_s, tolerance_ms,
                                      max_shortfall_s)
        issues += [f"audio track {r.track_index} ({r.source}) is not in sync: {r.reason}"
                   for r in residuals if not r.ok]
    if issues:
        log.log(f"❌ FINAL AUDIT FAILED: {len(issues)} ISSUE(S)")
        for msg in issues:
            log.error(f"[Audit] {msg}")
    else:
        log.log("✅ FINAL AUDIT PASSED - NO ISSUES FOUND")
    return AuditReport(tuple(issues), tuple(residuals), len(tracks))


def check_tracks(order: Sequence[PlanItem], tracks: Sequence[Mapping[str, Any]]) -> list[str]:
    """Track count, then per track: type, language, name, default and forced flags against the plan."""
    flags = flag_indices(order)
    issues: list[str] = []
    if len(tracks) != len(order):
        issues.append(f"the output has {len(tracks)} tracks, the plan {len(order)}")
    defaults = {i for i in (flags.first_video, flags.default_audio, flags.default_sub) if i is not None}
    for i, (it, t) in enumerate(zip(order, tracks, strict=False)):
        props = t.get("properties", {})
        want_type = it.track.type.value
        if t.get("type") != want_type:
            issues.append(f"track {i}: type {t.get('type')} instead of {want_type}")
        want_lang = it.custom_lang or it.track.props.lang or "und"
        if props.get("language", "und") != want_lang and props.get("language_ietf") != want_lang:
            issues.append(f"track {i}: language {props.get('language')} instead of {want_lang}")
        want_name = it.custom_name or (it.track.props.name if it.apply_track_name else "")
        if want_name.strip() and props.get("track_name", "") != want_name:
            issues.append(f"track {i}: name {props.get('track_name', '')!r} instead of {want_name!r}")
        if bool(props.get("default_track")) != (i in defaults):
            issues.append(f"track {i}: default flag {props.get('default_track')} instead of {i in defaults}")
        want_forced = i == flags.forced_sub
        if bool(props.get("forced_track")) != want_forced:
            issues.append(f"track {i}: forced flag {props.get('forced_track')} instead of {want_forced}")
    return issues



def measure_residuals(output: Path, order: Sequence[PlanItem], tracks: Sequence[Mapping[str, Any]],
                      log: JobLog, reference_index: int | None = None, duration_s: float | None = None,
                      tolerance_ms: float = RESIDUAL_TOLERANCE_MS, max_shortfall_s: float = MAX_SHORTFALL_S
                      ) -> list[AudioResidual]:
    """Every muxed audio track against the reference audio (Source 1's first, or ``reference_index``) in
    windows decoded on the presentation timeline (docs/audit.md#windows); nothing with fewer than two audio
    tracks. ``duration_s``: the file's duration (mkvmerge -J), where the windows are spread."""
    from ..analysis.correlate import GUIDE_MARGIN_S

    audio_positions = [i for i, t in enumerate(tracks) if t.get("type") == "audio"]
    if len(audio_positions) < 2:
        return []
    if not duration_s or duration_s <= 0:
        raise MediaError(f"{output}: mkvmerge reports no duration for the muxed output; it cannot be audited")
    ref_pos = reference_index
    if ref_pos is None:
        ref_pos = next((i for i in audio_positions
                        if i < len(order) and order[i].track.source == "Source 1"), audio_positions[0])
    ref_ord = audio_positions.index(ref_pos)
    codecs = [str(tracks[p].get("properties", {}).get("codec_id", "")) for p in audio_positions]
    margin = round(GUIDE_MARGIN_S * 1000)
    plan = _Plan.over(duration_s, margin)
    spans = plan.spans()
    # 1. every track's regular windows and tail at once; then the ends that fell between two windows
    pcm = decode_windows(output, [TrackWindows(o, spans, codecs[o]) for o in range(len(audio_positions))], log,
                         share=(0.0, 0.7))
    ends = [_end_ms(spans, x) for x in pcm]
    unknown = [o for o, e in enumerate(ends) if e is None]
    if unknown:
        probes = [TrackWindows(o, (Span(_probe_from(spans, pcm[o]), None),), codecs[o]) for o in unknown]
        for o, job, x in zip(unknown, probes, decode_windows(output, probes, log, share=(0.7, 0.75)),
                             strict=True):
            ends[o] = job.spans[0].start_ms + x[0].size * 1000 / SR
    ref_end = float(ends[ref_ord] or 0.0)
    # 2. every window searched narrowly; 3. the unconfirmed ones decoded again, wider, and searched in full
    win = round(AUDIT_WINDOW_S * 1000)
    others = [(o, p) for o, p in enumerate(audio_positions) if p != ref_pos]
    found: dict[int, list[ChunkResult | None]] = {}
    starts: dict[int, list[int]] = {}
    apart: dict[int, list[int]] = {}     # windows not in the first decode, decoded for the pair apart
    for o, _pos in others:
        common = min(ref_end, float(ends[o] or 0.0))
        starts[o] = plan.windows(common)
        dense = window_starts_ms(common / 1000)
        if len(starts[o]) < REPLAN_SHARE * len(dense):
            # the audio both cover is much shorter than the file (a short reference, a truncated track):
            # the grid of that part instead
            starts[o] = apart[o] = dense
        elif dense and (starts[o] or [-2 * win])[-1] + 2 * win < common:
            # the common audio ends before the tail and the last window ends well before it: one ending there
            starts[o] = [*starts[o], dense[-1]]
            apart[o] = [dense[-1]]
    extra = [(o, TrackWindows(ordinal, tuple(Span(t - margin, win + 2 * margin) for t in apart[o]),
                              codecs[ordinal]))
             for o in apart for ordinal in (ref_ord, o)]
    extra_pcm = decode_windows(output, [job for _o, job in extra], log) if extra else []
    got: dict[int, list[list[np.ndarray]]] = {}
    for (o, _job), x in zip(extra, extra_pcm, strict=True):
        got.setdefault(o, []).append(x)
    refs: dict[int, list[np.ndarray]] = {}
    wide: list[TrackWindows] = []
    for k, (o, _pos) in enumerate(others):
        refs[o], tgts = [], []
        for t in starts[o]:
            if t in apart.get(o, ()):
                i = apart[o].index(t)
                refs[o].append(_slice(got[o][0][i], margin * SR // 1000, win * SR // 1000))
                tgts.append(_slice(got[o][1][i], 0, (win + 2 * margin) * SR // 1000))
            else:
                refs[o].append(plan.cut(pcm[ref_ord], t, 0, win))
                tgts.append(plan.cut(pcm[o], t, margin, win + 2 * margin))
        found[o] = narrow_search(refs[o], tgts, starts[o])
        redo = tuple(Span(t - round(AUDIT_SEARCH_S * 1000), win + round(2 * AUDIT_SEARCH_S * 1000))
                     for t, r in zip(starts[o], found[o], strict=True) if r is None)
        if redo:
            wide.append(TrackWindows(o, redo, codecs[o]))
        report_fraction(0.75 + 0.05 * (k + 1) / len(others))
    wide_pcm = decode_windows(output, wide, log, share=(0.8, 1.0)) if wide else []
    for job, x in zip(wide, wide_pcm, strict=True):
        todo = [k for k, r in enumerate(found[job.ordinal]) if r is None]
        t_todo = [starts[job.ordinal][k] for k in todo]
        tgts = [_slice(y, 0, sp.length_ms * SR // 1000 if sp.length_ms else y.size)
                for sp, y in zip(job.spans, x, strict=True)]
        for k, rec in zip(todo, full_search([refs[job.ordinal][k] for k in todo], tgts, t_todo), strict=True):
            found[job.ordinal][k] = rec
    residuals: list[AudioResidual] = []
    for o, pos in others:
        src = order[pos].track.source if pos < len(order) else "?"
        windows = [AuditWindow(t / 1000, r.raw_delay_ms if r.accepted else None, r.match_pct)
                   for t, r in zip(starts[o], found[o], strict=True) if r is not None]
        residuals.append(_residual(windows, ref_end / 1000, float(ends[o] or 0.0) / 1000, pos, src, log,
                                   tolerance_ms, max_shortfall_s))
    return residuals


def _residual(windows: Sequence[AuditWindow], ref_s: float, tgt_s: float, pos: int, src: str, log: JobLog,
              tolerance_ms: float, max_shortfall_s: float) -> AudioResidual:
    """One muxed audio track's windows judged and logged."""
    ok, reason, worst = judge_track(windows, ref_s, tgt_s, tolerance_ms, max_shortfall_s)
    matched = [w for w in windows if w.residual_ms is not None]
    match = float(np.mean([w.match_pct for w in matched])) if matched else None
    shown = "not measurable" if worst is None else f"largest {worst:+.3f} ms"
    log.log(f"[Audit] Audio track {pos} ({src}): {len(matched)}/{len(windows)} windows matched, "
            f"residual offset vs reference audio {shown} (tolerance {tolerance_ms:g} ms)")
    return AudioResidual(pos, src, worst, match, ok, tuple(windows), tgt_s, reason)
