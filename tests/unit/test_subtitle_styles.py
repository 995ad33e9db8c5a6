"""Style-editor core: exact ASS colours, the style patch made from edits and applied by the engine, layout
entries that carry a style patch and a generated track's style filter, and the track loader's errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsg_core.errors import MediaError, SettingsError
from vsg_core.jobs.layout import Layout, LayoutEntry
from vsg_core.models import TrackType
from vsg_core.subtitles.errors import SubtitleError
from vsg_core.subtitles.preview import filter_path, first_event_time_s, load_track
from vsg_core.subtitles.styles import (
    AssColour,
    events_by_style,
    merged_fields,
    patched_bytes,
    read_styles,
    style_patch,
)

ASS = (b"\xef\xbb\xbf[Script Info]\r\nScriptType: v4.00+\r\n\r\n[V4+ Styles]\r\n"
       b"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
       b"Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, "
       b"MarginL, MarginR, MarginV, Encoding\r\n"
       b"Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,1,2,10,10,"
       b"10,1\r\n"
       b"Style: Signs,Arial,16,&HFFFFFF&,&H000000FF,&H00000000,&H80000000,1,0,0,0,100,100,0,0,1,2,1,8,10,10,"
       b"10,1\r\n\r\n[Events]\r\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n"
       b"Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,Hello\r\n"
       b"Dialogue: 0,0:00:02.50,0:00:04.50,Signs,,0,0,0,,SIGN\r\n"
       b"Comment: 0,0:00:00.00,0:00:09.00,Signs,,0,0,0,,note\r\n")

SSA = (b"[Script Info]\nScriptType: v4.00\n\n[V4 Styles]\n"
       b"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, TertiaryColour, BackColour, Bold, "
       b"Italic, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, AlphaLevel, Encoding\n"
       b"Style: Default,Arial,20,16777215,255,0,0,-1,0,1,2,2,2,10,10,10,0,0\n\n[Events]\n"
       b"Format: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
       b"Dialogue: Marked=0,0:00:01.00,0:00:02.00,Default,,0000,0000,0000,,Hi\n")


# ---------------------------------------------------------------------------------------------- colours
@pytest.mark.parametrize(("text", "want"), [
    ("&H00FFFFFF", (255, 255, 255, 0)),
    ("&H80112233", (0x33, 0x22, 0x11, 0x80)),       # AABBGGRR: red is the last byte
    ("&h80112233&", (0x33, 0x22, 0x11, 0x80)),
    ("&H0000FF", (255, 0, 0, 0)),                    # short form: BBGGRR, alpha 00
    ("&HFF", (255, 0, 0, 0)),
    ("16777215", (255, 255, 255, 0)),                # SSA decimal
    ("255", (255, 0, 0, 0)),
    ("-1", (255, 255, 255, 255)),                    # a signed 32-bit write of &HFFFFFFFF
    (" &H00FF0000 ", (0, 0, 255, 0)),
])
def test_colours_are_read_exactly(text: str, want: tuple[int, int, int, int]) -> None:
    c = AssColour.parse(text)
    assert (c.red, c.green, c.blue, c.alpha) == want


@pytest.mark.parametrize("bad", ["", "&H", "&HGG0000", "&H123456789", "white", "#FFFFFF", "4294967296", "1.5"])
def test_bad_colours_are_refused_with_the_value(bad: str) -> None:
    with pytest.raises(SubtitleError, match="colour"):
        AssColour.parse(bad)


def test_colour_components_are_checked() -> None:
    with pytest.raises(ValueError, match="alpha"):
        AssColour(0, 0, 0, 256)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_colours_round_trip_in_every_form(r: int, g: int, b: int, a: int) -> None:
    c = AssColour(r, g, b, a)
    assert AssColour.parse(c.to_ass()) == c
    assert c.to_ass() == f"&H{a:02X}{b:02X}{g:02X}{r:02X}"
    assert AssColour.parse(c.format_like("16777215")) == c and c.format_like("16777215").isdigit()
    assert c.format_like("&HFFFFFF&").endswith("&") and AssColour.parse(c.format_like("&HFFFFFF&")) == c
    assert c.opacity == 255 - a


# ---------------------------------------------------------------------------------------------- patches
def test_only_changed_fields_become_the_patch() -> None:
    styles = read_styles(ASS, "ass")
    assert [s.name for s in styles] == ["Default", "Signs"]
    edited = merged_fields(styles, None)
    edited["Default"]["fontsize"] = "32"
    edited["Default"]["primarycolour"] = "&HFFFFFF"            # same value, other spelling: no change
    edited["Signs"]["primarycolour"] = AssColour(0, 255, 0).to_ass()
    edited["Signs"]["bold"] = "1"
    assert style_patch(styles, edited) == {"Default": {"fontsize": "32"},
                                           "Signs": {"primarycolour": "&H0000FF00&"}}   # the file's form


def test_an_existing_patch_is_where_the_editor_starts() -> None:
    styles = read_styles(ASS, "ass")
    start = merged_fields(styles, {"Default": {"Fontsize": "40"}, "Gone": {"fontsize": "1"}})
    assert start["Default"]["fontsize"] == "40" and "Gone" not in start
    assert style_patch(styles, start) == {"Default": {"fontsize": "40"}}


def test_patches_naming_unknown_styles_or_fields_are_refused() -> None:
    styles = read_styles(ASS, "ass")
    with pytest.raises(SubtitleError, match="'Nope' is not in the file"):
        style_patch(styles, {"Nope": {"fontsize": "3"}})
    with pytest.raises(SubtitleError, match="no field 'Blur'"):
        style_patch(styles, {"Default": {"Blur": "3"}})


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_patched_bytes_change_only_the_style_line(backend: str) -> None:
    from vsg_core.backend import set_backend

    set_backend(backend)
    try:
        out, fmt = patched_bytes(ASS, "ass", {"Signs": {"fontsize": "24", "primarycolour": "&H0000FF00&"}})
    finally:
        set_backend(None)
    assert fmt == "ass"
    before, after = ASS.split(b"\r\n"), out.split(b"\r\n")
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [(before[6], b"Style: Signs,Arial,24,&H0000FF00&,&H000000FF,&H00000000,&H80000000,1,0,0,0,100,"
                                   b"100,0,0,1,2,1,8,10,10,10,1")]
    assert out.startswith(b"\xef\xbb\xbf")


def test_ssa_styles_and_decimal_colours() -> None:
    styles = read_styles(SSA, "ssa")
    assert styles[0].fields["primarycolour"] == "16777215" and "outlinecolour" not in styles[0].fields
    edited = merged_fields(styles, None)
    edited["Default"]["primarycolour"] = AssColour(255, 0, 0).to_ass()
    assert style_patch(styles, edited) == {"Default": {"primarycolour": "255"}}


def test_srt_is_edited_as_the_ass_it_becomes() -> None:
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 --> 00:00:05,000\nThere\n"
    styles = read_styles(srt, "srt")
    assert [s.name for s in styles] == ["Default"]
    events = events_by_style(srt, "srt")
    assert events == {"Default": [(1000.0, 2000.0), (3000.0, 5000.0)]}
    assert first_event_time_s(events["Default"]) == 1.5
    assert first_event_time_s([]) == 0.0


def test_comments_are_not_preview_times() -> None:
    assert events_by_style(ASS, "ass")["Signs"] == [(2500.0, 4500.0)]


# ---------------------------------------------------------------------------------------------- layout
def test_layout_files_carry_the_style_patch_and_generated_tracks() -> None:
    e = LayoutEntry(source="Source 2", id=3, type=TrackType.SUBTITLES, codec_id="S_TEXT/ASS",
                    style_patch={"Default": {"fontsize": "30"}}, generated_filter_styles=("Signs", "Songs"),
                    custom_name="Signs")
    layout = Layout((e,))
    back = Layout.from_json(layout.to_json())
    assert back.entries[0] == e
    assert json.loads(layout.to_json())["tracks"][0]["generated_filter_styles"] == ["Signs", "Songs"]
    numbers = Layout.from_json(json.dumps({"tracks": [{"source": "Source 2", "id": 3, "type": "subtitles",
                                                       "style_patch": {"Default": {"Fontsize": 30}}}]}))
    assert numbers.entries[0].style_patch == {"Default": {"Fontsize": "30"}}
    hash(back.entries[0])   # entries stay hashable


@pytest.mark.parametrize(("field", "value", "msg"), [
    ("style_patch", {"Default": "big"}, "style_patch must map style names"),
    ("style_patch", {"Default": {"Bold": True}}, "style_patch must map style names"),
    ("style_patch", ["Default"], "style_patch must map style names"),
    ("generated_filter_styles", "Signs", "list of style names"),
    ("generated_filter_styles", [1], "list of style names"),
    ("generated_filter_mode", "only", "'include' or 'exclude'"),
])
def test_bad_style_fields_in_a_layout_file_name_the_key(field: str, value: object, msg: str) -> None:
    with pytest.raises(SettingsError, match=msg):
        LayoutEntry.from_dict({"source": "Source 2", "id": 3, "type": "subtitles", field: value}, "l.json, track 1")


# ---------------------------------------------------------------------------------------------- loading
def test_loading_an_external_file_and_its_errors(tmp_path: Path) -> None:
    p = tmp_path / "a b's.ass"
    p.write_bytes(ASS)
    assert load_track(external_path=p, work_dir=tmp_path) == (ASS, "ass")
    with pytest.raises(MediaError, match="cannot read the subtitle file"):
        load_track(external_path=tmp_path / "gone.ass", work_dir=tmp_path)
    with pytest.raises(SubtitleError, match="not a text subtitle"):
        load_track(external_path=tmp_path / "x.sup", work_dir=tmp_path)
    with pytest.raises(MediaError, match="source file not found"):
        load_track(source_path=tmp_path / "gone.mkv", track_id=2, codec_id="S_TEXT/ASS", work_dir=tmp_path)


def test_filter_path_escapes_for_the_filtergraph() -> None:
    assert filter_path("/tmp/a.ass") == "\\'/tmp/a.ass\\'"
    esc = filter_path("/t/it's: [x], y;z\\w.ass")
    assert "[" not in esc.replace("\\[", "") and "," not in esc.replace("\\,", "")


@pytest.mark.media
@pytest.mark.slow
def test_preview_on_an_odd_temp_path_and_the_loader_checks_the_track(media_case, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from vsg_core.subtitles.preview import render_preview

    case = media_case("delay_pos")
    with pytest.raises(MediaError, match="track 1 is A_FLAC, not S_TEXT/ASS"):
        load_track(source_path=case.reference, track_id=1, codec_id="S_TEXT/ASS", work_dir=tmp_path / "w")
    odd = tmp_path / "it's [odd], dir;: x"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    out = render_preview(case.reference, ASS, "ass", {"Default": {"fontsize": "40"}}, 1.5, tmp_path / "f.png")
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height,codec_name", "-of",
                            "json", str(out)], capture_output=True, text=True, check=True)
    s = json.loads(probe.stdout)["streams"][0]
    assert (s["codec_name"], s["width"], s["height"]) == ("png", 320, 180)
    assert list(odd.iterdir()) == []                       # the work folder is removed
    with pytest.raises(MediaError, match="drew no frame"):
        render_preview(case.reference, ASS, "ass", None, 99_999.0, tmp_path / "late.png")


def test_preview_fonts_come_from_the_attachments(tmp_path: Path) -> None:
    from vsg_core.subtitles.preview import extract_preview_fonts

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert font.is_file(), "the test needs the DejaVu fonts (fonts-dejavu-core)"
    sub = tmp_path / "s.ass"
    sub.write_bytes(ASS)
    mkv = tmp_path / "with font.mkv"
    subprocess.run(["mkvmerge", "-q", "-o", str(mkv), str(sub), "--attachment-mime-type", "font/ttf",
                    "--attach-file", str(font)], check=True)
    got = extract_preview_fonts([mkv, None, sub, tmp_path / "gone.mkv"], tmp_path / "fonts")
    assert got == tmp_path / "fonts"
    files = list(got.iterdir())
    assert len(files) == 1 and files[0].read_bytes() == font.read_bytes()
    assert extract_preview_fonts([sub], tmp_path / "none") is None
