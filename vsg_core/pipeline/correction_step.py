"""Pipeline step between extraction and mux: audio correction of stepping, PAL and linear-drift sources.

For every source whose diagnosis calls for it (and whose kind is enabled in the settings), every audio track
of that source in the layout is replaced by a corrected FLAC (container delay 0, pre-aligned to the delay the
muxer gives the source), optionally keeping the original next to it. Each corrected track is re-correlated
against the reference over the whole programme (QA); a track that fails QA fails the job, or — when the user
chose ``correction_on_qa_failure = "original"`` — the original is muxed with a warning.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from ..errors import VsgError
from ..models import DiagnosisKind, PlanItem, StreamProps, Track, TrackType
from .context import JobContext

KIND_SETTING = {DiagnosisKind.STEPPING: "correction_stepping_enabled",
                DiagnosisKind.PAL_DRIFT: "correction_pal_enabled",
                DiagnosisKind.LINEAR_DRIFT: "correction_linear_enabled"}


def correction_enabled(settings: object, kind: DiagnosisKind) -> bool:
    key = KIND_SETTING.get(kind)
    if key is None:
        return False
    get = getattr(settings, "get", None)
    master = bool(get("segmented_enabled", True)) if get else True
    return master and bool(get(key, True) if get else True)


def _names(kind: DiagnosisKind, name: str, settings: object) -> tuple[str, str]:
    get = settings.get  # type: ignore[attr-defined]
    if kind is DiagnosisKind.STEPPING:
        def lab(label: str) -> str:
            return (f"{name} ({label})" if name else label) if label else name
        return lab(str(get("stepping_corrected_track_label", "") or "")), \
            lab(str(get("stepping_preserved_track_label", "") or ""))
    tag = "PAL Corrected" if kind is DiagnosisKind.PAL_DRIFT else "Drift Corrected"
    return (f"{name} ({tag})" if name else tag), (f"{name} (Original)" if name else "Original")


def _corrected_item(item: PlanItem, path: Path, name: str) -> PlanItem:
    new = copy.deepcopy(item)
    p = item.track.props
    new.track = Track(source=item.track.source, id=item.track.id, type=item.track.type,
                      props=StreamProps(codec_id="A_FLAC", lang=p.lang, name=name), container_delay_ms=0)
    new.extracted_path = str(path)
    new.source_path = None  # the corrected FLAC, not the source file's track, is what mkvmerge reads
    new.is_corrected = True
    new.correction_source = item.track.source
    new.container_delay_ms = 0
    new.apply_track_name = True if name else item.apply_track_name
    if item.custom_name:
        new.custom_name = item.custom_name
    return new


def _preserved_item(item: PlanItem, name: str) -> PlanItem:
    old = copy.deepcopy(item)
    old.is_preserved = True
    old.is_default = False
    if name:
        p = item.track.props
        old.track = Track(source=item.track.source, id=item.track.id, type=item.track.type,
                          props=StreamProps(codec_id=p.codec_id, lang=p.lang, name=name),
                          container_delay_ms=item.track.container_delay_ms)
        old.apply_track_name = True
    return old


def correction_step(ctx: JobContext) -> None:
    a = ctx.analysis
    if a is None or not ctx.items or not any(s.diagnosis.kind in KIND_SETTING for s in a.sources):
        return   # nothing to correct: not even the correction modules are loaded (measured 20–40 ms)
    from ..correction import apply as ca

    cfg = ca.CorrectionConfig.from_settings(ctx.settings)
    work = ca.work_dir(ctx.temp_dir)
    for src in a.sources:
        kind = src.diagnosis.kind
        if kind not in KIND_SETTING:
            continue
        items = [it for it in ctx.items if it.track.source == src.key and it.track.type is TrackType.AUDIO
                 and not it.is_preserved and it.extracted_path]
        if not items:
            continue
        if not correction_enabled(ctx.settings, kind):
            ctx.warn(f"{src.key} ({src.path.name}) shows {kind.value} but its correction is switched off "
                     f"({KIND_SETTING[kind]}); its audio is muxed with one delay and will be out of sync.")
            continue
        if src.correlation_delay_ms is None:
            continue
        align = float(src.correlation_delay_ms)
        ctx.log.section(f"Audio Correction: {src.key} ({kind.value})")
        plan = None
        tempo = None
        if kind is DiagnosisKind.STEPPING:
            plan = _plan_stepping(ctx, src, align, cfg, work)
        else:
            slope = src.diagnosis.drift_ms_per_s or 0.0
            tempo = ca.tempo_ratio(kind.value, slope, a.reference_fps, src.fps)
            ctx.log.log(f"[{kind.value}] {src.key}: slope {slope:+.4f} ms/s → tempo ×{float(tempo):.10f}")
        replacements: list[tuple[PlanItem, PlanItem | None, PlanItem | None]] = []
        for item in items:
            report = _correct_item(ctx, src, kind, item, plan, tempo, align, cfg, work, a.reference,
                                   a.reference_stream.audio_ordinal)
            ctx.corrections.append(report)
            if report.applied and report.output:
                corrected_name, preserved_name = _names(kind, item.track.props.name, ctx.settings)
                keep = bool(ctx.settings.get("correction_keep_original", False))
                replacements.append((item, _corrected_item(item, Path(report.output), corrected_name),
                                     _preserved_item(item, preserved_name) if keep else None))
        for old, new, kept in replacements:
            i = ctx.items.index(old)
            ctx.items[i] = new  # type: ignore[assignment]
            if kept is not None:
                ctx.items.append(kept)


def _plan_stepping(ctx: JobContext, src, align: float, cfg, work: Path):  # type: ignore[no-untyped-def]
    from ..correction import apply as ca

    a = ctx.analysis
    segs = list(src.diagnosis.segments)
    if len(segs) < 2:
        raise ca.CorrectionError(f"{src.key}: stepping was diagnosed but no delay segments were given")
    ref, tgt = ca.decode_search_pair(a.reference, a.reference_stream.audio_ordinal, src.path,
                                     src.stream.audio_ordinal, ca.SEARCH_SR, ctx.log)
    chunk_s = float(ctx.settings.get("scan_chunk_duration", 15.0))
    centres = [(c.start_s + chunk_s / 2.0, c.raw_delay_ms) for c in src.chunks if c.accepted]
    zones = None
    if cfg.snap_to_silence and cfg.silence_method in ("ffmpeg_silencedetect", "smart_fusion"):
        zones = []
        for k in range(1, len(segs)):
            lo_r, hi_r = ca._search_interval(segs, centres, k, chunk_s)
            d = [segs[k - 1].raw_delay_ms / 1000.0, segs[k].raw_delay_ms / 1000.0]
            zones.append(ca.silencedetect_zones(src.path, src.stream.audio_ordinal, lo_r - max(d) - 1.0,
                                                hi_r - min(d) + 1.0, cfg.ffmpeg_noise_db, cfg.ffmpeg_min_s,
                                                ctx.log))
    plan = ca.plan_stepping(ref, tgt, segs, centres, chunk_s, align, cfg, zones, log=ctx.log)
    plan.reference16 = ref
    del tgt
    return plan


def _correct_item(ctx: JobContext, src, kind: DiagnosisKind, item: PlanItem, plan, tempo, align: float,  # type: ignore[no-untyped-def]
                  cfg, work: Path, a_ref: Path, a_ord: int):
    from ..correction import apply as ca

    path = Path(item.extracted_path or "")
    props = ca.probe_audio(path, 0, ctx.log)
    out = ctx.temp_dir / f"corrected_{src.key.replace(' ', '')}_{item.track.id}.flac"
    report = ca.CorrectionReport(src.key, item.track.id, kind.value, "", None, align)
    if kind is DiagnosisKind.STEPPING:
        report.method = "stepping edit (copy, remove, fill with silence, crossfade)"
        ca.assemble_track(path, props, plan.edl, align, cfg, out, work, log=ctx.log)
        report.segments = plan.to_json()
    else:
        eng = cfg.pal_engine if kind is DiagnosisKind.PAL_DRIFT else cfg.linear_engine
        pitch = True if kind is DiagnosisKind.PAL_DRIFT else cfg.rb_pitch_correct
        # A speed-up made by resampling has its pitch shifted too: when the configured variant fails QA, the
        # other pitch treatment is tried (rubberband), and the first variant that passes is kept.
        variants = [(eng, pitch)]
        if eng == "rubberband" or kind is DiagnosisKind.PAL_DRIFT:
            variants.append(("rubberband", not pitch))
        report.tempo = float(tempo)
        for v_eng, v_pitch in variants:
            report.method = f"tempo ×{float(tempo):.10f} ({v_eng}, pitch {'kept' if v_pitch else 'follows tempo'})"
            qa = _tempo_variant(ctx, src, kind, item, path, props, out, tempo, v_eng, v_pitch, align, cfg, work,
                                a_ref, a_ord)
            if qa is not None and qa.passed:
                break
            ctx.log.log(f"[{kind.value}] {report.method}: QA failed" + (f" ({qa.reason})" if qa else ""))
    if plan is not None and getattr(plan, "reference16", None) is not None:
        chunks = ca.measure_in_memory(plan.reference16, out, align, cfg, gaps_s=plan.filled_gaps_s())
    else:
        chunks = ca.measure_track(a_ref, a_ord, out, cfg)
    qa = ca.judge_qa(chunks, align, cfg)
    report.qa = qa
    skipped = (f" ({qa.not_evidence} more not counted: their reference audio is quiet or periodic and does not "
               "match even itself)" if qa.not_evidence else "")
    ctx.log.log(f"[QA] {src.key} track {item.track.id}: {qa.accepted}/{qa.total} chunks matched{skipped}; median "
                f"offset {_ms(qa.median_ms)}, worst {_ms(qa.max_abs_ms)} → {'PASSED' if qa.passed else 'FAILED'}"
                + (f" ({qa.reason})" if qa.reason else ""))
    if qa.passed:
        report.output, report.applied = str(out), True
        return report
    if str(ctx.settings.get("correction_on_qa_failure", "fail")) == "original":
        report.note = f"QA failed ({qa.reason}); the original track was muxed uncorrected"
        ctx.warn(f"{src.key} track {item.track.id}: corrected audio failed QA ({qa.reason}); muxing the "
                 "ORIGINAL track, which is out of sync where the delay changes.")
        return report
    raise CorrectionFailed(f"{src.key} track {item.track.id} ({path.name}): the corrected audio failed QA "
                           f"({qa.reason}); not muxed. Set correction_on_qa_failure = original to mux the "
                           "uncorrected track instead.")


def _tempo_variant(ctx: JobContext, src, kind: DiagnosisKind, item: PlanItem, path: Path, props, out: Path,  # type: ignore[no-untyped-def]
                   tempo, eng: str, pitch: bool, align: float, cfg, work: Path, a_ref: Path, a_ord: int):
    """Tempo-correct with one engine variant, re-measure the start delay, realign and write ``out``; the QA
    judgement of the result (None when it no longer matches the reference at all)."""
    from ..correction import apply as ca

    for attempt in range(2):
        pcm = ca.change_tempo(path, 0, tempo, eng, pitch, props, work, ctx.log)
        ca.encode_flac(pcm, props, out, ctx.log)
        chunks = ca.measure_track(a_ref, a_ord, out, cfg)
        pts = [(t, d) for t, d, ok in chunks if ok]
        if not pts:
            return None
        # The analysis slope comes from a few chunks; the corrected track is measured over the whole
        # programme, so a residual drift left by the first pass is removed by a second one.
        slope = float(np.polyfit([t for t, _ in pts], [d for _, d in pts], 1)[0]) if len(pts) >= 3 else 0.0
        span = max(t for t, _ in pts) - min(t for t, _ in pts)
        if attempt == 1 or abs(slope) * span <= ca.RESIDUAL_DRIFT_MS:
            break
        ctx.log.log(f"[{kind.value}] Residual drift {slope:+.5f} ms/s after tempo ×{float(tempo):.10f}; "
                    "refining the tempo")
        tempo = float(tempo) * (1.0 - slope / 1000.0)
    acc = [d for _t, d in pts]
    measured = float(np.median(acc))
    ctx.log.log(f"[{kind.value}] Re-measured start delay of the corrected track: {measured:+.3f} ms; "
                f"aligning to {align:+.0f} ms")
    ca.encode_flac(ca.realign(pcm, props.sample_rate, measured, align), props, out, ctx.log)
    del pcm
    return ca.judge_qa([(t, d - measured + align, ok) for t, d, ok in chunks], align, cfg)


def _ms(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.3f} ms"


class CorrectionFailed(VsgError):
    pass
