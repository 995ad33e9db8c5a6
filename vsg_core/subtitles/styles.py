"""ASS/SSA styles as the style editor sees them (docs/subtitles.md, "Style editor").

* :class:`AssColour` reads and writes ASS colours exactly: ``&HAABBGGRR`` (alpha 00 = opaque, FF = invisible),
  the short ``&HBBGGRR`` form, a trailing ``&``, and the decimal integers SSA v4 files use; a colour is written
  back in the form its file uses, so an unchanged colour keeps its bytes.
* :func:`read_styles` lists a subtitle file's styles with their fields (an SRT/WebVTT file is shown as the
  ASS it becomes with "Convert to ASS": one ``Default`` style).
* :func:`style_patch` turns edited fields into the track's *style patch*: style name → {field: value} for
  the fields that differ from the file. The subtitle step applies the same patch to the muxed track
  (vsg_core/pipeline/subtitles_step.py), the preview applies it with :func:`patched_bytes`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .document import parse as parse_reference
from .engine import engine
from .errors import SubtitleError

# The fields the editor shows, as lower-case Format names, in display order.
EDITABLE_FIELDS = ("fontname", "fontsize", "primarycolour", "secondarycolour", "outlinecolour", "backcolour",
                   "bold", "italic", "outline", "shadow", "alignment", "marginl", "marginr", "marginv")
COLOUR_FIELDS = ("primarycolour", "secondarycolour", "outlinecolour", "backcolour")
FORMAT_BY_EXT = {".ass": "ass", ".ssa": "ssa", ".srt": "srt", ".vtt": "vtt"}
FORMAT_BY_CODEC = {"S_TEXT/ASS": "ass", "S_TEXT/SSA": "ssa", "S_TEXT/UTF8": "srt", "S_TEXT/ASCII": "srt",
                   "S_TEXT/WEBVTT": "vtt"}

_HEX = re.compile(r"^&[Hh]([0-9A-Fa-f]{1,8})&?$")
_DEC = re.compile(r"^-?[0-9]{1,10}$")


@dataclass(frozen=True)
class AssColour:
    """One colour: red, green, blue and ASS alpha (0 = opaque, 255 = fully transparent), each 0–255."""

    red: int
    green: int
    blue: int
    alpha: int = 0

    def __post_init__(self) -> None:
        for name in ("red", "green", "blue", "alpha"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 255:
                raise ValueError(f"AssColour.{name} must be an integer 0–255 (got {v!r})")

    @property
    def opacity(self) -> int:
        """255 − alpha: what most colour pickers call alpha."""
        return 255 - self.alpha

    @classmethod
    def parse(cls, text: str) -> AssColour:
        """``&HAABBGGRR``, ``&HBBGGRR``, ``&H…&`` or a decimal integer (SSA); SubtitleError otherwise."""
        t = text.strip()
        m = _HEX.match(t)
        if m:
            value = int(m.group(1), 16)
        elif _DEC.match(t):
            value = int(t) & 0xFFFFFFFF
            if int(t) > 0xFFFFFFFF:
                raise SubtitleError(f"colour {text!r} is out of range")
        else:
            raise SubtitleError(f"colour {text!r} is not an ASS colour (&HAABBGGRR or a decimal number)")
        return cls(value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, (value >> 24) & 0xFF)

    @property
    def value(self) -> int:
        return (self.alpha << 24) | (self.blue << 16) | (self.green << 8) | self.red

    def to_ass(self) -> str:
        """``&HAABBGGRR`` (upper-case hex)."""
        return f"&H{self.alpha:02X}{self.blue:02X}{self.green:02X}{self.red:02X}"

    def format_like(self, original: str) -> str:
        """This colour written in the form ``original`` uses (decimal for SSA-style numbers, else
        ``&HAABBGGRR`` with a trailing ``&`` when the original had one)."""
        t = original.strip()
        if _DEC.match(t):
            return str(self.value)
        return self.to_ass() + ("&" if t.endswith("&") and len(t) > 2 else "")


@dataclass(frozen=True)
class StyleInfo:
    """One style of a file: its name and every field (lower-case Format name → text as in the file)."""

    name: str
    fields: dict[str, str]


def subtitle_format(path: Path | str | None = None, codec_id: str = "") -> str:
    """``ass``/``ssa``/``srt``/``vtt`` from a file name, else from a Matroska codec id; SubtitleError else."""
    if path is not None:
        fmt = FORMAT_BY_EXT.get(Path(path).suffix.lower())
        if fmt:
            return fmt
    fmt = FORMAT_BY_CODEC.get(codec_id.upper())
    if fmt is None:
        raise SubtitleError(f"not a text subtitle ({path or codec_id or 'unknown format'}): styles exist only "
                            "in ASS/SSA (and SRT/WebVTT converted to ASS)")
    return fmt


def as_ass(data: bytes, fmt: str) -> tuple[bytes, str]:
    """The file as ASS/SSA bytes: SRT/WebVTT are converted the way the subtitle step converts them."""
    if fmt in ("ass", "ssa"):
        return data, fmt
    doc = engine().parse(data, fmt).to_ass()
    return doc.to_bytes(), "ass"


def read_styles(data: bytes, fmt: str) -> list[StyleInfo]:
    """The styles of an ASS/SSA file in file order (SubtitleError for a file that has none)."""
    data, fmt = as_ass(data, fmt)
    doc = parse_reference(data, fmt)
    out = []
    for st in doc.styles:
        fields = {n: (st.get(n) or "") for n in st.names}
        out.append(StyleInfo(st.name, fields))
    if not out:
        raise SubtitleError("the file has no styles")
    return out


def style_patch(original: list[StyleInfo], edited: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Style name → the edited fields whose text differs from the file's (colours compared by value, so
    ``&H00FFFFFF`` for ``&HFFFFFF`` is no change). Unknown styles or fields: SubtitleError."""
    by_name = {s.name: s for s in original}
    patch: dict[str, dict[str, str]] = {}
    for name, fields in edited.items():
        st = by_name.get(name)
        if st is None:
            raise SubtitleError(f"style {name!r} is not in the file (styles: {', '.join(by_name)})")
        changed = {}
        for key, value in fields.items():
            k = key.lower()
            if k not in st.fields:
                raise SubtitleError(f"style {name!r} has no field {key!r}")
            old, new = st.fields[k], str(value).strip()
            if k in COLOUR_FIELDS:
                if AssColour.parse(new) == AssColour.parse(old):
                    continue
                new = AssColour.parse(new).format_like(old)
            elif new == old:
                continue
            changed[k] = new
        if changed:
            patch[name] = changed
    return patch


def merged_fields(original: list[StyleInfo], patch: Mapping[str, Mapping[str, str]] | None
                  ) -> dict[str, dict[str, str]]:
    """Every style's fields with an existing patch applied (what the editor starts from)."""
    out = {s.name: dict(s.fields) for s in original}
    for name, fields in (patch or {}).items():
        if name in out:
            for k, v in fields.items():
                if k.lower() in out[name]:
                    out[name][k.lower()] = str(v)
    return out


def patched_bytes(data: bytes, fmt: str, patch: Mapping[str, Mapping[str, str]] | None) -> tuple[bytes, str]:
    """The file (as ASS) with ``patch`` applied by the engine the subtitle step uses."""
    data, fmt = as_ass(data, fmt)
    if not patch:
        return data, fmt
    doc = engine().parse(data, fmt)
    missing = doc.patch_styles({k: {f: str(v) for f, v in d.items()} for k, d in patch.items()})
    if missing:
        raise SubtitleError(f"the style patch names styles the file does not have: {', '.join(missing)}")
    return doc.to_bytes(), fmt


def events_by_style(data: bytes, fmt: str) -> dict[str, list[tuple[float, float]]]:
    """Style name → (start ms, end ms) of its events (the preview picks a time from these)."""
    data, fmt = as_ass(data, fmt)
    out: dict[str, list[tuple[float, float]]] = {}
    for kind, start, end, style, _text in engine().parse(data, fmt).events():
        if kind != "Comment":
            out.setdefault(style, []).append((start, end))
    return out
