"""Track listings for the dialogs (docs/pipeline.md#identification): each source identified once with
``mkvmerge -J``, each track described in one line. No Qt here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vsg_core.errors import MediaError
from vsg_core.extraction import ContainerInfo, TrackInfo, identify
from vsg_core.jobs.layout import EXTERNAL, LayoutEntry, structure_signature
from vsg_core.models import Track, TrackType
from vsg_core.sources import sort_sources

TYPE_LETTER = {TrackType.VIDEO: "V", TrackType.AUDIO: "A", TrackType.SUBTITLES: "S"}
_CHANNELS = {1: "mono", 2: "2.0", 3: "2.1", 6: "5.1", 7: "6.1", 8: "7.1"}
EXTERNAL_CODECS = {".srt": "S_TEXT/UTF8", ".ass": "S_TEXT/ASS", ".ssa": "S_TEXT/SSA", ".vtt": "S_TEXT/WEBVTT",
                   ".sup": "S_HDMV/PGS", ".idx": "S_VOBSUB"}
SUBTITLE_FILTER = "Subtitle files (*.srt *.ass *.ssa *.vtt *.sup);;All files (*)"


def channels_text(n: int | None) -> str:
    if not n:
        return ""
    return _CHANNELS.get(n, f"{n} ch")


def describe(info: TrackInfo) -> str:
    """``FLAC (eng) 2.0 'English'`` — codec, language, channels (audio), name."""
    p = info.track.props
    parts = [info.codec or p.codec_id or "?", f"({p.lang or 'und'})"]
    if info.type is TrackType.AUDIO and p.audio_channels:
        parts.append(channels_text(p.audio_channels))
    if p.name:
        parts.append(f"'{p.name}'")
    return " ".join(parts)


def track_label(info: TrackInfo) -> str:
    return f"[{TYPE_LETTER[info.type]}-{info.id}] {describe(info)}"


def source_title(key: str, path: Path) -> str:
    ref = " (Reference)" if key == "Source 1" else ""
    return f"{key}{ref} Tracks ('{path.name}')"


@dataclass(frozen=True)
class JobTracks:
    """Every source of one job, identified."""

    infos: dict[str, ContainerInfo]

    @property
    def tracks(self) -> dict[str, list[Track]]:
        return {k: [t.track for t in c.tracks] for k, c in self.infos.items()}

    @property
    def sources(self) -> list[str]:
        return sort_sources(list(self.infos))

    def info(self, source: str, track_id: int) -> TrackInfo | None:
        c = self.infos.get(source)
        if c is None:
            return None
        return next((t for t in c.tracks if t.id == track_id), None)

    def structure(self) -> dict:
        return structure_signature(self.tracks)


def identify_job(sources: Mapping[str, str | Path]) -> JobTracks:
    """``mkvmerge -J`` of every source; MediaError naming the source when one cannot be read."""
    infos = {}
    for key in sort_sources(list(sources)):
        infos[key] = identify(Path(sources[key]), key)
        if not infos[key].tracks:
            raise MediaError(f"{key}: mkvmerge found no tracks in {sources[key]}; is it a media file?")
    return JobTracks(infos)


def entry_label(entry: LayoutEntry, tracks: JobTracks | None) -> str:
    """``[Source 2] [A-1] AC-3 (eng) 5.1`` for a layout entry; external files show their file name."""
    if entry.source == EXTERNAL:
        name = Path(entry.external_path or "").name
        return f"[External] [S] {entry.codec_id or 'subtitles'} ({entry.lang or 'und'}) '{name}'"
    info = tracks.info(entry.source, entry.id) if tracks is not None else None
    what = describe(info) if info is not None else f"{entry.codec_id} ({entry.lang})"
    return f"[{entry.source}] [{TYPE_LETTER[entry.type]}-{entry.id}] {what}"


def external_entry(path: Path, sync_to: str = "Source 1") -> LayoutEntry:
    """A layout entry for a subtitle file; codec and language from ``mkvmerge -J`` when it reads the file."""
    codec = EXTERNAL_CODECS.get(path.suffix.lower(), "S_TEXT/UTF8")
    lang = "und"
    try:
        c = identify(path, EXTERNAL)
        subs = [t for t in c.tracks if t.type is TrackType.SUBTITLES]
        if subs:
            codec = subs[0].codec_id or codec
            lang = subs[0].track.props.lang or "und"
    except MediaError:
        pass
    return LayoutEntry(source=EXTERNAL, id=0, type=TrackType.SUBTITLES, codec_id=codec, lang=lang,
                       name=path.stem, sync_to=sync_to, external_path=str(path))
