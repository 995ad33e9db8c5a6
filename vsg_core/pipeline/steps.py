"""The job steps (docs/pipeline.md#job-steps): analysis, extraction, subtitles, chapters, attachments, mux plan."""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import cancel, identification
from ..analysis.job import AnalysisSettings, analyze_job
from ..chapters import ChapterOptions, prepare_chapters
from ..errors import MediaError
from ..extraction import ExtractedTrack, OpenedSource, extract_fonts, extract_tracks, open_source
from ..filenames import temp_name
from ..jobs.layout import EXTERNAL, LayoutEntry
from ..models import Delays, PlanItem, StreamProps, Track, TrackType
from ..mux import MuxSettings, build_options
from ..progress import report_part
from . import background
from .context import JobContext
from .subtitles_step import subtitles_step as subtitles_step  # the subtitle step lives in its own module

TEXT_SUBTITLE_EXTS = (".ass", ".ssa", ".srt", ".vtt")


def analysis_step(ctx: JobContext) -> None:
    job = ctx.job
    layout = ctx.layout
    settings = AnalysisSettings.from_settings(ctx.settings)
    ctx.analysis = analyze_job(
        job.reference, job.others, settings, ctx.log,
        layout_audio_sources=layout.audio_sources() if layout is not None and ctx.and_merge else None,
        layout_subtitle_sources=layout.subtitle_sources() if layout is not None and ctx.and_merge else None,
        strict=ctx.and_merge, progress=lambda f: ctx.progress(0.05 + 0.30 * f),
        manual_delays=ctx.manual_delays,
        required_sources=_sources_in_layout(ctx) if ctx.and_merge else None)
    ctx.delays = ctx.analysis.delays


def _sources_in_layout(ctx: JobContext) -> set[str]:
    """Sources whose delay the output needs: any track of theirs, or an external subtitle synced to them."""
    if ctx.layout is None:
        return set(ctx.job.others)
    return set(ctx.layout.audio_sources()) | set(ctx.layout.subtitle_sources()) | {
        e.source for e in ctx.layout.entries}


def _container_delay(ctx: JobContext, source: str, track: Track) -> int:
    """Source 1 audio relative to Source 1's first video track; everything else absolute
    (docs/pipeline.md#job-steps)."""
    if source == "Source 1" and track.type is TrackType.AUDIO and ctx.analysis is not None:
        return int(ctx.analysis.container_delays.relative_audio(track.id))
    return int(track.container_delay_ms)


def extraction_step(ctx: JobContext) -> None:
    """Plan every layout track: tracks that need no processing are read by mkvmerge straight from their
    source (nothing is copied); only the others are extracted into the temp folder."""
    entries = _muxable_entries(ctx)
    _open_sources(ctx, entries)
    extracted = _extract_processed(ctx, [e for e in entries if e.source != EXTERNAL and not _direct(ctx, e)])
    direct = {e.key: ctx.opened[e.source] for e in entries if e.source != EXTERNAL and _direct(ctx, e)}
    ratios = identification.aspect_ratios(ctx.job.reference, ctx.log) \
        if any(e.type is TrackType.VIDEO for e in entries) else {}
    ctx.items = [_plan_item(ctx, e, extracted, direct, ratios) for e in entries]


def _muxable_entries(ctx: JobContext) -> list[LayoutEntry]:
    """The layout's entries without video from other sources than Source 1 (warned)."""
    assert ctx.layout is not None
    for e in ctx.layout.entries:
        if e.type is TrackType.VIDEO and e.source != "Source 1":
            ctx.warn(f"Skipping video track from {e.source} (ID {e.id}). Video is only allowed from Source 1.")
    return background.muxable_entries(ctx)


def _open_sources(ctx: JobContext, entries: list[LayoutEntry]) -> None:
    """Open (identify; copy a non-Matroska file into MKV) every source the entries use."""
    for source in dict.fromkeys(e.source for e in entries if e.source != EXTERNAL):
        cancel.check()
        path = ctx.job.sources.get(source)
        if path is None:
            raise MediaError(f"the layout uses {source}, but the job has no {source} file")
        opened = background.prepared(ctx, f"open:{source}",
                                     lambda log, path=path, source=source: open_source(path, ctx.temp_dir, source,
                                                                                       log))
        for e in entries:
            if e.source == source:
                opened.mapped_id(e.id)  # a layout track the file does not have: an error naming it
        ctx.opened[source] = opened


def _direct(ctx: JobContext, e: LayoutEntry) -> bool:
    """Whether mkvmerge reads this track straight from its source file: every track of a Matroska source
    except the text subtitles and the audio tracks vsg rewrites; tracks of other containers go through their
    extracted copy."""
    if background.extracted_whatever_the_delays(ctx.opened[e.source], e):
        return False  # a copied source, or a text subtitle track (the subtitle step rewrites every one)
    return not (e.type is TrackType.AUDIO and _audio_corrected(ctx, e.source))


def _audio_corrected(ctx: JobContext, source: str) -> bool:
    """Whether the audio correction step will rewrite this source's audio (its diagnosis calls for it)."""
    from .correction_step import KIND_SETTING, correction_enabled

    a = ctx.analysis
    src = None if a is None else next((s for s in a.sources if s.key == source), None)
    return (src is not None and src.diagnosis.kind in KIND_SETTING
            and correction_enabled(ctx.settings, src.diagnosis.kind))


def _extract_processed(ctx: JobContext, entries: list[LayoutEntry]) -> dict[str, tuple[Track, Path]]:
    """Extract the tracks that go through the temp folder; key ``<source>_<id>``."""
    by_source: dict[str, list[int]] = {}
    for e in entries:
        ids = by_source.setdefault(e.source, [])
        if e.id not in ids:  # a generated track (e.g. Signs) reads the same track as its original
            ids.append(e.id)
    extracted: dict[str, tuple[Track, Path]] = {}
    for part, (source, ids) in enumerate(by_source.items()):
        cancel.check()
        report_part(part, len(by_source))
        opened = ctx.opened[source]
        done: list[ExtractedTrack] = []
        if ctx.background is not None and ctx.background.has(f"extract:{source}"):
            # the tracks extracted during the analysis; the rest (audio to be corrected) is extracted now
            _, done = ctx.background.take(f"extract:{source}", ctx.log)
            done = [ex for ex in done if ex.track.id in ids]
        rest = [i for i in ids if i not in {ex.track.id for ex in done}]
        if rest:
            done = done + extract_tracks(opened.original, ctx.temp_dir, source, rest, ctx.log, opened=opened)
        for ex in done:
            extracted[f"{source}_{ex.track.id}"] = (ex.track, ex.path)
    return extracted


def _plan_item(ctx: JobContext, e: LayoutEntry, extracted: dict[str, tuple[Track, Path]],
               direct: dict[str, OpenedSource], ratios: dict[int, str]) -> PlanItem:
    flags = dict(is_default=e.is_default, is_forced_display=e.is_forced_display,
                 apply_track_name=e.apply_track_name, custom_lang=e.custom_lang, custom_name=e.custom_name,
                 convert_to_ass=e.convert_to_ass, rescale=e.rescale, size_multiplier=e.size_multiplier,
                 style_patch=e.style_patch)
    if e.generated_filter_styles:
        flags.update(is_generated=True, generated_source_track_id=e.id,
                     generated_filter_styles=list(e.generated_filter_styles),
                     generated_filter_mode=e.generated_filter_mode)
    if e.source == EXTERNAL:
        src = Path(e.external_path or "")
        if not src.is_file():
            raise MediaError(f"external subtitle file not found: {src}")
        dst = ctx.temp_dir / temp_name("", src.stem, src.suffix)
        n = 1
        while dst.exists():  # another --sub file of the same name (from another folder), or an extracted track
            n += 1
            dst = ctx.temp_dir / temp_name("", src.stem, f".{n}{src.suffix}")
        shutil.copy2(src, dst)
        track = Track(source=EXTERNAL, id=0, type=TrackType.SUBTITLES,
                      props=StreamProps(codec_id=e.codec_id or _codec_for_ext(src), lang=e.lang, name=e.name))
        return PlanItem(track=track, extracted_path=str(dst), sync_to=e.sync_to, **flags)
    opened = direct.get(e.key)
    if opened is not None:
        track = opened.info.track(opened.mapped_id(e.id)).track
        file = {"source_path": str(opened.matroska_path)}
    else:
        found = extracted.get(e.key)
        if found is None:
            raise MediaError(f"{e.source} track {e.id} was not extracted from {ctx.job.sources[e.source]}")
        track, path = found
        file = {"extracted_path": str(path)}
    aspect = ratios.get(e.id) if e.source == "Source 1" and track.type is TrackType.VIDEO else None
    return PlanItem(track=track, container_delay_ms=_container_delay(ctx, e.source, track), aspect_ratio=aspect,
                    **file, **flags)


def _codec_for_ext(path: Path) -> str:
    return {".ass": "S_TEXT/ASS", ".ssa": "S_TEXT/SSA", ".srt": "S_TEXT/UTF8", ".vtt": "S_TEXT/WEBVTT"}.get(
        path.suffix.lower(), "S_TEXT/UTF8")


def chapters_step(ctx: JobContext) -> None:
    opened = ctx.opened.get("Source 1")
    source1 = opened.matroska_path if opened is not None else ctx.job.reference
    shift = ctx.delays.global_shift_ms if ctx.delays is not None else 0
    bg = ctx.background
    read_xml = (lambda: bg.take("chapters", ctx.log)) if bg is not None and bg.has("chapters") else None
    read_kf = (lambda: bg.take("keyframes", ctx.log)) if bg is not None and bg.has("keyframes") else None
    ctx.chapters_xml = prepare_chapters(source1, ctx.temp_dir, shift, ChapterOptions.from_settings(ctx.settings),
                                        ctx.log, read_xml=read_xml, read_keyframes=read_kf)


def attachments_step(ctx: JobContext) -> None:
    assert ctx.layout is not None
    for key in ctx.layout.attachment_sources:
        path = ctx.job.sources.get(key)
        if path is None:
            continue
        ctx.log.log(f"Extracting attachments from {key}...")
        opened = ctx.opened.get(key)
        ctx.attachments += background.prepared(
            ctx, f"fonts:{key}", lambda log, path=path, key=key, opened=opened: extract_fonts(
                path, ctx.temp_dir, key, log, info=opened.info if opened is not None else None))


def mux_plan_step(ctx: JobContext, temp_output: Path) -> None:
    delays = ctx.delays if ctx.delays is not None else Delays.empty()
    ctx.tokens = build_options(ctx.items, delays, MuxSettings.from_settings(ctx.settings), ctx.chapters_xml,
                               ctx.attachments, output=temp_output)
