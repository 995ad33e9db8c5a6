"""A preview of a subtitle track's styles: one frame of the reference video with the (patched) subtitles
burnt in by ffmpeg's ``subtitles`` filter (libass), and the loading of a layout track's subtitle file.

The frame is taken at a time of the *subtitle file's own* timeline (no sync delay is applied): the preview
shows how a line looks, not where it lands. ffmpeg seeks to the time before decoding and keeps the original
timestamps (``-copyts``) so libass draws the events of that moment. Fonts: the system's (fontconfig) plus the
fonts attached to the subtitle's source and the reference (:func:`extract_preview_fonts`).
docs/subtitles.md, "Style editor, preview and generated tracks".
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import scratch
from ..errors import MediaError, VsgError
from ..extraction.attachments import extract_fonts
from ..extraction.mkvinfo import identify
from ..log import JobLog
from ..runner import run
from .errors import SubtitleError
from .styles import patched_bytes, subtitle_format


def load_track(*, external_path: str | Path | None = None, source_path: str | Path | None = None,
               track_id: int | None = None, codec_id: str = "", work_dir: Path,
               log: JobLog | None = None) -> tuple[bytes, str]:
    """The bytes and format (``ass``/``ssa``/``srt``/``vtt``) of a text subtitle track: an external file is
    read, a Matroska source's track is extracted with mkvextract into ``work_dir``."""
    if external_path:
        p = Path(external_path)
        fmt = subtitle_format(p)
        try:
            return p.read_bytes(), fmt
        except OSError as e:
            raise MediaError(f"cannot read the subtitle file {p}: {e.strerror}") from None
    if source_path is None or track_id is None:
        raise MediaError("no subtitle file or source track given")
    src = Path(source_path)
    if not src.is_file():
        raise MediaError(f"source file not found: {src}")
    info = identify(src, log=log)
    if not info.is_matroska:
        raise MediaError(f"{src.name}: styles can be read from Matroska sources only (this one is copied into "
                         "MKV when the job runs); remux it with mkvmerge or add the subtitle file as external")
    codec = info.track(track_id).codec_id
    if codec_id and codec.upper() != codec_id.upper():
        raise MediaError(f"{src.name}: track {track_id} is {codec}, not {codec_id}")
    fmt = subtitle_format(None, codec)
    work_dir.mkdir(parents=True, exist_ok=True)
    out = work_dir / f"track{track_id}.{fmt}"
    run(["mkvextract", str(src), "tracks", f"{track_id}:{out}"], log, what=str(src))
    if not out.is_file():
        raise MediaError(f"mkvextract wrote no file for track {track_id} of {src}")
    return out.read_bytes(), fmt


def extract_preview_fonts(containers: Sequence[Path | str | None], fonts_dir: Path,
                          log: JobLog | None = None) -> Path | None:
    """Extract the font attachments of the given Matroska files (the subtitle's source, the reference) into
    ``fonts_dir`` for libass; returns the folder, or None when there is no font (or no readable file):
    the preview then uses the system's fonts."""
    found = False
    for n, c in enumerate(dict.fromkeys(Path(x) for x in containers if x is not None)):
        if not c.is_file():
            continue
        try:
            info = identify(c, log=log)
            if not info.is_matroska:
                continue
            found |= bool(extract_fonts(c, fonts_dir, f"preview{n}", log, info=info, flat=True))
        except VsgError:
            continue  # a file mkvmerge cannot read: no fonts from it; the preview itself says what is wrong
    return fonts_dir if found else None


def filter_path(path: Path | str) -> str:
    """``path`` as a value inside an ffmpeg filtergraph: quoted for the option parser, then escaped for the
    graph parser (ffmpeg-filters, "Notes on filtergraph escaping")."""
    value = "'" + str(path).replace("'", "'\\''") + "'"
    out = []
    for ch in value:
        if ch in "\\'[],;":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def render_preview(video: Path | str, data: bytes, fmt: str, patch: Mapping[str, Mapping[str, str]] | None,
                   time_s: float, out_png: Path | str, *, ffmpeg: str = "ffmpeg",
                   fonts_dir: Path | str | None = None, log: JobLog | None = None) -> Path:
    """Write ``out_png``: the frame of ``video`` at ``time_s`` with the subtitles (``patch`` applied) drawn
    by libass. MediaError/ToolMissingError/CommandError/SubtitleError with a message naming the problem."""
    video = Path(video)
    out = Path(out_png)
    if not video.is_file():
        raise MediaError(f"no video to preview on: {video} does not exist (Source 1 is the reference video)")
    if not time_s >= 0:
        raise MediaError(f"preview time must be 0 s or later (got {time_s})")
    try:
        ass, afmt = patched_bytes(data, fmt, patch)
    except SubtitleError as e:
        raise SubtitleError(f"cannot apply the styles for the preview: {e}") from None
    work = scratch.mkdtemp("preview")  # under temp_root, owned (swept after a crash)
    try:
        sub = work / f"preview.{afmt}"
        sub.write_bytes(ass)
        vf = f"subtitles=filename={filter_path(sub)}"
        if fonts_dir is not None:
            vf += f":fontsdir={filter_path(fonts_dir)}"
        tmp = work / "frame.png"
        run([ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", "-ss", f"{time_s:.3f}", "-copyts",
             "-i", str(video), "-map", "0:v:0", "-vf", vf, "-frames:v", "1", str(tmp)], log, what=str(video))
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise MediaError(f"ffmpeg drew no frame of {video.name} at {time_s:.3f} s (past the end of the "
                             "video, or no video stream)")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(tmp), out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def first_event_time_s(events: list[tuple[float, float]]) -> float:
    """The middle of the first event (seconds), 0 when there is none."""
    if not events:
        return 0.0
    start, end = min(events)
    return max(0.0, (start + end) / 2000.0)
