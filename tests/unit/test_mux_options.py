"""mkvmerge options (docs/pipeline.md#mkvmerge-options) through vsg_core.mux, on both backends.

Expected values come from the worked example of docs/pipeline.md#mkvmerge-options (pasted verbatim) or are written out
by hand from the rules in docs/pipeline.md#mkvmerge-options.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vsg_core import mux
from vsg_core.models import Delays, PlanItem, StreamProps, Track, TrackType

W = "/w/temp_work/orch_Movie_1700000000"

# The worked example of docs/pipeline.md#mkvmerge-options, copied verbatim.
WORKED_EXAMPLE = (
    '["--output", "/w/temp_work/orch_Movie_1700000000/temp_Movie.mkv", "--chapters", '
    '"/w/temp_work/orch_Movie_1700000000/Movie_chapters_modified.xml", "--language", "0:jpn", "--sync", '
    '"0:+300", "--default-track-flag", "0:yes", "--compression", "0:none", "--aspect-ratio", "0:16:9", "(", '
    '"/w/temp_work/orch_Movie_1700000000/Source_1_track_Movie_0.h264", ")", "--language", "0:jpn", "--sync", '
    '"0:+258", "--default-track-flag", "0:no", "--compression", "0:none", "(", '
    '"/w/temp_work/orch_Movie_1700000000/Source_1_track_Movie_1.ac3", ")", "--language", "0:eng", '
    '"--track-name", "0:English 5.1", "--sync", "0:+0", "--default-track-flag", "0:yes", "--compression", '
    '"0:none", "(", "/w/temp_work/orch_Movie_1700000000/Source_2_track_Movie_1.eac3", ")", "--language", '
    '"0:eng", "--sync", "0:+0", "--default-track-flag", "0:yes", "--forced-display-flag", "0:yes", '
    '"--compression", "0:none", "(", "/w/temp_work/orch_Movie_1700000000/Source_2_track_Movie_3.ass", ")", '
    '"--language", "0:eng", "--track-name", "0:Signs", "--sync", "0:+300", "--default-track-flag", "0:no", '
    '"--compression", "0:none", "(", "/w/temp_work/orch_Movie_1700000000/signs.ass", ")", "--attach-file", '
    '"/w/temp_work/orch_Movie_1700000000/Source 1_att_1_Font.ttf", "--track-order", "0:0,1:0,2:0,3:0,4:0"]'
)


def item(source: str, tid: int, kind: TrackType, codec: str, lang: str = "und", path: str | None = "/x",
         name: str = "", **kw: object) -> PlanItem:
    it = PlanItem(Track(source, tid, kind, StreamProps(codec, lang, name)), extracted_path=path)
    for k, v in kw.items():
        setattr(it, k, v)
    return it


def delays(table: dict[str, int], shift: int) -> Delays:
    return Delays(table, {k: float(v) for k, v in table.items()}, shift, float(shift))


def worked_plan() -> tuple[list[PlanItem], Delays]:
    items = [
        item("Source 1", 0, TrackType.VIDEO, "V_MPEG4/ISO/AVC", "jpn", f"{W}/Source_1_track_Movie_0.h264",
             aspect_ratio="16:9"),
        item("Source 1", 1, TrackType.AUDIO, "A_AC3", "jpn", f"{W}/Source_1_track_Movie_1.ac3",
             container_delay_ms=-42),
        item("Source 2", 1, TrackType.AUDIO, "A_EAC3", "eng", f"{W}/Source_2_track_Movie_1.eac3",
             name="English 5.1", is_default=True, apply_track_name=True),
        item("Source 2", 3, TrackType.SUBTITLES, "S_TEXT/ASS", "eng", f"{W}/Source_2_track_Movie_3.ass",
             is_default=True, is_forced_display=True),
        item("External", 0, TrackType.SUBTITLES, "S_TEXT/ASS", "eng", f"{W}/signs.ass", custom_name="Signs",
             sync_to="Source 1"),
    ]
    return items, delays({"Source 1": 300, "Source 2": 0}, 300)


def test_worked_example_8_6(backend: str, tmp_path: Path) -> None:
    items, d = worked_plan()
    tokens = mux.build_options(items, d, {}, f"{W}/Movie_chapters_modified.xml",
                               [f"{W}/Source 1_att_1_Font.ttf"], output=f"{W}/temp_Movie.mkv")
    assert mux.serialise_options(tokens) == WORKED_EXAMPLE
    opts = tmp_path / "opts.json"
    mux.write_options_file(tokens, opts)
    assert opts.read_bytes() == WORKED_EXAMPLE.encode("utf-8")


def order_of(items: list[PlanItem]) -> list[str]:
    return [str(it.extracted_path) for it in mux.final_order(items)]


def test_final_order_inserts_preserved_items_after_their_type() -> None:
    plan = [
        item("Source 2", 1, TrackType.AUDIO, "A_AAC", path="/pa", is_preserved=True),
        item("Source 2", 2, TrackType.SUBTITLES, "S_TEXT/UTF8", path="/ps", is_preserved=True),
        item("Source 1", 0, TrackType.VIDEO, "V", path="/v"),
        item("Source 1", 1, TrackType.AUDIO, "A_FLAC", path="/a1"),
        item("Source 1", 2, TrackType.SUBTITLES, "S_TEXT/ASS", path="/s1"),
        item("Source 2", 1, TrackType.AUDIO, "A_FLAC", path="/a2"),
        item("Source 2", 3, TrackType.AUDIO, "A_AAC", path="/pa2", is_preserved=True),
    ]
    # Preserved audio goes after the last audio (/a2), preserved subtitles after the last subtitle (/s1).
    assert order_of(plan) == ["/v", "/a1", "/s1", "/ps", "/a2", "/pa", "/pa2"]
    only_video = [item("Source 2", 1, TrackType.AUDIO, "A", path="/pa", is_preserved=True),
                  item("Source 1", 0, TrackType.VIDEO, "V", path="/v")]
    assert order_of(only_video) == ["/v", "/pa"]


@pytest.mark.parametrize(("it", "expected"), [
    (item("Source 1", 1, TrackType.AUDIO, "A", container_delay_ms=-42), 258),
    (item("Source 1", 0, TrackType.VIDEO, "V", container_delay_ms=99), 300),
    (item("Source 1", 2, TrackType.SUBTITLES, "S"), 300),
    (item("Source 2", 1, TrackType.AUDIO, "A", container_delay_ms=500), -1002),
    (item("Source 2", 3, TrackType.SUBTITLES, "S"), -1002),
    (item("Source 2", 3, TrackType.SUBTITLES, "S", stepping_adjusted=True), 0),
    (item("Source 2", 3, TrackType.SUBTITLES, "S", frame_adjusted=True), 0),
    (item("Source 2", 1, TrackType.AUDIO, "A", stepping_adjusted=True), -1002),  # rule 3 is subtitles only
    (item("External", 0, TrackType.SUBTITLES, "S", sync_to="Source 2"), -1002),
    (item("External", 0, TrackType.SUBTITLES, "S", sync_to=None), 300),  # vsg fix: global shift, not 0
    (item("External", 0, TrackType.SUBTITLES, "S", sync_to="Source 7"), 0),
    (item("Source 3", 1, TrackType.AUDIO, "A"), 0),
])
def test_delay_rules(it: PlanItem, expected: int) -> None:
    assert mux.track_delay(it, delays({"Source 1": 300, "Source 2": -1002}, 300)) == expected


def test_flags_names_settings_and_dialog_norm(backend: str) -> None:
    plan = [
        item("Source 1", 2, TrackType.SUBTITLES, "S_TEXT/ASS", "", "/s1", name=" \x1c\u3000",
             apply_track_name=True),
        item("Source 1", 3, TrackType.SUBTITLES, "S_TEXT/ASS", "jpn", "/s2", name=" Signs ", custom_lang="fre",
             apply_track_name=True, is_default=True, is_forced_display=True),
        item("Source 1", 1, TrackType.AUDIO, "a_eac3", "und", "/a", name="Main", custom_name="Über"),
        item("Source 1", 4, TrackType.AUDIO, "A_DTS", "und", "/a2", is_default=True),
        item("Source 1", 5, TrackType.SUBTITLES, "S_TEXT/ASS", "und", "/s3", is_forced_display=True),
    ]
    settings = {"disable_track_statistics_tags": True, "disable_header_compression": False,
                "apply_dialog_norm_gain": True}
    tokens = mux.build_options(plan, None, settings)
    assert tokens == [
        "--disable-track-statistics-tags",
        "--language", "0:und", "--sync", "0:+0", "--default-track-flag", "0:no", "(", "/s1", ")",
        "--language", "0:fre", "--track-name", "0: Signs ", "--sync", "0:+0", "--default-track-flag", "0:yes",
        "--forced-display-flag", "0:yes", "(", "/s2", ")",
        "--language", "0:und", "--track-name", "0:Über", "--sync", "0:+0", "--default-track-flag", "0:no",
        "--remove-dialog-normalization-gain", "0", "(", "/a", ")",
        "--language", "0:und", "--sync", "0:+0", "--default-track-flag", "0:yes", "(", "/a2", ")",
        "--language", "0:und", "--sync", "0:+0", "--default-track-flag", "0:no", "(", "/s3", ")",
        "--track-order", "0:0,1:0,2:0,3:0,4:0",
    ]


def test_header_compression_defaults_on_and_aspect_ratio_only_for_video(backend: str) -> None:
    plan = [item("Source 1", 0, TrackType.VIDEO, "V", path="/v", aspect_ratio=""),
            item("Source 1", 1, TrackType.AUDIO, "A", path="/a", aspect_ratio="4:3")]
    tokens = mux.build_options(plan, None, None)
    assert tokens == ["--language", "0:und", "--sync", "0:+0", "--default-track-flag", "0:yes",
                      "--compression", "0:none", "(", "/v", ")",
                      "--language", "0:und", "--sync", "0:+0", "--default-track-flag", "0:no",
                      "--compression", "0:none", "(", "/a", ")",
                      "--track-order", "0:0,1:0"]


def test_direct_tracks_share_their_source_input(backend: str) -> None:
    """Tracks read straight from a source: one input per file, selected by id, keeping the id; the sync
    subtracts the container delay the track keeps (an extracted stream lost it)."""
    d = Delays({"Source 2": 500}, {"Source 2": 500.0}, 100, 100.0)

    def direct(tid: int, kind: TrackType, cdelay: int, **kw: object) -> PlanItem:
        it = PlanItem(Track("Source 1", tid, kind, StreamProps("C", "eng"), cdelay), source_path="/src/one.mkv")
        for k, v in kw.items():
            setattr(it, k, v)
        return it

    plan = [direct(0, TrackType.VIDEO, 10, is_default=True),
            item("Source 2", 1, TrackType.AUDIO, "A", "jpn", path="/tmp/a2.flac"),
            direct(1, TrackType.AUDIO, 30, container_delay_ms=20, is_default=True),
            direct(1, TrackType.AUDIO, 30, container_delay_ms=20, custom_name="again")]
    tokens = mux.build_options(plan, d, {"disable_header_compression": False})
    assert tokens == [
        "--video-tracks", "0", "--audio-tracks", "1", "--no-subtitles", "--no-attachments", "--no-chapters",
        "--no-global-tags", "--no-track-tags",
        "--language", "0:eng", "--track-name", "0:", "--sync", "0:+90", "--default-track-flag", "0:yes",
        "--forced-display-flag", "0:no",
        "--language", "1:eng", "--track-name", "1:", "--sync", "1:+90", "--default-track-flag", "1:yes",
        "--forced-display-flag", "1:no",
        "(", "/src/one.mkv", ")",
        "--language", "0:jpn", "--sync", "0:+500", "--default-track-flag", "0:no", "(", "/tmp/a2.flac", ")",
        # the same track a second time: mkvmerge reads the file again as another input
        "--no-video", "--audio-tracks", "1", "--no-subtitles", "--no-attachments", "--no-chapters",
        "--no-global-tags", "--no-track-tags",
        "--language", "1:eng", "--track-name", "1:again", "--sync", "1:+90", "--default-track-flag", "1:no",
        "--forced-display-flag", "1:no", "(", "/src/one.mkv", ")",
        "--track-order", "0:0,1:0,0:1,2:1"]


def test_missing_extracted_path_names_the_item(backend: str) -> None:
    plan = [item("Source 1", 0, TrackType.VIDEO, "V", path="/v"),
            item("Source 2", 1, TrackType.AUDIO, "A", path=None, name="Commentary")]
    with pytest.raises(mux.MuxError, match=r"^Plan item at index 1 \('Commentary'\) missing extracted_path$"):
        mux.build_options(plan, None)


def test_empty_plan_has_no_track_order(backend: str) -> None:
    assert mux.build_options([], None, {"disable_track_statistics_tags": True}, "/c.xml", ["/f.ttf"]) == [
        "--chapters", "/c.xml", "--disable-track-statistics-tags", "--attach-file", "/f.ttf"]


def test_options_file_escapes(backend: str, tmp_path: Path) -> None:
    tokens = ["0:日本語 \"q\" back\\slash", "tab\tnl\ncr\rbs\bff\f", "\x00\x1b\x1f\x7f\u2028😀"]
    expected = ('["0:日本語 \\"q\\" back\\\\slash", "tab\\tnl\\ncr\\rbs\\bff\\f", '
                '"\\u0000\\u001b\\u001f\x7f\u2028😀"]')
    assert mux.serialise_options(tokens) == expected
    p = tmp_path / "opts.json"
    mux.write_options_file(tokens, p)
    data = p.read_bytes()
    assert data == expected.encode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf") and not data.endswith(b"\n")


def test_write_errors(backend: str, tmp_path: Path) -> None:
    with pytest.raises(mux.MuxError, match=r"^Failed to write mkvmerge options file: "):
        mux.write_options_file(["a"], tmp_path / "missing-dir" / "opts.json")
    with pytest.raises(mux.MuxError, match="not valid Unicode"):
        mux.write_options_file(["ok", "bad\ud800"], tmp_path / "opts.json")


def test_log_blocks() -> None:
    tokens = ["--output", "/o/é.mkv", "(", "/a b", ")"]
    assert mux.pretty_log_block(tokens) == (
        "--- mkvmerge options (pretty) ---\n--output \\\n  /o/é.mkv \\\n  ( \\\n  /a b \\\n  )\n"
        + "-" * 31)
    assert mux.json_log_block(tokens) == (
        '--- mkvmerge options (json) ---\n[\n  "--output",\n  "/o/é.mkv",\n  "(",\n  "/a b",\n  ")"\n]\n'
        + "-" * 31)


def test_settings_from_dict() -> None:
    assert mux.MuxSettings.from_settings({}) == mux.MuxSettings(False, True, False)
    assert mux.MuxSettings.from_settings({"disable_header_compression": False}).disable_header_compression is False
