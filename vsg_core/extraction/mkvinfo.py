"""``mkvmerge -J`` identification parsed into :mod:`vsg_core.models` records (docs/pipeline.md#identification).

Container delays follow the one rule of :func:`vsg_core.identification.container_delay_ms` (audio/video,
``minimum_timestamp`` in ms rounded half to even on the exact nanoseconds; subtitles 0). The raw nanosecond
value is kept in :attr:`TrackInfo.minimum_timestamp_ns`.

mkvmerge identifies many containers (Matroska/WebM, MP4/MOV, MPEG-TS/M2TS, AVI, Ogg, raw streams …);
:attr:`ContainerInfo.is_matroska` tells whether mkvextract can read the file directly (see ``probe.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MediaError
from ..identification import container_delay_ms, mkvmerge_identify
from ..identification import ns_to_ms as ns_to_ms  # re-exported: the rule lives in identification
from ..log import JobLog
from ..models import StreamProps, Track, TrackType

MATROSKA_TYPES = ("Matroska", "WebM")
_TYPES = {"video": TrackType.VIDEO, "audio": TrackType.AUDIO, "subtitles": TrackType.SUBTITLES}


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


@dataclass(frozen=True)
class TrackInfo:
    """One track as identified by mkvmerge: the model :class:`Track` plus the facts extraction needs."""

    track: Track
    codec: str                          # mkvmerge's friendly codec name ("AVC/H.264/MPEG-4p10")
    minimum_timestamp_ns: int | None    # raw ``properties.minimum_timestamp`` (ns), None when absent
    default_track: bool = False
    forced_track: bool = False
    audio_bits_per_sample: int | None = None
    channel_layout: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> int:
        return self.track.id

    @property
    def type(self) -> TrackType:
        return self.track.type

    @property
    def codec_id(self) -> str:
        return self.track.props.codec_id

    @property
    def container_delay_ms(self) -> int:
        return self.track.container_delay_ms


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    file_name: str
    content_type: str = ""
    size: int | None = None


@dataclass(frozen=True)
class ContainerInfo:
    """What ``mkvmerge -J`` reports about one file."""

    path: Path
    source: str
    container_type: str           # "Matroska", "QuickTime/MP4", "MPEG transport stream", …
    recognized: bool
    supported: bool
    duration_ns: int | None
    tracks: tuple[TrackInfo, ...]
    attachments: tuple[AttachmentInfo, ...]
    chapter_entries: int
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def is_matroska(self) -> bool:
        return self.container_type in MATROSKA_TYPES

    def track(self, track_id: int) -> TrackInfo:
        for t in self.tracks:
            if t.id == track_id:
                return t
        known = ", ".join(str(t.id) for t in self.tracks) or "none"
        raise MediaError(f"{self.path}: no track with id {track_id} (track ids in this file: {known})")

    def of_type(self, kind: TrackType | str) -> list[TrackInfo]:
        return [t for t in self.tracks if t.type == str(kind)]


def _track(raw: Mapping[str, Any], source: str, path: Path) -> TrackInfo | None:
    kind = raw.get("type")
    if kind not in _TYPES:
        return None  # buttons/other track kinds are not muxable by vsg
    props = raw.get("properties") or {}
    tid = _int_or_none(raw.get("id"))
    if tid is None:
        raise MediaError(f"{path}: mkvmerge -J reported a {kind} track without an id")
    min_ts = _int_or_none(props.get("minimum_timestamp"))
    channels = _int_or_none(props.get("audio_channels"))
    rate = _int_or_none(props.get("audio_sampling_frequency"))
    stream = StreamProps(
        codec_id=str(props.get("codec_id") or ""),
        lang=str(props.get("language") or "und"),
        name=str(props.get("track_name") or ""),
        audio_channels=channels if kind == "audio" else None,
        audio_sampling_frequency=rate if kind == "audio" else None,
    )
    track = Track(source=source, id=tid, type=_TYPES[kind], props=stream,
                  container_delay_ms=container_delay_ms(kind, min_ts))
    layout = props.get("channel_layout") if isinstance(props.get("channel_layout"), str) else None
    return TrackInfo(
        track=track,
        codec=str(raw.get("codec") or ""),
        minimum_timestamp_ns=min_ts,
        default_track=bool(props.get("default_track", False)),
        forced_track=bool(props.get("forced_track", False)),
        audio_bits_per_sample=_int_or_none(props.get("audio_bits_per_sample")),
        channel_layout=layout,
        properties=dict(props),
    )


def parse_identification(data: Mapping[str, Any] | str, path: Path | str, source: str = "Source 1"
                         ) -> ContainerInfo:
    """Parse ``mkvmerge -J`` output (text or decoded JSON) of ``path`` into a :class:`ContainerInfo`.

    JSON of an unexpected shape (another mkvmerge version, a damaged file) is a MediaError, never a crash.
    """
    try:
        return _parse_identification(data, path, source)
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
        raise MediaError(f"{path}: 'mkvmerge -J' printed JSON vsg cannot read ({type(exc).__name__}: {exc}); "
                         "check the file and the MKVToolNix version") from None


def _parse_identification(data: Mapping[str, Any] | str, path: Path | str, source: str) -> ContainerInfo:
    path = Path(path)
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise MediaError(f"{path}: could not parse the JSON printed by 'mkvmerge -J' ({exc}); "
                             "check that mkvmerge (MKVToolNix) is installed correctly") from None
    if not isinstance(data, Mapping):
        raise MediaError(f"{path}: 'mkvmerge -J' printed JSON that is not an object")
    container = data.get("container") or {}
    cprops = container.get("properties") or {}
    tracks = tuple(t for t in (_track(raw, source, path) for raw in data.get("tracks") or []) if t)
    attachments = tuple(
        AttachmentInfo(id=int(a["id"]), file_name=str(a.get("file_name") or ""),
                       content_type=str(a.get("content_type") or ""), size=_int_or_none(a.get("size")))
        for a in data.get("attachments") or [] if _int_or_none(a.get("id")) is not None
    )
    chapters = sum(int(c.get("num_entries", 0)) for c in data.get("chapters") or [])
    return ContainerInfo(
        path=path,
        source=source,
        container_type=str(container.get("type") or ""),
        recognized=bool(container.get("recognized", False)),
        supported=bool(container.get("supported", False)),
        duration_ns=_int_or_none(cprops.get("duration")),
        tracks=tracks,
        attachments=attachments,
        chapter_entries=chapters,
        errors=tuple(str(e) for e in data.get("errors") or []),
        warnings=tuple(str(w) for w in data.get("warnings") or []),
    )


def identify(path: Path | str, source: str = "Source 1", log: JobLog | None = None,
             mkvmerge: str = "mkvmerge") -> ContainerInfo:
    """``mkvmerge -J <path>`` (:mod:`vsg_core.identification`, once per file and job) as a ContainerInfo.

    MediaError when the file is missing or mkvmerge printed nothing. mkvmerge exits with 2 for files it
    cannot identify but still prints JSON with ``recognized: false``; that JSON is parsed so the caller
    (see ``probe.py``) can say what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():  # a folder, a FIFO or a device: never handed to mkvmerge (a FIFO would block it)
            raise MediaError(f"{source}: {path} is not a regular file (a folder, pipe or device); give the path "
                             "of a video or audio file")
        raise MediaError(f"{source}: file not found: {path}")
    out = mkvmerge_identify(path, log, mkvmerge)
    if not out.data:
        raise MediaError(f"{source}: 'mkvmerge -J' printed nothing for {path} (exit code {out.returncode}): "
                         f"{out.stderr.strip() or 'no error output'}")
    return parse_identification(out.data, path, source)


def tracks_by_source(sources: Mapping[str, Path | str], log: JobLog | None = None) -> dict[str, list[Track]]:
    """The model tracks of every source of a job (one ``mkvmerge -J`` per file)."""
    return {k: [t.track for t in identify(p, k, log).tracks] for k, p in sources.items()}
