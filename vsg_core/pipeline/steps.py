"""The job steps (spec pipeline_ui.md §7): analysis, extraction, subtitles, chapters, attachments, mux plan."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import cancel
from ..analysis.job import AnalysisSettings, analyze_job
from ..chapters import ChapterOptions, prepare_chapters
from ..errors import MediaError
from ..extraction import extract_fonts, extract_tracks, open_source
from ..jobs.layout import EXTERNAL, LayoutEntry
from ..models import Delays, PlanItem, StreamProps, Track, TrackType
from ..mux import MuxSettings, build_options
from ..runner import run
from .context import JobContext

TEXT_SUBTITLE_EXTS = (".ass", ".ssa", ".srt", ".vtt")


def analysis_step(ctx: JobContext) -> None:
    job = ctx.job
    layout = ctx.layout
    settings = AnalysisSettings.from_settings(ctx.settings)
    ctx.analysis = analyze_job(
        job.reference, job.others, settings, ctx.log,
        layout_audio_sources=layout.audio_sources() if layout is not None and ctx.and_merge else None,
        layout_subtitle_sources=layout.subtitle_sources() if layout is not None and ctx.and_merge else None,
        strict=ctx.and_merge, progress=lambda f: ctx.progress(0.05 + 0.30 * f))
    ctx.delays = ctx.analysis.delays


def _container_delay(ctx: JobContext, source: str, track: Track) -> int:
    """§7.3.3: Source 1 audio relative to Source 1's first video track; everything else absolute."""
    if source == "Source 1" and track.type is TrackType.AUDIO and ctx.analysis is not None:
        return int(ctx.analysis.container_delays.relative_audio(track.id))
    return int(track.container_delay_ms)


def _aspect_ratios(path: Path, ctx: JobContext) -> dict[int, str]:
    proc = run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)], ctx.log, check=False,
               what=str(path))
    if proc.returncode != 0:
        return {}
    import json

    try:
        streams = json.loads(proc.stdout).get("streams", [])
    except ValueError:
        return {}
    return {int(s["index"]): s["display_aspect_ratio"] for s in streams
            if s.get("codec_type") == "video" and s.get("display_aspect_ratio") not in (None, "", "0:1", "N/A")}


def extraction_step(ctx: JobContext) -> None:
    assert ctx.layout is not None
    entries = []
    for e in ctx.layout.entries:
        if e.type is TrackType.VIDEO and e.source != "Source 1":
            ctx.warn(f"Skipping video track from {e.source} (ID {e.id}). Video is only allowed from Source 1.")
            continue
        entries.append(e)
    by_source: dict[str, list[int]] = {}
    for e in entries:
        if e.source != EXTERNAL:
            by_source.setdefault(e.source, []).append(e.id)
    extracted: dict[str, tuple[Track, Path]] = {}
    for source, ids in by_source.items():
        cancel.check()
        path = ctx.job.sources.get(source)
        if path is None:
            raise MediaError(f"the layout uses {source}, but the job has no {source} file")
        opened = open_source(path, ctx.temp_dir, source, ctx.log)
        ctx.opened[source] = opened
        for ex in extract_tracks(path, ctx.temp_dir, source, ids, ctx.log, opened=opened):
            extracted[f"{source}_{ex.track.id}"] = (ex.track, ex.path)
    ratios = _aspect_ratios(ctx.job.reference, ctx) if any(e.type is TrackType.VIDEO for e in entries) else {}
    items: list[PlanItem] = []
    for e in entries:
        items.append(_plan_item(ctx, e, extracted, ratios))
    ctx.items = items


def _plan_item(ctx: JobContext, e: LayoutEntry, extracted: dict[str, tuple[Track, Path]],
               ratios: dict[int, str]) -> PlanItem:
    flags = dict(is_default=e.is_default, is_forced_display=e.is_forced_display,
                 apply_track_name=e.apply_track_name, custom_lang=e.custom_lang, custom_name=e.custom_name)
    if e.source == EXTERNAL:
        src = Path(e.external_path or "")
        if not src.is_file():
            raise MediaError(f"external subtitle file not found: {src}")
        dst = ctx.temp_dir / src.name
        shutil.copy2(src, dst)
        track = Track(source=EXTERNAL, id=0, type=TrackType.SUBTITLES,
                      props=StreamProps(codec_id=e.codec_id or _codec_for_ext(src), lang=e.lang, name=e.name))
        return PlanItem(track=track, extracted_path=str(dst), sync_to=e.sync_to, **flags)
    found = extracted.get(e.key)
    if found is None:
        raise MediaError(f"{e.source} track {e.id} was not extracted from {ctx.job.sources[e.source]}")
    track, path = found
    aspect = ratios.get(e.id) if e.source == "Source 1" and track.type is TrackType.VIDEO else None
    return PlanItem(track=track, extracted_path=str(path), container_delay_ms=_container_delay(ctx, e.source, track),
                    aspect_ratio=aspect, **flags)


def _codec_for_ext(path: Path) -> str:
    return {".ass": "S_TEXT/ASS", ".ssa": "S_TEXT/SSA", ".srt": "S_TEXT/UTF8", ".vtt": "S_TEXT/WEBVTT"}.get(
        path.suffix.lower(), "S_TEXT/UTF8")


def subtitles_step(ctx: JobContext) -> None:
    """Time-based subtitle handling: the track delay is applied by mkvmerge; SRT → ASS when asked."""
    for item in ctx.items:
        if item.track.type is not TrackType.SUBTITLES or not item.extracted_path:
            continue
        path = Path(item.extracted_path)
        if item.convert_to_ass and path.suffix.lower() == ".srt":
            out = path.with_suffix(".ass")
            run(["ffmpeg", "-y", "-nostdin", "-v", "error", "-i", str(path), str(out)], ctx.log, what=str(path))
            if out.is_file():
                item.extracted_path = str(out)
                item.track = Track(source=item.track.source, id=item.track.id, type=item.track.type,
                                   props=StreamProps(codec_id="S_TEXT/ASS", lang=item.track.props.lang,
                                                     name=item.track.props.name),
                                   container_delay_ms=item.track.container_delay_ms)


def chapters_step(ctx: JobContext) -> None:
    opened = ctx.opened.get("Source 1")
    source1 = opened.matroska_path if opened is not None else ctx.job.reference
    shift = ctx.delays.global_shift_ms if ctx.delays is not None else 0
    ctx.chapters_xml = prepare_chapters(source1, ctx.temp_dir, shift, ChapterOptions.from_settings(ctx.settings),
                                        ctx.log)


def attachments_step(ctx: JobContext) -> None:
    assert ctx.layout is not None
    for key in ctx.layout.attachment_sources:
        path = ctx.job.sources.get(key)
        if path is None:
            continue
        ctx.log.log(f"Extracting attachments from {key}...")
        opened = ctx.opened.get(key)
        ctx.attachments += extract_fonts(path, ctx.temp_dir, key, ctx.log,
                                         info=opened.info if opened is not None else None)


def mux_plan_step(ctx: JobContext, temp_output: Path) -> None:
    delays = ctx.delays if ctx.delays is not None else Delays.empty()
    ctx.tokens = build_options(ctx.items, delays, MuxSettings.from_settings(ctx.settings), ctx.chapters_xml,
                               ctx.attachments, output=temp_output)
