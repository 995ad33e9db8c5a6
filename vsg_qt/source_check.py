"""Checks of one input field as the user fills it: exists, readable, what ``mkvmerge -J`` finds in it (a one-line
summary of its tracks) or why it cannot be used. No Qt here: the main window runs these in a worker thread."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vsg_core.errors import VsgError
from vsg_core.extraction import identify
from vsg_core.extraction.probe import check_usable
from vsg_core.jobs.discovery import BATCH_EXTENSIONS
from vsg_core.models import TrackType

from .formatting import clock_text

EMPTY, PENDING, VALID, INVALID = "empty", "checking", "valid", "invalid"


@dataclass(frozen=True)
class Check:
    state: str        # empty, checking, valid, invalid
    text: str = ""    # the summary (valid) or the reason (invalid)

    @property
    def ok(self) -> bool:
        return self.state == VALID


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def check_source(text: str, needs_audio: bool = True) -> Check:
    """A source field: a media file (identified with ``mkvmerge -J``) or a folder of them (a batch)."""
    if not text.strip():
        return Check(EMPTY)
    path = Path(text.strip()).expanduser()
    if not path.exists():
        return Check(INVALID, f"does not exist: {path}")
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            return Check(INVALID, "this folder cannot be read (permission denied)")
        try:
            media = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() in BATCH_EXTENSIONS]
        except OSError as e:
            return Check(INVALID, f"this folder cannot be read: {e.strerror}")
        if not media:
            return Check(INVALID, f"folder without {'/'.join(sorted(BATCH_EXTENSIONS))} files")
        return Check(VALID, f"folder (batch): {_plural(len(media), 'media file')}")
    if not os.access(path, os.R_OK):
        return Check(INVALID, "this file cannot be read (permission denied)")
    try:
        info = identify(path)
        check_usable(info)
    except VsgError as e:
        return Check(INVALID, str(e).replace(f"{path}", path.name))
    counts = {t: sum(1 for x in info.tracks if x.type is t) for t in TrackType}
    if needs_audio and not counts.get(TrackType.AUDIO):
        return Check(INVALID, f"{info.container_type} file without an audio track: vsg measures delays from audio")
    parts = [info.container_type or "media"]
    for t, word in ((TrackType.VIDEO, "video"), (TrackType.AUDIO, "audio"), (TrackType.SUBTITLES, "subtitle")):
        if counts.get(t):
            parts.append(f"{counts[t]} {word}")
    if info.duration_ns:
        parts.append(clock_text(info.duration_ns / 1e9))
    audio = [x for x in info.tracks if x.type is TrackType.AUDIO]
    if audio:
        langs = ", ".join(dict.fromkeys(x.track.props.lang or "und" for x in audio))
        parts.append(f"audio: {langs}")
    return Check(VALID, " · ".join(parts))


def check_output_folder(text: str) -> Check:
    if not text.strip():
        return Check(INVALID, "choose the folder the merged files are written to")
    path = Path(text.strip()).expanduser()
    if path.exists():
        if not path.is_dir():
            return Check(INVALID, "this is a file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            return Check(INVALID, "this folder cannot be written to (permission denied)")
        return Check(VALID, "existing folder")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return Check(INVALID, f"cannot be created: {parent} is not writable" if parent else "cannot be created")
    return Check(VALID, "will be created")
