"""Immutable media records: StreamProps, Track, Attachment (docs/pipeline.md#data-model).

Because these records are frozen, "renaming" a track means building a new Track (``dataclasses.replace``) and
assigning it to the plan item. Rust mirror: ``vsg_core_rs/src/models/media.rs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .enums import TrackType
from .validation import (
    I32_MAX,
    I32_MIN,
    U32_MAX,
    JsonFields,
    check_int,
    check_opt_int,
    check_opt_str,
    check_str,
    dump_json,
    json_type,
    load_json,
    nested,
)

_PROPS_KEYS = ("codec_id", "lang", "name", "audio_channels", "audio_sampling_frequency")
_TRACK_KEYS = ("source", "id", "type", "props", "container_delay_ms")
_ATTACHMENT_KEYS = ("id", "file_name", "out_path")


@dataclass(frozen=True, slots=True)
class StreamProps:
    """Codec, language and name of one stream as reported by ``mkvmerge -J``."""

    codec_id: str
    lang: str = "und"
    name: str = ""
    audio_channels: int | None = None
    audio_sampling_frequency: int | None = None

    def __post_init__(self) -> None:
        check_str("StreamProps.codec_id", self.codec_id)
        check_str("StreamProps.lang", self.lang)
        check_str("StreamProps.name", self.name)
        check_opt_int("StreamProps.audio_channels", self.audio_channels, 0, U32_MAX)
        check_opt_int("StreamProps.audio_sampling_frequency", self.audio_sampling_frequency, 0, U32_MAX)

    def to_dict(self) -> dict[str, Any]:
        return {
            "codec_id": self.codec_id,
            "lang": self.lang,
            "name": self.name,
            "audio_channels": self.audio_channels,
            "audio_sampling_frequency": self.audio_sampling_frequency,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StreamProps:
        f = JsonFields("StreamProps", data, _PROPS_KEYS)
        return cls(
            codec_id=check_str(f.where("codec_id"), f.required("codec_id"), ValueError),
            lang=check_str(f.where("lang"), f.get("lang", "und"), ValueError),
            name=check_str(f.where("name"), f.get("name", ""), ValueError),
            audio_channels=check_opt_int(
                f.where("audio_channels"), f.get("audio_channels", None), 0, U32_MAX, ValueError
            ),
            audio_sampling_frequency=check_opt_int(
                f.where("audio_sampling_frequency"),
                f.get("audio_sampling_frequency", None),
                0,
                U32_MAX,
                ValueError,
            ),
        )

    def to_json(self) -> str:
        return dump_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> StreamProps:
        return cls.from_dict(load_json("StreamProps", text))


def _track_type(where: str, value: object, exc: type[Exception]) -> TrackType:
    """A TrackType, or its value string (converted); anything else is rejected."""
    if isinstance(value, TrackType):
        return value
    if not isinstance(value, str):
        raise exc(f"{where}: expected a TrackType or its value string, got {json_type(value)}")
    try:
        return TrackType.from_value(value)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


@dataclass(frozen=True, slots=True)
class Track:
    """One track of one source container. ``id`` is the mkvmerge track id (0..2^32-1)."""

    source: str
    id: int
    type: TrackType
    props: StreamProps
    container_delay_ms: int = 0  # signed: container delays can be negative

    def __post_init__(self) -> None:
        check_str("Track.source", self.source)
        check_int("Track.id", self.id, 0, U32_MAX)
        object.__setattr__(self, "type", _track_type("Track.type", self.type, TypeError))
        if not isinstance(self.props, StreamProps):
            raise TypeError(f"Track.props: expected a StreamProps, got {json_type(self.props)}")
        check_int("Track.container_delay_ms", self.container_delay_ms, I32_MIN, I32_MAX)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "id": self.id,
            "type": self.type.value,
            "props": self.props.to_dict(),
            "container_delay_ms": self.container_delay_ms,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Track:
        f = JsonFields("Track", data, _TRACK_KEYS)
        return cls(
            source=check_str(f.where("source"), f.required("source"), ValueError),
            id=check_int(f.where("id"), f.required("id"), 0, U32_MAX, ValueError),
            type=_track_type(f.where("type"), f.required("type"), ValueError),
            props=nested(f.where("props"), StreamProps.from_dict, f.required("props")),
            container_delay_ms=check_int(
                f.where("container_delay_ms"), f.get("container_delay_ms", 0), I32_MIN, I32_MAX, ValueError
            ),
        )

    def to_json(self) -> str:
        return dump_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Track:
        return cls.from_dict(load_json("Track", text))


@dataclass(frozen=True, slots=True)
class Attachment:
    """A container attachment (fonts); ``out_path`` is where it was extracted to, if it was."""

    id: int
    file_name: str
    out_path: str | None = None

    def __post_init__(self) -> None:
        check_int("Attachment.id", self.id, 0, U32_MAX)
        check_str("Attachment.file_name", self.file_name)
        check_opt_str("Attachment.out_path", self.out_path)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "file_name": self.file_name, "out_path": self.out_path}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        f = JsonFields("Attachment", data, _ATTACHMENT_KEYS)
        return cls(
            id=check_int(f.where("id"), f.required("id"), 0, U32_MAX, ValueError),
            file_name=check_str(f.where("file_name"), f.required("file_name"), ValueError),
            out_path=check_opt_str(f.where("out_path"), f.get("out_path", None), ValueError),
        )

    def to_json(self) -> str:
        return dump_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Attachment:
        return cls.from_dict(load_json("Attachment", text))
