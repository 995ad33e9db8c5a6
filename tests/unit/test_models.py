"""Phase 1 data types, Python reference (vsg_core.models): defaults, invariants and their messages, JSON.

Expected values are written out by hand from docs/pipeline.md#data-model.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle

import pytest

from vsg_core.models import (
    ALL_ENUMS,
    AnalysisMode,
    Attachment,
    CorrectionVerdict,
    Delays,
    DiagnosisKind,
    PlanItem,
    SnapMode,
    StepStatus,
    StreamProps,
    Track,
    TrackType,
)

# ----------------------------------------------------------------------------------------------- enums


def test_enum_members_and_values() -> None:
    expected = {
        TrackType: {"VIDEO": "video", "AUDIO": "audio", "SUBTITLES": "subtitles"},
        AnalysisMode: {"AUDIO": "Audio Correlation", "VIDEO": "VideoDiff"},
        SnapMode: {"PREVIOUS": "previous", "NEAREST": "nearest"},
        StepStatus: {
            "PENDING": "pending",
            "RUNNING": "running",
            "SUCCESS": "success",
            "WARNING": "warning",
            "SKIPPED": "skipped",
            "FAILED": "failed",
        },
        CorrectionVerdict: {"UNIFORM": "uniform", "STEPPED": "stepped", "FAILED": "failed"},
        DiagnosisKind: {
            "UNIFORM": "UNIFORM",
            "STEPPING": "STEPPING",
            "PAL_DRIFT": "PAL_DRIFT",
            "LINEAR_DRIFT": "LINEAR_DRIFT",
            "INSUFFICIENT_DATA": "INSUFFICIENT_DATA",
            "NO_MATCH": "NO_MATCH",
        },
    }
    assert set(ALL_ENUMS) == set(expected)
    for cls, members in expected.items():
        assert {m.name: m.value for m in cls} == members
        for name, value in members.items():
            member = cls.from_value(value)
            assert member is cls[name]
            assert str(member) == value
            assert member == value  # str enum: compares equal to its value string


def test_enum_from_value_error_lists_valid_values() -> None:
    with pytest.raises(ValueError) as err:
        AnalysisMode.from_value("audio")
    assert str(err.value) == (
        "invalid AnalysisMode value 'audio': valid values are 'Audio Correlation', 'VideoDiff'"
    )
    with pytest.raises(TypeError, match="expected a string, got integer"):
        SnapMode.from_value(1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- media records


def test_media_defaults() -> None:
    props = StreamProps("A_AAC")
    assert (props.lang, props.name, props.audio_channels, props.audio_sampling_frequency) == (
        "und",
        "",
        None,
        None,
    )
    track = Track("Source 1", 1, TrackType.AUDIO, props)
    assert track.container_delay_ms == 0
    assert Attachment(4, "font.otf").out_path is None


def test_media_records_are_frozen_and_hashable() -> None:
    track = Track("Source 1", 1, TrackType.AUDIO, StreamProps("A_AAC"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        track.id = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        track.props.lang = "eng"  # type: ignore[misc]
    same = Track("Source 1", 1, TrackType.AUDIO, StreamProps("A_AAC"))
    assert track == same and hash(track) == hash(same)
    assert len({track, same, dataclasses.replace(track, id=2)}) == 2


def test_track_type_accepts_value_string_and_rejects_others() -> None:
    track = Track("Source 2", 3, "subtitles", StreamProps("S_TEXT/UTF8"))  # type: ignore[arg-type]
    assert track.type is TrackType.SUBTITLES
    with pytest.raises(ValueError) as err:
        Track("Source 2", 3, "subs", StreamProps("S_TEXT/UTF8"))  # type: ignore[arg-type]
    assert str(err.value) == (
        "Track.type: invalid TrackType value 'subs': valid values are 'video', 'audio', 'subtitles'"
    )
    with pytest.raises(TypeError, match=r"^Track\.props: expected a StreamProps, got object$"):
        Track("Source 2", 3, TrackType.AUDIO, {"codec_id": "A_AAC"})  # type: ignore[arg-type]


def test_track_id_and_container_delay_ranges() -> None:
    props = StreamProps("V_MPEG4/ISO/AVC")
    assert Track("Source 1", 2**32 - 1, TrackType.VIDEO, props).id == 4294967295
    for bad in (-1, 2**32):
        with pytest.raises(ValueError) as err:
            Track("Source 1", bad, TrackType.VIDEO, props)
        assert str(err.value) == f"Track.id: expected an integer in 0..=4294967295, got {bad}"
    # container delays are signed (e.g. a negative audio delay inside the source container)
    assert Track("Source 1", 1, TrackType.AUDIO, props, container_delay_ms=-(2**31)).container_delay_ms == -(
        2**31
    )
    with pytest.raises(ValueError, match=r"-2147483648\.\.=2147483647, got 2147483648$"):
        Track("Source 1", 1, TrackType.AUDIO, props, container_delay_ms=2**31)
    with pytest.raises(TypeError, match=r"^Track\.id: expected an integer, got boolean$"):
        Track("Source 1", True, TrackType.AUDIO, props)


def test_track_json_is_compact_utf8_with_negative_delay() -> None:
    props = StreamProps("A_AC3", "jpn", "日本語 5.1 — コメンタリー", 6, 48000)
    track = Track("Source 2", 2, TrackType.AUDIO, props, container_delay_ms=-24)
    expected = (
        '{"source":"Source 2","id":2,"type":"audio","props":{"codec_id":"A_AC3","lang":"jpn",'
        '"name":"日本語 5.1 — コメンタリー","audio_channels":6,"audio_sampling_frequency":48000},'
        '"container_delay_ms":-24}'
    )
    assert track.to_json() == expected
    assert Track.from_json(expected) == track
    assert Track.from_dict(track.to_dict()) == track


def test_media_missing_optional_keys_take_defaults() -> None:
    track = Track.from_json(
        '{"source":"External","id":0,"type":"subtitles","props":{"codec_id":"S_TEXT/ASS"}}'
    )
    assert track == Track("External", 0, TrackType.SUBTITLES, StreamProps("S_TEXT/ASS", "und", ""), 0)
    assert Attachment.from_json('{"id":7,"file_name":"Ünïcode Sans.ttf"}') == Attachment(
        7, "Ünïcode Sans.ttf"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"source":"S","id":"1","type":"audio","props":{"codec_id":"A"}}',
            "Track.id: expected an integer, got string",
        ),
        (
            '{"source":"S","id":1.0,"type":"audio","props":{"codec_id":"A"}}',
            "Track.id: expected an integer, got number",
        ),
        (
            '{"source":"S","id":1,"type":"sound","props":{"codec_id":"A"}}',
            "Track.type: invalid TrackType value 'sound': valid values are 'video', 'audio', 'subtitles'",
        ),
        (
            '{"source":"S","id":1,"type":"audio","props":{"codec_id":"A","lang":null}}',
            "Track.props: StreamProps.lang: expected a string, got null",
        ),
        (
            '{"source":"S","id":1,"type":"audio","props":{"codec_id":"A"},"delay":3,"codec":"x"}',
            "Track: unknown key(s) 'codec', 'delay'; valid keys: 'source', 'id', 'type', 'props', "
            "'container_delay_ms'",
        ),
        ('{"id":1,"type":"audio","props":{"codec_id":"A"}}', "Track: missing required key 'source'"),
        ('["Source 1"]', "Track: expected a JSON object, got array"),
    ],
)
def test_track_json_errors_name_the_field(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        Track.from_json(text)
    assert str(err.value) == message


def test_attachment_round_trip_and_errors() -> None:
    att = Attachment(1, "フォント.ttf", "/tmp/vsg/att/フォント.ttf")
    assert Attachment.from_json(att.to_json()) == att
    with pytest.raises(ValueError, match=r"^Attachment\.out_path: expected a string, got integer$"):
        Attachment.from_dict({"id": 1, "file_name": "a.ttf", "out_path": 3})
    with pytest.raises(ValueError, match=r"^Attachment: invalid JSON: "):
        Attachment.from_json("{'id': 1}")


# ---------------------------------------------------------------------------------------------- Delays


def _delays() -> Delays:
    return Delays(
        {"Source 1": 120, "Source 2": -880, "Source 3": 1121},
        {"Source 1": 120.0, "Source 2": -880.4, "Source 3": 1120.5},
        global_shift_ms=120,
        raw_global_shift_ms=119.6,
    )


def test_delays_empty_and_lookup() -> None:
    empty = Delays.empty()
    assert empty == Delays() and empty.to_dict() == {
        "source_delays_ms": {},
        "raw_source_delays_ms": {},
        "global_shift_ms": 0,
        "raw_global_shift_ms": 0.0,
    }
    d = _delays()
    assert d.delay_for("Source 2") == -880
    assert d.raw_delay_for("Source 3") == 1120.5
    with pytest.raises(KeyError) as err:
        d.delay_for("Source 4")
    assert (
        err.value.args[0]
        == "no delay for source 'Source 4'; known sources: 'Source 1', 'Source 2', 'Source 3'"
    )
    with pytest.raises(KeyError) as err:
        empty.raw_delay_for("Source 1")
    assert err.value.args[0] == "no delay for source 'Source 1'; known sources: none"


def test_delays_are_immutable_and_copyable() -> None:
    d = _delays()
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.global_shift_ms = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.source_delays_ms["Source 9"] = 5  # type: ignore[index]
    source = {"Source 1": 1}
    raw = {"Source 1": 1.0}
    held = Delays(source, raw)
    source["Source 1"] = 99  # the record keeps its own copy
    assert held.delay_for("Source 1") == 1
    assert copy.deepcopy(d) == d and pickle.loads(pickle.dumps(d)) == d
    assert isinstance(Delays({"S": 1}, {"S": 1}).raw_delay_for("S"), float)  # int raw value stored as float


def test_delays_key_sets_must_match() -> None:
    with pytest.raises(ValueError) as err:
        Delays({"Source 1": 0, "Source 3": 5}, {"Source 1": 0.0, "Source 2": 5.0})
    assert str(err.value) == (
        "Delays: source_delays_ms and raw_source_delays_ms must have the same source keys; "
        "only in source_delays_ms: 'Source 3'; only in raw_source_delays_ms: 'Source 2'"
    )
    with pytest.raises(ValueError) as err:
        Delays.from_json('{"raw_source_delays_ms":{"Source 2":5.5}}')
    assert str(err.value) == (
        "Delays: source_delays_ms and raw_source_delays_ms must have the same source keys; "
        "only in raw_source_delays_ms: 'Source 2'"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"global_shift_ms": -1}, "Delays.global_shift_ms: must be >= 0, got -1"),
        ({"raw_global_shift_ms": -0.5}, "Delays.raw_global_shift_ms: must be >= 0, got -0.5"),
        (
            {"global_shift_ms": 3_600_001},
            "Delays.global_shift_ms: |delay| must be <= 3600000 ms, got 3600001",
        ),
        (
            {"source_delays_ms": {"Source 2": -3_600_001}, "raw_source_delays_ms": {"Source 2": 0.0}},
            "Delays.source_delays_ms['Source 2']: |delay| must be <= 3600000 ms, got -3600001",
        ),
        (
            {"source_delays_ms": {"Source 2": 0}, "raw_source_delays_ms": {"Source 2": 3600000.5}},
            "Delays.raw_source_delays_ms['Source 2']: |delay| must be <= 3600000 ms, got 3600000.5",
        ),
        (
            {"source_delays_ms": {"Source 2": 0}, "raw_source_delays_ms": {"Source 2": math.nan}},
            "Delays.raw_source_delays_ms['Source 2']: delay must be finite, got nan",
        ),
        ({"raw_global_shift_ms": math.inf}, "Delays.raw_global_shift_ms: delay must be finite, got inf"),
    ],
)
def test_delays_value_rules(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:
        Delays(**kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_delays_bounds_are_inclusive() -> None:
    d = Delays({"Source 2": -3_600_000}, {"Source 2": -3_600_000.0}, 3_600_000, 3_600_000.0)
    assert d.delay_for("Source 2") == -3_600_000


def test_delays_json_round_trip_and_strictness() -> None:
    d = _delays()
    text = d.to_json()
    assert text == (
        '{"source_delays_ms":{"Source 1":120,"Source 2":-880,"Source 3":1121},'
        '"raw_source_delays_ms":{"Source 1":120.0,"Source 2":-880.4,"Source 3":1120.5},'
        '"global_shift_ms":120,"raw_global_shift_ms":119.6}'
    )
    assert Delays.from_json(text) == d
    assert Delays.from_json("{}") == Delays.empty()
    with pytest.raises(ValueError, match=r"^Delays: invalid JSON: NaN is not valid JSON$"):
        Delays.from_json('{"source_delays_ms":{"S":0},"raw_source_delays_ms":{"S":NaN}}')
    with pytest.raises(ValueError, match=r"^Delays\.global_shift_ms: expected an integer, got number$"):
        Delays.from_json('{"global_shift_ms":1.5}')
    with pytest.raises(
        ValueError, match=r"^Delays\.source_delays_ms\['S'\]: expected an integer, got boolean$"
    ):
        Delays.from_dict({"source_delays_ms": {"S": True}, "raw_source_delays_ms": {"S": 1.0}})
    with pytest.raises(ValueError, match=r"^Delays: unknown key\(s\) 'delays'; valid keys: "):
        Delays.from_dict({"delays": {}})


# -------------------------------------------------------------------------------------------- PlanItem


def _sub_track() -> Track:
    return Track("External", 0, TrackType.SUBTITLES, StreamProps("S_TEXT/ASS", "eng", "Signs & Songs"))


def test_plan_item_defaults_match_the_spec_table() -> None:
    item = PlanItem(_sub_track())
    expected = {
        "extracted_path": None,
        "is_default": False,
        "is_forced_display": False,
        "apply_track_name": False,
        "convert_to_ass": False,
        "rescale": False,
        "size_multiplier": 1.0,
        "style_patch": None,
        "user_modified_path": None,
        "sync_to": None,
        "is_preserved": False,
        "is_corrected": False,
        "correction_source": None,
        "perform_ocr": False,
        "perform_ocr_cleanup": False,
        "container_delay_ms": 0,
        "custom_lang": "",
        "custom_name": "",
        "aspect_ratio": None,
        "stepping_adjusted": False,
        "is_generated": False,
        "generated_source_track_id": None,
        "generated_source_path": None,
        "generated_filter_mode": "exclude",
        "generated_filter_styles": [],
        "generated_original_style_list": [],
        "generated_verify_only_lines_removed": True,
        "skip_frame_validation": False,
        "sync_exclusion_styles": [],
        "sync_exclusion_mode": "exclude",
        "sync_exclusion_original_style_list": [],
        "frame_adjusted": False,
        "framelocked_stats": None,
        "source_path": None,  # vsg: a track read straight from its source file (docs/mux.md)
    }
    data = item.to_dict()
    assert list(data) == ["track", *expected]  # JSON keys in field order
    assert {k: v for k, v in data.items() if k != "track"} == expected
    assert PlanItem.from_dict({"track": _sub_track().to_dict()}) == item
    # default lists are not shared between items
    other = PlanItem(_sub_track())
    item.generated_filter_styles = ["Signs"]
    assert other.generated_filter_styles == []


def test_plan_item_assignment_is_checked() -> None:
    item = PlanItem(_sub_track())
    with pytest.raises(ValueError) as err:
        item.size_multiplier = 0
    assert str(err.value) == "PlanItem.size_multiplier: must be a finite number > 0, got 0.0"
    for bad in (-1.5, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"^PlanItem\.size_multiplier: must be a finite number > 0"):
            item.size_multiplier = bad
    assert item.size_multiplier == 1.0
    item.size_multiplier = 2
    assert item.size_multiplier == 2.0 and isinstance(item.size_multiplier, float)
    with pytest.raises(ValueError) as err:
        item.sync_exclusion_mode = "only"
    assert str(err.value) == "PlanItem.sync_exclusion_mode: must be 'exclude' or 'include', got 'only'"
    with pytest.raises(ValueError, match=r"^PlanItem\.generated_filter_mode: must be 'exclude' or 'include'"):
        PlanItem(_sub_track(), generated_filter_mode="Exclude")
    with pytest.raises(TypeError, match=r"^PlanItem\.is_default: expected a boolean, got integer$"):
        item.is_default = 1  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"^PlanItem\.track: expected a Track, got StreamProps$"):
        item.track = StreamProps("A_AAC")  # type: ignore[assignment]
    with pytest.raises(
        ValueError, match=r"^PlanItem\.style_patch\.Default\.outline: tuple is not a JSON value$"
    ):
        item.style_patch = {"Default": {"outline": (1, 2)}}
    with pytest.raises(ValueError, match=r"not finite; JSON has no NaN/Infinity$"):
        item.framelocked_stats = {"max_shift_ms": math.nan}
    with pytest.raises(AttributeError):
        item.frame_adjustd = True  # type: ignore[attr-defined]
    item.container_delay_ms = -1001  # signed
    assert item.container_delay_ms == -1001


def test_plan_item_copies_assigned_containers() -> None:
    item = PlanItem(_sub_track())
    styles = ["Signs"]
    patch = {"Default": {"fontsize": 42.5}}
    item.sync_exclusion_styles = styles
    item.style_patch = patch
    styles.append("Karaoke")
    patch["Default"]["fontsize"] = 10
    assert item.sync_exclusion_styles == ["Signs"]
    assert item.style_patch == {"Default": {"fontsize": 42.5}}


def _full_item() -> PlanItem:
    return PlanItem(
        track=Track(
            "Source 3", 5, TrackType.AUDIO, StreamProps("A_FLAC", "deu", "Kommentar — Ü", 2, 44100), -7
        ),
        extracted_path="/tmp/vsg/Source 3/5 — ëxtract.flac",
        is_default=True,
        is_forced_display=True,
        apply_track_name=True,
        convert_to_ass=True,
        rescale=True,
        size_multiplier=1.25,
        style_patch={"Default": {"fontsize": 42.5, "bold": True, "outline": [1, 2.5, None], "name": "Ärial"}},
        user_modified_path="/tmp/edit.ass",
        sync_to="Source 2",
        is_preserved=True,
        is_corrected=True,
        correction_source="Source 3",
        perform_ocr=True,
        perform_ocr_cleanup=True,
        container_delay_ms=-1001,
        custom_lang="fra",
        custom_name="Français — 字幕",
        aspect_ratio="16:9",
        stepping_adjusted=True,
        is_generated=True,
        generated_source_track_id=2**32 - 1,
        generated_source_path="/media/ep01.mkv",
        generated_filter_mode="include",
        generated_filter_styles=["Signs", "Song — OP"],
        generated_original_style_list=["Default", "Signs", "Song — OP"],
        generated_verify_only_lines_removed=False,
        skip_frame_validation=True,
        sync_exclusion_styles=["Signs"],
        sync_exclusion_mode="include",
        sync_exclusion_original_style_list=["Default", "Signs"],
        frame_adjusted=True,
        framelocked_stats={"moved": 3, "max_shift_ms": -41.7, "per_style": {"Default": [1, 2]}},
    )


def test_plan_item_json_round_trip_with_every_field_set() -> None:
    item = _full_item()
    text = item.to_json()
    assert "\\u" not in text and "Français — 字幕" in text  # UTF-8, not ASCII-escaped
    assert ", " not in text and '": ' not in text  # compact separators
    back = PlanItem.from_json(text)
    assert back == item
    assert json.loads(text) == item.to_dict()
    assert copy.deepcopy(item) == item and pickle.loads(pickle.dumps(item)) == item


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"size_multiplier": -2}, "PlanItem.size_multiplier: must be a finite number > 0, got -2.0"),
        (
            {"generated_filter_styles": ["a", 1]},
            "PlanItem.generated_filter_styles[1]: expected a string, got integer",
        ),
        ({"style_patch": []}, "PlanItem.style_patch: expected an object or null, got array"),
        ({"container_delay_ms": "5"}, "PlanItem.container_delay_ms: expected an integer, got string"),
        (
            {"generated_source_track_id": -1},
            "PlanItem.generated_source_track_id: expected an integer in 0..=4294967295, got -1",
        ),
        (
            {"track": {"source": "S", "id": 1, "type": "audio"}},
            "PlanItem.track: Track: missing required key 'props'",
        ),
        ({"frame_adjustd": True}, "PlanItem: unknown key(s) 'frame_adjustd'; valid keys: 'track', "),
    ],
)
def test_plan_item_json_errors_name_the_field(patch: dict[str, object], message: str) -> None:
    data = {"track": _sub_track().to_dict(), **patch}
    with pytest.raises(ValueError) as err:
        PlanItem.from_dict(data)
    assert str(err.value).startswith(message)
    with pytest.raises(ValueError, match=r"^PlanItem: missing required key 'track'$"):
        PlanItem.from_json('{"is_default":true}')
