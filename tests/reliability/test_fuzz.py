"""Fuzzing every parser of outside data: random and mutated input gives a result or vsg's own clear error
(VsgError, or ValueError where the parser's contract says so), never another exception and never a hang
(hypothesis' deadline fails an example that takes too long)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsg_core.chapters.document import ChapterDocument
from vsg_core.chapters.keyframes import parse_keyframes
from vsg_core.config import Settings
from vsg_core.config.defaults import DEFAULTS
from vsg_core.errors import VsgError
from vsg_core.extraction.mkvinfo import parse_identification
from vsg_core.jobs.layout import Layout
from vsg_core.setting_ranges import check_settings

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])

json_scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=12), kids, max_size=5), max_leaves=25)


def _mutate(text: str, data: st.DataObject) -> str:
    """Cut, duplicate or overwrite a slice of a valid document."""
    if not text:
        return text
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i, len(text)))
    how = data.draw(st.sampled_from(["cut", "dup", "junk", "truncate"]))
    if how == "cut":
        return text[:i] + text[j:]
    if how == "dup":
        return text[:j] + text[i:j] + text[j:]
    if how == "junk":
        return text[:i] + data.draw(st.text(max_size=10)) + text[j:]
    return text[:i]


# ------------------------------------------------------------------------------------------ mkvmerge -J
VALID_IDENT = {
    "container": {"type": "Matroska", "recognized": True, "supported": True,
                  "properties": {"duration": 210000000000}},
    "tracks": [{"id": 0, "type": "video", "codec": "AVC/H.264",
                "properties": {"codec_id": "V_MPEG4/ISO/AVC", "language": "und", "minimum_timestamp": 0}},
               {"id": 1, "type": "audio", "codec": "FLAC",
                "properties": {"codec_id": "A_FLAC", "language": "eng", "audio_channels": 2,
                               "audio_sampling_frequency": 48000, "track_name": "English"}}],
    "attachments": [{"id": 1, "file_name": "a.ttf", "content_type": "font/ttf", "size": 10}],
    "chapters": [{"num_entries": 7}], "errors": [], "warnings": [],
}
track_like = st.fixed_dictionaries({}, optional={
    "id": json_scalars, "type": st.sampled_from(["video", "audio", "subtitles", "buttons"]) | json_scalars,
    "codec": json_scalars, "properties": st.dictionaries(
        st.sampled_from(["codec_id", "language", "track_name", "minimum_timestamp", "audio_channels",
                         "audio_sampling_frequency", "default_track", "forced_track", "channel_layout"]),
        json_scalars, max_size=6) | json_values})
ident_like = st.fixed_dictionaries({}, optional={
    "container": json_values | st.fixed_dictionaries({}, optional={"type": json_scalars, "properties": json_values}),
    "tracks": st.lists(track_like | json_values, max_size=4) | json_values,
    "attachments": st.lists(json_values, max_size=3) | json_values,
    "chapters": st.lists(st.dictionaries(st.just("num_entries"), json_scalars) | json_values, max_size=2)
    | json_values,
    "errors": json_values, "warnings": json_values})


def _identify(data) -> None:
    try:
        info = parse_identification(data, Path("/x/in.mkv"))
    except VsgError:
        return
    for t in info.tracks:
        assert isinstance(t.id, int)


@FUZZ
@given(ident_like)
def test_mkvmerge_json_structures(data) -> None:
    _identify(data)


@FUZZ
@given(st.data())
def test_mkvmerge_json_mutated_text(data) -> None:
    _identify(_mutate(json.dumps(VALID_IDENT), data))


@FUZZ
@given(json_values)
def test_mkvmerge_json_any_value(data) -> None:
    _identify(data)


# ------------------------------------------------------------------------------------------ chapter XML
VALID_CHAPTERS = """<?xml version="1.0"?>
<!-- <!DOCTYPE Chapters SYSTEM "matroskachapters.dtd"> -->
<Chapters><EditionEntry><ChapterAtom><ChapterTimeStart>00:00:00.000000000</ChapterTimeStart>
<ChapterDisplay><ChapterString>Cold Open</ChapterString><ChapterLanguage>eng</ChapterLanguage></ChapterDisplay>
</ChapterAtom><ChapterAtom><ChapterTimeStart>00:01:09.323000000</ChapterTimeStart>
<ChapterTimeEnd>00:02:00.000000000</ChapterTimeEnd><ChapterDisplay><ChapterString>Night</ChapterString>
</ChapterDisplay></ChapterAtom></EditionEntry></Chapters>"""


def _chapters(text: str | bytes) -> None:
    try:
        doc = ChapterDocument.parse(text)
    except ValueError:        # the documented error: "chapter XML is not well-formed: …"
        return
    try:
        doc.shift(1_000_000)
        doc.normalise()
        doc.rename()
        doc.display_names()
        ChapterDocument.parse(doc.to_xml())
    except (ValueError, VsgError):
        return


@FUZZ
@given(st.data())
def test_chapter_xml_mutated(data) -> None:
    _chapters(_mutate(VALID_CHAPTERS, data))


@FUZZ
@given(st.binary(max_size=300))
def test_chapter_xml_random_bytes(data: bytes) -> None:
    _chapters(data)


def test_chapter_xml_entity_bomb_does_not_hang() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
            + ']><Chapters><EditionEntry><ChapterAtom><ChapterTimeStart>&i;</ChapterTimeStart></ChapterAtom>'
            '</EditionEntry></Chapters>')
    _chapters(bomb)


# ------------------------------------------------------------------------------------------ ffprobe keyframes
@FUZZ
@given(st.data())
def test_keyframe_json_mutated(data) -> None:
    valid = json.dumps({"packets": [{"pts_time": "0.000000", "flags": "K__"}, {"pts_time": "1.5", "flags": "K"}]})
    text = _mutate(valid, data) if data.draw(st.booleans()) else json.dumps(data.draw(json_values))
    try:
        out = parse_keyframes(text)
    except (ValueError, VsgError):
        return
    assert all(isinstance(x, int) for x in out)


# ------------------------------------------------------------------------------------------ settings JSON
setting_keys = st.sampled_from(sorted(DEFAULTS))


@FUZZ
@given(st.dictionaries(setting_keys | st.text(max_size=10), json_values, max_size=6))
def test_settings_file_structures(tmp_path_factory, values) -> None:
    p = tmp_path_factory.mktemp("s") / "settings.json"
    p.write_text(json.dumps(values), encoding="utf-8")
    _settings(p)


@FUZZ
@given(st.binary(max_size=200))
def test_settings_file_bytes(tmp_path_factory, raw: bytes) -> None:
    p = tmp_path_factory.mktemp("s") / "settings.json"
    p.write_bytes(raw)
    _settings(p)


@FUZZ
@given(st.data())
def test_settings_file_mutated(tmp_path_factory, data) -> None:
    p = tmp_path_factory.mktemp("s") / "settings.json"
    p.write_text(_mutate(json.dumps(DEFAULTS), data), encoding="utf-8", errors="surrogatepass")
    _settings(p)


def _settings(p: Path) -> None:
    try:
        s = Settings.load(p, env={})
    except VsgError:
        return
    for problem in check_settings(s):
        assert problem.startswith("setting '")


# ------------------------------------------------------------------------------------------ layout JSON
entry_like = st.fixed_dictionaries({}, optional={
    "source": st.sampled_from(["Source 1", "Source 2", "External"]) | json_scalars,
    "id": json_scalars, "type": st.sampled_from(["video", "audio", "subtitles"]) | json_scalars,
    "sync_to": json_scalars, "external_path": json_scalars, "is_default": json_scalars,
    "custom_name": json_scalars, "codec_id": json_scalars})


def _layout(text: str) -> None:
    try:
        layout = Layout.from_json(text, where="layout.json")
    except VsgError:
        return
    Layout.from_json(layout.to_json())       # what it writes, it reads back


@FUZZ
@given(st.fixed_dictionaries({"tracks": st.lists(entry_like | json_values, max_size=4)},
                             optional={"attachment_sources": json_values, "structure_signature": json_values}))
def test_layout_json_structures(data) -> None:
    _layout(json.dumps(data))


@FUZZ
@given(st.data())
def test_layout_json_mutated(data) -> None:
    valid = json.dumps({"tracks": [{"source": "Source 1", "id": 0, "type": "video"},
                                   {"source": "Source 2", "id": 1, "type": "audio", "is_default": True}]})
    _layout(_mutate(valid, data))
