"""The subtitle step: every text subtitle track is rewritten by vsg on the output timeline (docs/subtitles.md,
"Pipeline").

Per track: parse (lossless) → timing of its source (constant delay, EDL or tempo) → generated-track style
filter → timing fixes → SRT→ASS → style patch → rescale → font size multiplier → write (times rounded once,
frame-exactly on the output video's frames) → mkvmerge gets ``--sync 0`` for it.

The delay of a source's subtitles is its *presentation* delay: the audio correlation delay says where the
source's audio stream sits, and a source whose audio track carries its own container delay (audio starts
``cd`` ms after its video) has subtitles on its video timeline, ``cd`` ms earlier than the audio stream's
timeline. vsg subtracts that container delay (the original muxed those subtitles ``cd`` ms late).

Correction hand-off: ``subtitles_step(ctx, corrections)`` (or ``ctx.subtitle_corrections`` when present)
maps a source key to its audio correction; see :func:`timing_from_correction` for what is accepted.
Without one, the analysis decides: stepping → its segments, PAL speed-up → tempo scaling, linear drift →
tempo scaling only when the source's video runs at another rate (otherwise only its audio clock drifts and
the subtitles follow the picture), anything else → the constant delay.

Bitmap subtitles (PGS, VobSub) keep mkvmerge's whole-millisecond ``--sync``; for a source whose timing is not
one constant delay they are left out with a warning unless ``subtitle_keep_bitmap_with_correction``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.container_delays import read_container_delays
from ..analysis.streams import identify
from ..errors import MediaError, VsgError
from ..filenames import temp_name
from ..frames.vfr import read_frame_times_ms
from ..jobs.layout import EXTERNAL
from ..models import DiagnosisKind, PlanItem, StreamProps, Track, TrackType
from ..runner import run
from ..subtitles.engine import SubtitleDoc, engine
from ..subtitles.errors import SubtitleError
from .background import prepared
from .context import JobContext

TEXT_EXTS = {".ass": "ass", ".ssa": "ssa", ".srt": "srt", ".vtt": "vtt"}
SYNC_MODES = ("time-based", "video-verified")
REFERENCE = "Source 1"


@dataclass(frozen=True)
class EdlSegment:
    """An EDL segment on the source's *subtitle* (video) timeline: from ``start_s`` on, output time =
    source time + ``delay_ms`` + ``drift_ms_per_s`` · (seconds since ``start_s``)."""

    start_s: float
    delay_ms: float
    drift_ms_per_s: float = 0.0


@dataclass(frozen=True)
class SourceTiming:
    """How one source's subtitle times map to the output timeline."""

    kind: str                                        # "constant" | "edl" | "tempo"
    delay_ms: float                                  # constant part (for "tempo": added after scaling)
    segments: tuple[EdlSegment, ...] = ()
    tempo: tuple[float, float] | None = None         # (delay_at_0_ms, drift_ms_per_s) on the audio timeline
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def constant(self) -> bool:
        return self.kind == "constant"


class SubtitleStepError(VsgError):
    pass


def _attr(obj: Any, *names: str) -> Any:
    for n in names:
        if isinstance(obj, Mapping) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return None


def timing_from_correction(correction: Any, offset_ms: float, audio_cd_ms: float) -> SourceTiming:
    """Timing from an audio correction of one source.

    Accepted: a sequence of segment-like objects, or an object/dict with ``segments`` — each segment has
    ``start_s`` (seconds on the source's audio timeline), ``delay_raw`` or ``raw_delay_ms`` or ``delay_ms``
    (ms, the correlation delay of that stretch) and optionally ``drift_rate_ms_s`` / ``drift_ms_per_s``; or
    an object/dict with ``drift_ms_per_s`` (or ``tempo_ratio`` = output/source duration) and
    ``intercept_ms`` / ``delay_at_0_ms``. ``offset_ms`` = what the delay chain adds to correlation delays
    (reference audio container delay + global shift); ``audio_cd_ms`` = the source's audio container delay
    relative to its video.
    """
    segs = correction if isinstance(correction, Sequence) and not isinstance(correction, (str, bytes)) \
        else _attr(correction, "segments")
    if segs:
        out = []
        for s in segs:
            start = _attr(s, "start_s")
            delay = _attr(s, "delay_raw", "raw_delay_ms", "delay_ms")
            drift = _attr(s, "drift_rate_ms_s", "drift_ms_per_s") or 0.0
            if start is None or delay is None:
                raise SubtitleStepError("an EDL segment needs start_s and delay_raw/raw_delay_ms/delay_ms")
            out.append(EdlSegment(float(start) + audio_cd_ms / 1000.0,
                                  float(delay) + offset_ms - audio_cd_ms, float(drift)))
        out.sort(key=lambda s: s.start_s)
        return SourceTiming("edl", out[0].delay_ms, tuple(out), note=f"EDL of {len(out)} segments")
    drift = _attr(correction, "drift_ms_per_s", "drift_rate_ms_s")
    ratio = _attr(correction, "tempo_ratio")
    if drift is None and ratio is not None:
        drift = 1000.0 * (1.0 - 1.0 / float(ratio))
    a = _attr(correction, "intercept_ms", "delay_at_0_ms")
    if drift is not None and a is not None:
        return SourceTiming("tempo", offset_ms, tempo=(float(a) - audio_cd_ms, float(drift)),
                            note=f"tempo: {float(drift):+.3f} ms/s")
    raise SubtitleStepError(f"cannot read the audio correction {type(correction).__name__}: expected segments "
                            "or a drift/tempo ratio with an intercept")


def _source_info(path: Path, track_id: int, ctx: JobContext) -> tuple[int, float | None]:
    """(audio container delay relative to the video, duration in ms) of a source."""
    info = identify(path, ctx.log)
    dur = info.duration_s * 1000.0 if info.duration_s else None
    return read_container_delays(info.tracks).relative_audio(track_id), dur


def source_timings(ctx: JobContext, corrections: Mapping[str, Any] | None = None) -> dict[str, SourceTiming]:
    """The subtitle timing of every analysed source (and Source 1)."""
    delays = ctx.delays
    if delays is None:
        raise SubtitleStepError("the subtitle step needs the analysis delays")
    shift = float(delays.global_shift_ms)
    out = {REFERENCE: SourceTiming("constant", shift, note="Source 1: global shift only")}
    analysis = ctx.analysis
    corrections = dict(corrections or getattr(ctx, "subtitle_corrections", None) or {})
    for src in getattr(analysis, "sources", ()):
        key = src.key
        if key not in delays.raw_source_delays_ms or src.correlation_raw_delay_ms is None:
            continue
        cd, duration_ms = _source_info(src.path, src.stream.track_id, ctx)
        total = delays.raw_source_delays_ms[key] - delays.raw_global_shift_ms + shift
        offset = total - src.correlation_raw_delay_ms        # reference audio container delay + shift
        note = ""
        if cd:
            note = (f"{key}: its audio track starts {cd:+d} ms after its video; subtitles follow the video, so "
                    f"they get {total - cd:+.3f} ms instead of the audio's {total:+.3f} ms")
            ctx.log.log(f"[Subtitles] {note}")
        diag = src.diagnosis
        if key in corrections and corrections[key] is not None:
            t = timing_from_correction(corrections[key], offset, cd)
        elif diag.kind is DiagnosisKind.STEPPING and diag.segments and ctx.settings["stepping_adjust_subtitles"]:
            segs = []
            for s in diag.segments:   # reference-timeline segments → source audio timeline
                segs.append({"start_s": max(0.0, s.start_s - s.raw_delay_ms / 1000.0),
                             "raw_delay_ms": s.raw_delay_ms})
            segs[0]["start_s"] = 0.0
            t = timing_from_correction(segs, offset, cd)
            ctx.warn(f"{key}: subtitles follow the analysis segments (boundaries only as exact as the chunk "
                     "spacing); an audio correction with refined boundaries replaces them.")
        elif diag.kind is DiagnosisKind.PAL_DRIFT and diag.intercept_ms is not None and diag.drift_ms_per_s:
            t = timing_from_correction({"intercept_ms": diag.intercept_ms, "drift_ms_per_s": diag.drift_ms_per_s},
                                       offset, cd)
        elif (diag.kind is DiagnosisKind.LINEAR_DRIFT and diag.intercept_ms is not None and diag.drift_ms_per_s
              and src.fps and analysis.reference_fps and abs(src.fps / analysis.reference_fps - 1) > 1e-4):
            t = timing_from_correction({"intercept_ms": diag.intercept_ms, "drift_ms_per_s": diag.drift_ms_per_s},
                                       offset, cd)
        else:
            t = SourceTiming("constant", total - cd)
        out[key] = SourceTiming(t.kind, t.delay_ms, t.segments, t.tempo, "; ".join(x for x in (note, t.note) if x),
                                {"audio_container_delay_ms": cd, "audio_delay_ms": total, "path": src.path,
                                 "duration_ms": duration_ms})
    return out


def verify_with_video(ctx: JobContext, timings: dict[str, SourceTiming], clock: list[int] | None) -> None:
    """``video-verified``: compare each constant-delay source's frames with the reference's; when the
    picture says another delay by a frame or more, the subtitles take the picture's delay. Both are logged."""
    from ..frames.video_match import measure_offset

    st = ctx.settings
    shift = float(ctx.delays.global_shift_ms if ctx.delays is not None else 0)
    ref_fps = getattr(ctx.analysis, "reference_fps", None)
    if clock is not None and len(clock) > 2:
        steps = sorted(b - a for a, b in itertools.pairwise(clock))
        frame_ms = float(steps[len(steps) // 2])
    else:
        frame_ms = 1000.0 / ref_fps if ref_fps else 1001 / 24
    reference = ctx.job.reference
    for key, t in list(timings.items()):
        if key == REFERENCE:
            continue
        if not t.constant:
            ctx.log.log(f"[VideoVerified] {key}: {t.kind} timing, not a single delay; frame check skipped")
            continue
        path, dur = t.extra.get("path"), t.extra.get("duration_ms")
        if path is None or not dur:
            continue
        predicted = t.delay_ms - shift
        res = measure_offset(Path(reference), Path(path), predicted, float(dur), frame_ms,
                             window_ms=float(st["video_verified_window_s"]) * 1000.0,
                             search_frames=int(st["video_verified_search_frames"]), log=ctx.log)
        for p in res.points:
            ctx.log.log(f"[VideoVerified] {key} at {p.source_ms / 1000:.1f} s: "
                        + ("no match" if p.offset_ms is None else
                           f"video offset {p.offset_ms:+.1f} ms (distance {p.distance:.1f}, margin "
                           f"{p.margin if p.margin is None else round(p.margin, 1)})"))
        if res.offset_ms is None:
            ctx.warn(f"{key}: the frame check found no consistent video offset ({res.reason}); its subtitles keep "
                     f"the audio-based delay {t.delay_ms:+.1f} ms")
            continue
        diff = res.offset_ms - predicted
        ctx.log.log(f"[VideoVerified] {key}: audio-based {predicted:+.1f} ms, video {res.offset_ms:+.1f} ms "
                    f"({diff:+.1f} ms = {diff / frame_ms:+.2f} frames; {res.reason})")
        if abs(diff) >= frame_ms:
            ctx.warn(f"{key}: audio and video disagree by {diff:+.1f} ms ({diff / frame_ms:+.1f} frames); its "
                     f"subtitles use the video offset {res.offset_ms + shift:+.1f} ms instead of the audio-based "
                     f"{t.delay_ms:+.1f} ms")
            timings[key] = SourceTiming("constant", res.offset_ms + shift, note="video-verified",
                                        extra={**t.extra, "video_offset_ms": res.offset_ms})


def output_frame_times(ctx: JobContext) -> list[int] | None:
    """Frame times (ms) of the output video: Source 1's video time stamps + the global shift."""
    opened = ctx.opened.get(REFERENCE)
    video = opened.matroska_path if opened is not None else ctx.job.reference
    try:
        times = prepared(ctx, "frames", lambda log: read_frame_times_ms(video, log))
    except MediaError as e:
        ctx.log.log(f"[Subtitles] No frame grid ({e}); times are rounded to the nearest unit.")
        return None
    shift = ctx.delays.global_shift_ms if ctx.delays is not None else 0
    return [t + shift for t in times]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(temp_name(".", path.name, f".tmp-{os.getpid()}"))
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _retime(doc: SubtitleDoc, timing: SourceTiming, mode: str) -> str:
    if timing.kind == "edl":
        st = doc.apply_edl([(s.start_s, s.delay_ms, s.drift_ms_per_s) for s in timing.segments], mode)
        return (f"EDL ({len(timing.segments)} segments, boundary mode {mode}): {st['moved']} moved, "
                f"{st['dropped']} dropped, {st['clamped']} clamped")
    if timing.kind == "tempo" and timing.tempo is not None:
        n = doc.scale(*timing.tempo)
        doc.shift(timing.delay_ms)
        return f"tempo {timing.tempo[1]:+.3f} ms/s from {timing.tempo[0]:+.3f} ms, then {timing.delay_ms:+.3f} ms " \
               f"({n} events)"
    n = doc.shift(timing.delay_ms)
    return f"shift {timing.delay_ms:+.3f} ms ({n} events)"


def _is_text(item: PlanItem) -> bool:
    p = Path(item.extracted_path or "")
    return p.suffix.lower() in TEXT_EXTS


def _source_key(item: PlanItem) -> str:
    if item.track.source == EXTERNAL:
        return item.sync_to or REFERENCE
    return item.track.source


def _ref_size(ctx: JobContext) -> tuple[int, int] | None:
    import json

    proc = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                "-of", "json", str(ctx.job.reference)], ctx.log, check=False, what=str(ctx.job.reference))
    try:
        s = json.loads(proc.stdout)["streams"][0]
        return int(s["width"]), int(s["height"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


LEGACY_ENCODINGS = {"cp1252": "Windows-1252", "latin-1": "ISO-8859-1"}


def _utf8_for_mkvmerge(ctx: JobContext, name: str, encoding: str, data: bytes) -> bytes:
    """mkvmerge reads a text subtitle without a byte-order mark as UTF-8 (or the locale's charset), so a
    legacy 8-bit file written back in its own encoding came out with U+FFFD for every accented letter. The
    retimed file is written as UTF-8 with a BOM instead (docs/subtitles.md#encodings)."""
    label = LEGACY_ENCODINGS.get(encoding)
    if label is None:
        return data
    if encoding == "latin-1":
        ctx.warn(f"{name}: the text is neither UTF-8 nor Windows-1252; it was read as ISO-8859-1. If it is in "
                 "another encoding (Shift-JIS, GBK, …), convert it to UTF-8 and add it again.")
    ctx.log.log(f"[Subtitles] {name}: {label} text written as UTF-8 for mkvmerge")
    return b"\xef\xbb\xbf" + data.decode(encoding).encode("utf-8")


def process_text_item(ctx: JobContext, item: PlanItem, timing: SourceTiming, clock: list[int] | None) -> None:
    path = Path(item.extracted_path or "")
    st = ctx.settings
    eng = engine()
    name = f"{item.track.source} track {item.track.id}"
    try:
        doc = eng.parse(path.read_bytes(), TEXT_EXTS[path.suffix.lower()])
    except OSError as e:
        raise SubtitleStepError(f"{name}: cannot read {path}: {e.strerror}") from None
    except SubtitleError as e:
        raise SubtitleStepError(f"{name} ({path.name}): {e}") from None
    if item.is_generated and item.generated_filter_styles:
        r = doc.filter_styles(item.generated_filter_styles, item.generated_filter_mode)
        ctx.log.log(f"[Subtitles] {name}: style filter ({item.generated_filter_mode}) kept {r['kept']}, removed "
                    f"{r['removed']} events")
    msg = _retime(doc, timing, str(st["stepping_boundary_mode"]))
    ctx.log.log(f"[Subtitles] {name}: {msg}")
    if st["timing_fix_enabled"]:
        r = doc.fix_timing(bool(st["timing_fix_overlaps"]), bool(st["timing_fix_short_durations"]),
                           bool(st["timing_fix_long_durations"]), float(st["timing_overlap_min_gap_ms"]),
                           float(st["timing_min_duration_ms"]), float(st["timing_max_cps"]))
        ctx.log.log(f"[Subtitles] {name}: timing fixes: {r['long']} long, {r['overlaps']} overlaps, "
                    f"{r['short']} short")
    codec = item.track.props.codec_id
    if item.convert_to_ass and doc.fmt in ("srt", "vtt"):
        doc = doc.to_ass()
        codec = "S_TEXT/ASS"
        ctx.log.log(f"[Subtitles] {name}: converted to ASS")
    if item.style_patch:
        if doc.fmt in ("ass", "ssa"):
            missing = doc.patch_styles({k: {f: str(v) for f, v in d.items()} for k, d in item.style_patch.items()})
            if missing:
                ctx.warn(f"{name}: style patch names styles the file does not have: {', '.join(missing)}")
        else:
            ctx.warn(f"{name}: style patch ignored: {doc.fmt.upper()} has no styles")
    if item.rescale and doc.fmt in ("ass", "ssa"):
        size = _ref_size(ctx)
        r = doc.rescale(*size) if size else None
        ctx.log.log(f"[Subtitles] {name}: rescale " + (f"×{r['scale']:.4f}" if r else "not needed"))
    m = float(item.size_multiplier)
    if abs(m - 1.0) > 1e-6:
        if not 0.5 <= m <= 3.0:
            ctx.warn(f"{name}: font size multiplier {m:g} ignored (allowed 0.5–3.0)")
        elif doc.fmt in ("ass", "ssa"):
            doc.multiply_font_size(m)
        else:
            ctx.warn(f"{name}: font size multiplier ignored: {doc.fmt.upper()} has no styles")
    ext = "." + doc.fmt
    out = ctx.temp_dir / temp_name("", path.stem, f".vsg{ext}")
    n = 1
    while out.exists():  # a generated track (e.g. Signs) made from the same file as another output track
        n += 1
        out = ctx.temp_dir / temp_name("", path.stem, f".vsg{n}{ext}")
    try:
        data = doc.to_bytes(clock)
    except SubtitleError as e:
        raise SubtitleStepError(f"{name}: cannot write the retimed file: {e}") from None
    data = _utf8_for_mkvmerge(ctx, name, doc.encoding, data)
    _atomic_write(out, data)
    item.extracted_path = str(out)
    item.source_path = None  # mkvmerge reads the rewritten file, not the source's track
    item.frame_adjusted = True
    if codec != item.track.props.codec_id:
        p = item.track.props
        item.track = Track(source=item.track.source, id=item.track.id, type=item.track.type,
                           props=StreamProps(codec_id=codec, lang=p.lang, name=p.name),
                           container_delay_ms=item.track.container_delay_ms)


def _bitmap_item(ctx: JobContext, item: PlanItem, timing: SourceTiming, keep: bool) -> bool:
    """False when the item is to be dropped. A constant timing that differs from the source's audio delay
    (audio container delay) is applied by remuxing the track with mkvmerge ``--sync`` first."""
    name = f"{item.track.source} track {item.track.id}"
    if not timing.constant:
        if not keep:
            ctx.warn(f"{name} is a bitmap subtitle track of a source with {timing.kind} timing: one constant delay "
                     "cannot follow it, so it is left out (set subtitle_keep_bitmap_with_correction to keep it "
                     "with the delay at the start).")
            return False
        ctx.warn(f"{name} is a bitmap subtitle track of a source with {timing.kind} timing; kept with the delay "
                 f"at the start ({timing.delay_ms:+.0f} ms): later parts of it are out of sync.")
    audio = timing.extra.get("audio_delay_ms")
    if audio is None or round(audio) == round(timing.delay_ms):
        return True
    path = Path(item.extracted_path or "")
    out = ctx.temp_dir / temp_name("", path.stem, ".vsg.mks")
    run(["mkvmerge", "-q", "-o", str(out), "--sync", f"0:{round(timing.delay_ms):+d}", str(path)], ctx.log,
        what=str(path))
    item.extracted_path = str(out)
    item.source_path = None
    item.frame_adjusted = True
    return True


def subtitles_step(ctx: JobContext, corrections: Mapping[str, Any] | None = None) -> None:
    mode = str(ctx.settings["subtitle_sync_mode"])
    subs = [it for it in ctx.items if it.track.type is TrackType.SUBTITLES and it.extracted_path]
    if not subs:
        return
    if mode not in SYNC_MODES:
        raise SubtitleStepError(f"subtitle_sync_mode '{mode}' is not available in vsg: use "
                                f"{' or '.join(SYNC_MODES)}")
    timings = source_timings(ctx, corrections)
    clock = output_frame_times(ctx) if any(_is_text(it) for it in subs) or mode == "video-verified" else None
    if clock is not None:
        ctx.log.log(f"[Subtitles] Times are rounded on the output video's {len(clock) - 1} frames.")
    if mode == "video-verified":
        verify_with_video(ctx, timings, clock)
    keep_bitmap = bool(ctx.settings["subtitle_keep_bitmap_with_correction"])
    dropped: list[PlanItem] = []
    for item in subs:
        key = _source_key(item)
        timing = timings.get(key)
        if timing is None:
            raise SubtitleStepError(f"{item.track.source} track {item.track.id}: no delay for {key}")
        if _is_text(item):
            process_text_item(ctx, item, timing, clock)
        elif not _bitmap_item(ctx, item, timing, keep_bitmap):
            dropped.append(item)
    if dropped:
        ctx.items = [it for it in ctx.items if all(it is not d for d in dropped)]
