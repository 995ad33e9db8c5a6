"""Post-mux audit: vsg checks its own output file.

Checks: track count; per track type, language, name and default/forced flags against the plan; and, for every
muxed audio track, the offset still left against the reference audio, measured by correlation with every
track decoded on its *presentation* timeline (ffmpeg ``aresample=async=1:first_pts=0`` pads or trims the start
so sample 0 is presentation time 0, i.e. container delays and ``--sync`` offsets are applied). A residual near
0 ms means the track plays in sync with the reference audio (and so with the video).
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .. import cancel as _cancel
from ..analysis.correlation_options import CorrelationOptions
from ..errors import MediaError
from ..identification import mkvmerge_identify
from ..log import JobLog
from ..models import PlanItem
from ..mux import final_order, flag_indices
from ..progress import FFMPEG_PROGRESS_ARGS, ffmpeg_progress_sink, report_part
from ..runner import run
from .result import AudioResidual, AuditReport, AuditWindow

SR = 48_000
RESIDUAL_TOLERANCE_MS = 5.0   # default of the setting audit_tolerance_ms
MAX_SHORTFALL_S = 3.0         # default of the setting audit_max_shortfall_s
AUDIT_WINDOW_S = 10.0        # length of one audit window
AUDIT_HOP_S = 15.0           # one window per this much audio: every part of the track is looked at
AUDIT_SEARCH_S = 10.0        # offsets up to ±10 s are found (a step or PAL drift left uncorrected)
MIN_MATCHED_SHARE = 0.5      # of the non-silent windows, at least this share must match the reference


def decode_presentation(path: Path, audio_ordinal: int, log: JobLog | None = None,
                        duration_s: float | None = None) -> np.ndarray:
    """Mono float32 48 kHz PCM of one audio stream, sample 0 = presentation time 0. With ``duration_s``
    ffmpeg's progress drives the job's progress display."""
    sink = ffmpeg_progress_sink(duration_s)
    proc = run(["ffmpeg", "-nostdin", "-v", "error", *(FFMPEG_PROGRESS_ARGS if sink else ()), "-i", str(path),
                "-map", f"0:a:{audio_ordinal}",
                "-af", "aresample=async=1:min_hard_comp=0.000001:first_pts=0", "-ac", "1", "-ar", str(SR),
                "-f", "f32le", "-"], log, binary=True, what=f"{path.name} audio stream {audio_ordinal}",
               progress=sink)
    data = proc.stdout
    usable = len(data) - len(data) % 4
    if usable == 0:
        raise MediaError(f"{path}: audio stream {audio_ordinal} decoded to nothing")
    return np.frombuffer(data, dtype="<f4", count=usable // 4)   # read-only view, no copy of the track


def measure_windows(ref: np.ndarray, tgt: np.ndarray) -> list[AuditWindow]:
    """Residual offset of ``tgt`` against ``ref`` in windows spread over the whole common length.

    Every window is first searched ±``GUIDE_MARGIN_S`` around 0 (an in-sync track's residual is a fraction of
    a millisecond) and measured there when it ``confirms`` 0 (the guided search's rule,
    docs/analysis.md#guided-search). Every other window — off,
    quiet, ambiguous — is searched over the full ±``AUDIT_SEARCH_S``, so a track that is off is measured as
    before (docs/audit.md)."""
    from ..analysis.correlate import GUIDE_MARGIN_S, confirms, correlate_arrays

    common_s = min(ref.size, tgt.size) / SR
    count = max(2, int(np.ceil(common_s / AUDIT_HOP_S)))
    opts = CorrelationOptions(chunk_count=count, chunk_duration_s=AUDIT_WINDOW_S, search_range_s=AUDIT_SEARCH_S,
                              scan_start_pct=0.0, scan_end_pct=100.0, speed_compensation=False)
    narrow = correlate_arrays(ref, tgt, opts.with_(search_range_s=GUIDE_MARGIN_S)).chunks
    done = {c.index: c for c in narrow if confirms(c, 0.0, opts)}
    redo = [c.index for c in narrow if c.index not in done]
    if redo:
        done.update({c.index: c for c in correlate_arrays(ref, tgt, opts, only=set(redo)).chunks})
    chunks = [done[c.index] for c in narrow if c.index in done]
    return [AuditWindow(c.start_s, c.raw_delay_ms if c.accepted else None, c.match_pct) for c in chunks]


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
    """Every muxed audio track against the reference audio (Source 1's first, or ``reference_index``), each
    decoded on its presentation timeline and measured in windows over the whole track; nothing with fewer
    than two audio tracks."""
    audio_positions = [i for i, t in enumerate(tracks) if t.get("type") == "audio"]
    if len(audio_positions) < 2:
        return []
    ref_pos = reference_index
    if ref_pos is None:
        ref_pos = next((i for i in audio_positions
                        if i < len(order) and order[i].track.source == "Source 1"), audio_positions[0])
    report_part(0, len(audio_positions))
    ref_ord = audio_positions.index(ref_pos)
    others = [(o, p) for o, p in enumerate(audio_positions) if p != ref_pos]
    residuals: list[AudioResidual] = []
    # the reference and the first track decode at once; each next track decodes while the previous one is
    # measured (at most two tracks in memory besides the reference)
    with ThreadPoolExecutor(max_workers=2) as ex:
        def decode(ordinal: int, progress: bool) -> Future[np.ndarray]:
            return ex.submit(contextvars.copy_context().run, decode_presentation, output, ordinal, log,
                             duration_s if progress else None)

        f_ref = decode(ref_ord, True)
        pending = decode(others[0][0], False) if others else None
        ref_pcm = _cancel.wait_result(f_ref)
        ref_s = ref_pcm.size / SR
        for k, (ordinal, pos) in enumerate(others):
            report_part(ordinal + (ordinal < ref_ord), len(audio_positions))
            src = order[pos].track.source if pos < len(order) else "?"
            assert pending is not None
            pcm = _cancel.wait_result(pending)
            pending = decode(others[k + 1][0], False) if k + 1 < len(others) else None
            residuals.append(_residual(ref_pcm, pcm, ref_s, pos, src, log, tolerance_ms, max_shortfall_s))
            del pcm
    return residuals


def _residual(ref_pcm: np.ndarray, pcm: np.ndarray, ref_s: float, pos: int, src: str, log: JobLog,
              tolerance_ms: float, max_shortfall_s: float) -> AudioResidual:
    """One muxed audio track measured against the reference audio, judged and logged."""
    windows = measure_windows(ref_pcm, pcm)
    ok, reason, worst = judge_track(windows, ref_s, pcm.size / SR, tolerance_ms, max_shortfall_s)
    matched = [w for w in windows if w.residual_ms is not None]
    match = float(np.mean([w.match_pct for w in matched])) if matched else None
    shown = "not measurable" if worst is None else f"largest {worst:+.3f} ms"
    log.log(f"[Audit] Audio track {pos} ({src}): {len(matched)}/{len(windows)} windows matched, "
            f"residual offset vs reference audio {shown} (tolerance {tolerance_ms:g} ms)")
    return AudioResidual(pos, src, worst, match, ok, tuple(windows), pcm.size / SR, reason)
