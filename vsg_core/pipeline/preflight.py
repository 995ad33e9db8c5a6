"""Checks of a job's inputs made before any analysis starts (see docs/reliability.md).

Sources: exist, are regular readable non-empty files, have names every tool can take (UTF-8), and are not the
same file twice. Layouts: every track names a source of the job (and a track that exists, when the tracks are
known), every ``sync_to`` names a source, every external subtitle file is a subtitle file ffprobe can read.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import MediaError, SettingsError
from ..jobs.layout import EXTERNAL, Layout
from ..models import Track, TrackType
from ..runner import run
from ..tools import require


def describe_kind(path: Path) -> str | None:
    """Why ``path`` cannot be read as a media file, or None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "not found"
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(st.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a special file"
        return f"is {kind}, not a regular file"
    if st.st_size == 0:
        return "is empty (0 bytes)"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def check_name(path: Path, what: str) -> None:
    try:
        os.fsdecode(path).encode("utf-8")
    except UnicodeEncodeError:
        raise MediaError(f"{what}: the file name {os.fsencode(path)!r} is not valid UTF-8, which mkvmerge and "
                         "the job log need; rename the file") from None


def check_sources(sources: Mapping[str, Path]) -> None:
    """Raise MediaError for the first source that cannot be used, naming it and what to do."""
    for key, p in sources.items():
        check_name(Path(p), key)
        why = describe_kind(Path(p))
        if why:
            raise MediaError(f"{key} ({p}) {why}; give the path of a video or audio file")
    items = list(sources.items())
    for i, (ka, pa) in enumerate(items):
        for kb, pb in items[i + 1:]:
            if os.path.samefile(pa, pb):
                raise MediaError(f"{ka} ({pa}) and {kb} ({pb}) are the same file; every source must be a "
                                 "different release")


def check_layout(layout: Layout, sources: Mapping[str, Path], tracks: Mapping[str, Sequence[Track]] | None = None,
                 where: str = "layout") -> None:
    """Every reference of ``layout`` exists and every language set is one mkvmerge accepts (raises SettingsError
    naming the track and the allowed values)."""
    names = list(sources)
    for n, e in enumerate(layout.entries):
        label = f"{where}: track {n + 1} ({e.source}:{e.id})"
        if e.source != EXTERNAL and e.source not in sources:
            raise SettingsError(f"{label} names {e.source!r}, but the job has only {', '.join(names)}")
        if e.sync_to is not None and e.sync_to not in sources:
            raise SettingsError(f"{label}: sync_to {e.sync_to!r} is not a source of this job; use one of "
                                f"{', '.join(names)}")
        if e.custom_lang:
            check_language(e.custom_lang, label)
        if e.source == EXTERNAL:
            check_subtitle_file(Path(e.external_path or ""), label)
        elif tracks is not None and e.source in tracks:
            ids = {t.id: t for t in tracks[e.source]}
            if e.id not in ids:
                raise SettingsError(f"{label}: {e.source} has no track {e.id}; its tracks are "
                                    f"{', '.join(str(i) for i in ids) or 'none'}")
            if ids[e.id].type is not e.type:
                raise SettingsError(f"{label}: {e.source} track {e.id} is {ids[e.id].type.value}, the layout says "
                                    f"{e.type.value}")


# Matroska's audio-only and subtitle-only names: mkvmerge writes whatever tracks it is given under any name, so
# a video in an .mka (or audio in an .mks) would be a file that players and tools take for something else.
_NARROW_OUTPUTS = {".mka": ("audio-only Matroska", {TrackType.VIDEO}),
                   ".mks": ("subtitle-only Matroska", {TrackType.VIDEO, TrackType.AUDIO})}


def check_output_kind(final: Path, layout: Layout) -> None:
    """An ``.mka`` output holds no video and an ``.mks`` output only subtitles (SettingsError naming the first
    track that does not belong and what to do)."""
    kind, banned = _NARROW_OUTPUTS.get(final.suffix.lower(), ("", set()))
    for n, e in enumerate(layout.entries):
        if e.type in banned:
            what = e.type.value
            raise SettingsError(f"the output {final.name} is {kind}, but the layout has {what} track {n + 1} "
                                f"({e.source}:{e.id}); name the output .mkv, or leave the {what} out (--track "
                                "selects the tracks to keep)")


_LANGUAGES: set[str] = set()


def _known_languages() -> set[str]:
    """The ISO 639-1/2/3 codes mkvmerge knows (``mkvmerge --list-languages``, read once per process)."""
    if not _LANGUAGES:
        proc = run([require("mkvmerge")["mkvmerge"], "--list-languages"], None, check=False)
        for line in str(proc.stdout or "").splitlines()[2:]:
            _LANGUAGES.update(c.strip() for c in line.split("|")[1:] if c.strip())
    return _LANGUAGES


def check_language(lang: str, label: str) -> None:
    """A track language mkvmerge will accept: an ISO 639 code or a BCP 47 tag whose primary language it knows
    (private use: ``qaa``–``qtz``, ``x-…``). mkvmerge itself refuses an unknown one only at the mux, after the
    whole analysis; the later subtags of a tag are left to it."""
    parts = lang.split("-")
    ok_syntax = all(p.isascii() and p.isalnum() and 1 <= len(p) <= 8 for p in parts)
    primary = parts[0].lower()
    private = primary == "x" or (len(primary) == 3 and "qaa" <= primary <= "qtz")
    known = _known_languages()
    if ok_syntax and (private or primary in known or not known):
        return
    raise SettingsError(f"{label}: language {lang!r} is not a language mkvmerge knows; use an ISO 639 code "
                        "(e.g. eng, de, jpn) or a BCP 47 tag (e.g. en-US, pt-BR); `mkvmerge --list-languages` "
                        "lists the codes")


def check_subtitle_file(path: Path, label: str = "--sub") -> None:
    """An external subtitle file exists and ffprobe reads it as exactly one subtitle stream."""
    check_name(path, label)
    why = describe_kind(path)
    if why:
        raise SettingsError(f"{label}: subtitle file {path} {why}")
    ffprobe = require("ffprobe")["ffprobe"]
    proc = run([ffprobe, "-v", "error", "-show_streams", "-of", "json", Path(path)], None, check=False)
    try:
        streams = json.loads(proc.stdout or "{}").get("streams", [])
    except (ValueError, AttributeError):
        streams = []
    if proc.returncode != 0 or len(streams) != 1 or streams[0].get("codec_type") != "subtitle":
        detail = (proc.stderr or "").strip().splitlines()[-1:] or ["no subtitle stream found"]
        raise SettingsError(f"{label}: {path} is not a subtitle file vsg can read ({detail[0]}); use an .srt, "
                            ".ass, .ssa or .vtt file")


def reference_video_check(tracks: Mapping[str, Sequence[Track]], layout: Layout) -> str | None:
    """An error when the output would have no video because the reference has none; None otherwise."""
    if any(e.type is TrackType.VIDEO for e in layout.entries):
        return None
    ref = tracks.get("Source 1")
    if ref is not None and not any(t.type is TrackType.VIDEO for t in ref):
        return ("Source 1 (the reference) has no video track, so the output would have no video; give the "
                "release whose video you want as the first file (REF)")
    return None
