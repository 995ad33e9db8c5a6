"""Track layouts: which tracks of which source go into the output, in what order, with which flags.

A layout is a list of :class:`LayoutEntry`. ``vsg sync`` builds a default one; a layout file (JSON) or the
GUI's manual selection replaces it. Signatures (docs/pipeline.md#layouts) tell whether a saved layout
fits another job whose sources have the same track structure.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..models import Track, TrackType
from ..sources import sort_sources

EXTERNAL = "External"
_BOOL_FIELDS = frozenset({"is_default", "is_forced_display", "apply_track_name", "convert_to_ass", "rescale"})
_NUMBER_FIELDS = frozenset({"size_multiplier"})
_OPTIONAL_TEXT = frozenset({"sync_to", "external_path"})
_STYLE_FIELDS = frozenset({"style_patch", "generated_filter_styles", "generated_filter_mode"})


def _check_style_field(where: str, key: str, v: Any) -> Any:
    if key == "generated_filter_mode":
        if v not in ("include", "exclude"):
            raise SettingsError(f"{where}: generated_filter_mode must be 'include' or 'exclude' (got {v!r})")
        return v
    if key == "generated_filter_styles":
        if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
            raise SettingsError(f"{where}: generated_filter_styles must be a list of style names (got {v!r})")
        return tuple(v)
    if v is None:
        return None
    ok = isinstance(v, Mapping) and all(
        isinstance(name, str) and isinstance(fs, Mapping) and all(
            isinstance(f, str) and isinstance(x, (str, int, float)) and not isinstance(x, bool)
            for f, x in fs.items()) for name, fs in v.items())
    if not ok:
        raise SettingsError(f"{where}: style_patch must map style names to {{field: value}} objects, e.g. "
                            f'{{"Default": {{"Fontsize": "48"}}}} (got {v!r})')
    return {name: {f: str(x) for f, x in fs.items()} for name, fs in v.items()}


@dataclass(frozen=True)
class LayoutEntry:
    """One output track. ``source``/``id`` name the input track (``External`` + ``external_path`` for a
    subtitle file); the rest are the user's per-track settings."""

    source: str
    id: int
    type: TrackType
    codec_id: str = ""
    lang: str = "und"
    name: str = ""
    is_default: bool = False
    is_forced_display: bool = False
    apply_track_name: bool = True
    custom_lang: str = ""
    custom_name: str = ""
    sync_to: str | None = None
    external_path: str | None = None
    # text subtitles (vsg_core/pipeline/subtitles_step.py)
    convert_to_ass: bool = False
    rescale: bool = False
    size_multiplier: float = 1.0
    # ASS style edits: style name -> {field (Format name): value}; applied by the subtitle step
    style_patch: dict[str, dict[str, str]] | None = field(default=None, hash=False)
    # a generated track (e.g. "Signs"): this entry's subtitle file keeps only the events of these styles
    # ("include") or drops them ("exclude"); empty = an ordinary track
    generated_filter_styles: tuple[str, ...] = ()
    generated_filter_mode: str = "include"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["type"] = self.type.value
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "layout") -> LayoutEntry:
        if not isinstance(d, Mapping):
            raise SettingsError(f"{where}: each track must be a JSON object (got {d!r})")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise SettingsError(f"{where}: unknown key(s) {unknown}; known keys: {sorted(known)}")
        for req in ("source", "id", "type"):
            if req not in d:
                raise SettingsError(f"{where}: every track needs '{req}' (got {dict(d)})")
        try:
            ttype = TrackType(str(d["type"]))
        except ValueError:
            raise SettingsError(
                f"{where}: type must be video, audio or subtitles (got {d['type']!r})") from None
        raw_id = d["id"]
        if isinstance(raw_id, bool) or not (isinstance(raw_id, int) or (isinstance(raw_id, str)
                                                                       and raw_id.strip().isdigit())):
            raise SettingsError(f"{where}: id must be a track number (got {raw_id!r})")
        tid = int(raw_id)
        kw = {k: v for k, v in d.items() if k not in ("type", "id")}
        for k, v in list(kw.items()):  # the JSON types the fields need
            if k in _STYLE_FIELDS:
                kw[k] = _check_style_field(where, k, v)
                continue
            if k in _NUMBER_FIELDS:
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1e6:
                    raise SettingsError(f"{where}: {k} must be a number greater than 0 (got {v!r})")
                continue
            want = (bool,) if k in _BOOL_FIELDS else (str, type(None)) if k in _OPTIONAL_TEXT else (str,)
            if not isinstance(v, want):
                kind = "true or false" if want == (bool,) else "text"
                raise SettingsError(f"{where}: {k} must be {kind} (got {v!r})")
        entry = cls(id=tid, type=ttype, **kw)
        if entry.source == EXTERNAL and not entry.external_path:
            raise SettingsError(f"{where}: an External track needs 'external_path' (a subtitle file)")
        return entry

    @property
    def key(self) -> str:
        return f"{self.source}_{self.id}"


@dataclass(frozen=True)
class Layout:
    entries: tuple[LayoutEntry, ...]
    attachment_sources: tuple[str, ...] = field(default=("Source 1",))

    def audio_sources(self) -> list[str]:
        return [e.source for e in self.entries if e.type is TrackType.AUDIO]

    def subtitle_sources(self) -> list[str]:
        return [(e.sync_to or "Source 1") if e.source == EXTERNAL else e.source
                for e in self.entries if e.type is TrackType.SUBTITLES]

    def to_json(self) -> str:
        return json.dumps({"tracks": [e.to_dict() for e in self.entries],
                           "attachment_sources": list(self.attachment_sources)},
                          ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, where: str = "layout") -> Layout:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise SettingsError(f"{where}: not valid JSON ({e})") from None
        if isinstance(data, list):
            data = {"tracks": data}
        if not isinstance(data, dict) or not isinstance(data.get("tracks"), list):
            raise SettingsError(f"{where}: expected a JSON object with a 'tracks' list")
        entries = tuple(LayoutEntry.from_dict(t, f"{where}, track {i + 1}")
                        for i, t in enumerate(data["tracks"]))
        att = data.get("attachment_sources", ["Source 1"])
        if not isinstance(att, list) or not all(isinstance(a, str) for a in att):
            raise SettingsError(f"{where}: attachment_sources must be a list of source names (got {att!r})")
        att = tuple(att)
        return cls(entries, att)

    @classmethod
    def load(cls, path: Path) -> Layout:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is allowed
        except OSError as e:
            raise SettingsError(f"cannot read layout file {path}: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise SettingsError(f"layout file {path} is not UTF-8 text ({e.reason} at byte {e.start}); give the "
                                "JSON file vsg sync --print-layout writes") from None
        return cls.from_json(text, where=str(path))


def entry_from_track(source: str, t: Track, **flags: Any) -> LayoutEntry:
    return LayoutEntry(source=source, id=t.id, type=t.type, codec_id=t.props.codec_id, lang=t.props.lang,
                       name=t.props.name, **flags)


def default_layout(tracks: Mapping[str, Sequence[Track]]) -> Layout:
    """Reference video, audio and subtitles, then every other source's audio and subtitles.

    The first audio and first subtitle track of the reference keep the default flag; languages and names are
    kept. Video only ever comes from Source 1 (docs/pipeline.md#job-steps).
    """
    entries: list[LayoutEntry] = []
    ref = list(tracks.get("Source 1", ()))
    videos = [t for t in ref if t.type is TrackType.VIDEO]
    if videos:
        entries.append(entry_from_track("Source 1", videos[0], is_default=True))
    seen_default: set[TrackType] = set()
    for source in sort_sources(list(tracks)):
        for ttype in (TrackType.AUDIO, TrackType.SUBTITLES):
            for t in tracks[source]:
                if t.type is not ttype:
                    continue
                default = source == "Source 1" and ttype not in seen_default
                if default:
                    seen_default.add(ttype)
                entries.append(entry_from_track(source, t, is_default=default))
    return Layout(tuple(entries))


def select_tracks(layout: Layout, spec: Iterable[str]) -> Layout:
    """Keep (and order) tracks by ``"Source N:ID"`` selectors, e.g. ``["Source 1:0", "Source 2:1"]``."""
    by_key = {f"{e.source}:{e.id}": e for e in layout.entries}
    out = []
    for sel in spec:
        s = sel.strip()
        if s not in by_key:
            raise SettingsError(f"--track {s!r} matches no track; available: {', '.join(by_key)}")
        out.append(by_key[s])
    return replace(layout, entries=tuple(out))


# ---------------------------------------------------------------- signatures (docs/pipeline.md#layouts)


def track_signature(entries: Sequence[LayoutEntry], strict: bool = False) -> dict[str, Any]:
    if not strict:
        sig = Counter(f"{e.source}_{e.type.value}" for e in entries)
    else:
        pos: Counter[str] = Counter()
        keys = []
        for e in entries:
            pos[e.type.value] += 1
            keys.append(f"{e.source}_{e.type.value}_{e.codec_id.lower()}_{e.lang.lower()}_{pos[e.type.value]}")
        sig = Counter(keys)
    return {"signature": dict(sig), "strict": strict, "total_tracks": len(entries)}


def structure_signature(tracks: Mapping[str, Sequence[Track]]) -> dict[str, Any]:
    """The track structure of a job's sources and its SHA-256; equal hashes ⇔ a layout can be re-applied."""
    structure: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for source in sorted(tracks):
        groups: dict[str, list[dict[str, Any]]] = {"video": [], "audio": [], "subtitles": []}
        for t in tracks[source]:
            groups[t.type.value].append({"id": t.id, "codec_id": t.props.codec_id, "lang": t.props.lang})
        structure[source] = groups
    digest = hashlib.sha256(json.dumps(structure, sort_keys=True).encode("utf-8")).hexdigest()
    return {"structure": structure, "hash": digest}


def compatible(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return bool(a.get("hash")) and a.get("hash") == b.get("hash")
