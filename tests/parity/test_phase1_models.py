"""Parity: Phase 1 data types of vsg_core.models (Python reference) and vsg_core_rs (Rust).

Tolerance: exact equality. Enum member names and value strings are identical; any valid record written by one
side is read back by the other into an equal record, and the JSON data of both sides is identical with types
kept (an int stays an int, floats are bit-identical, -0.0 included); invalid data is rejected by both sides
with ValueError and, where the rule is ours (not the JSON parser's), the same message.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vsg_core_rs as rs
from vsg_core import models as py

RECORDS = ("StreamProps", "Track", "Attachment", "Delays", "PlanItem")
ENUMS = ("TrackType", "AnalysisMode", "SnapMode", "StepStatus", "CorrectionVerdict", "DiagnosisKind")
MAX = py.MAX_DELAY_MS


def same(a: Any, b: Any) -> bool:
    """Type-strict, exact equality of decoded JSON data (dict key order ignored)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return bool(a == b)


# ------------------------------------------------------------------------------------------------ enums


def rust_members(cls: type) -> dict[str, str]:
    return {n: getattr(cls, n).value for n in dir(cls) if n.isupper() and isinstance(getattr(cls, n), cls)}


@pytest.mark.parametrize("name", ENUMS)
def test_enum_names_and_values_are_identical(name: str) -> None:
    py_cls = getattr(py, name)
    rs_cls = getattr(rs, name)
    py_members = {m.name: m.value for m in py_cls}
    assert rust_members(rs_cls) == py_members
    for member_name, value in py_members.items():
        rs_member = rs_cls.from_value(value)
        assert rs_member == getattr(rs_cls, member_name)
        assert rs_member.name == member_name == py_cls.from_value(value).name
        assert str(rs_member) == str(py_cls.from_value(value)) == value


@given(st.sampled_from(ENUMS), st.text(max_size=20))
@settings(max_examples=200)
def test_enum_bad_values_give_the_same_error(name: str, value: str) -> None:
    py_cls = getattr(py, name)
    if value in {m.value for m in py_cls}:
        return
    with pytest.raises(ValueError) as py_err:
        py_cls.from_value(value)
    with pytest.raises(ValueError) as rs_err:
        getattr(rs, name).from_value(value)
    assert str(rs_err.value) == str(py_err.value)


def test_same_names_exported() -> None:
    for name in RECORDS + ENUMS:
        assert hasattr(rs, name), name
    assert rs.MAX_DELAY_MS == py.MAX_DELAY_MS == 3_600_000


# ------------------------------------------------------------------------------------------- strategies

# any Unicode text but lone surrogates (not encodable as UTF-8)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
U32 = st.integers(0, 2**32 - 1)
I32 = st.integers(-(2**31), 2**31 - 1)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
JSON_LEAF = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | FINITE | TEXT
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3), max_leaves=8
)
STYLE_LIST = st.lists(TEXT, max_size=4)
MODE = st.sampled_from(["exclude", "include"])
POSITIVE = st.floats(min_value=0, exclude_min=True, allow_infinity=False) | st.integers(1, 10**6)
STYLE_ATTRS = st.dictionaries(TEXT, JSON_VALUE, max_size=3)

PROPS = st.fixed_dictionaries(
    {"codec_id": TEXT},
    optional={
        "lang": TEXT,
        "name": TEXT,
        "audio_channels": st.none() | U32,
        "audio_sampling_frequency": st.none() | U32,
    },
)
TRACK = st.fixed_dictionaries(
    {"source": TEXT, "id": U32, "type": st.sampled_from(["video", "audio", "subtitles"]), "props": PROPS},
    optional={"container_delay_ms": I32},
)
ATTACHMENT = st.fixed_dictionaries({"id": U32, "file_name": TEXT}, optional={"out_path": st.none() | TEXT})

BOOL_FIELDS = (
    "is_default",
    "is_forced_display",
    "apply_track_name",
    "convert_to_ass",
    "rescale",
    "is_preserved",
    "is_corrected",
    "perform_ocr",
    "perform_ocr_cleanup",
    "stepping_adjusted",
    "is_generated",
    "generated_verify_only_lines_removed",
    "skip_frame_validation",
    "frame_adjusted",
)
OPT_STR_FIELDS = (
    "extracted_path",
    "user_modified_path",
    "sync_to",
    "correction_source",
    "aspect_ratio",
    "generated_source_path",
    "source_path",
)
PLAN_ITEM = st.fixed_dictionaries(
    {"track": TRACK},
    optional={
        **{f: st.booleans() for f in BOOL_FIELDS},
        **{f: st.none() | TEXT for f in OPT_STR_FIELDS},
        "size_multiplier": POSITIVE,
        "style_patch": st.none() | st.dictionaries(TEXT, STYLE_ATTRS, max_size=3),
        "container_delay_ms": I32,
        "custom_lang": TEXT,
        "custom_name": TEXT,
        "generated_source_track_id": st.none() | U32,
        "generated_filter_mode": MODE,
        "generated_filter_styles": STYLE_LIST,
        "generated_original_style_list": STYLE_LIST,
        "sync_exclusion_styles": STYLE_LIST,
        "sync_exclusion_mode": MODE,
        "sync_exclusion_original_style_list": STYLE_LIST,
        "framelocked_stats": st.none() | st.dictionaries(TEXT, JSON_VALUE, max_size=4),
    },
)
ROUNDED = st.integers(-MAX, MAX)
RAW = st.floats(-MAX, MAX, allow_nan=False) | st.integers(-MAX, MAX)  # JSON ints are read as floats


@st.composite
def delays_data(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(TEXT, unique=True, max_size=5))
    data: dict[str, Any] = {}
    if keys or draw(st.booleans()):
        data["source_delays_ms"] = {k: draw(ROUNDED) for k in keys}
        data["raw_source_delays_ms"] = {k: draw(RAW) for k in keys}
    if draw(st.booleans()):
        data["global_shift_ms"] = draw(st.integers(0, MAX))
    if draw(st.booleans()):
        data["raw_global_shift_ms"] = draw(st.floats(0, MAX) | st.integers(0, MAX))
    return data


VALID = {
    "StreamProps": PROPS,
    "Track": TRACK,
    "Attachment": ATTACHMENT,
    "Delays": delays_data(),
    "PlanItem": PLAN_ITEM,
}


# ----------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", RECORDS)
@given(data=st.data())
@settings(max_examples=200, deadline=None)
def test_valid_records_cross_round_trip(name: str, data: st.DataObject) -> None:
    raw = data.draw(VALID[name])
    py_cls, rs_cls = getattr(py, name), getattr(rs, name)
    py_obj, rs_obj = py_cls.from_dict(raw), rs_cls.from_dict(raw)

    # Both sides hold the same data, with the same types.
    assert same(py_obj.to_dict(), rs_obj.to_dict())
    assert same(json.loads(py_obj.to_json()), json.loads(rs_obj.to_json()))

    # Python writes -> Rust reads -> Rust writes -> Python reads.
    rs_from_py = rs_cls.from_json(py_obj.to_json())
    assert rs_from_py == rs_obj
    assert py_cls.from_json(rs_from_py.to_json()) == py_obj

    # Rust writes -> Python reads -> Python writes -> Rust reads.
    py_from_rs = py_cls.from_json(rs_obj.to_json())
    assert py_from_rs == py_obj
    assert rs_cls.from_json(py_from_rs.to_json()) == rs_obj
    assert same(py_from_rs.to_dict(), rs_obj.to_dict())


@given(PLAN_ITEM)
@settings(max_examples=100, deadline=None)
def test_plan_item_fields_read_the_same(raw: dict[str, Any]) -> None:
    py_item, rs_item = py.PlanItem.from_dict(raw), rs.PlanItem.from_dict(raw)
    for field in raw:
        if field == "track":
            assert same(py_item.track.to_dict(), rs_item.track.to_dict())
        else:
            assert same(getattr(py_item, field), getattr(rs_item, field)), field


@given(delays_data())
@settings(max_examples=100, deadline=None)
def test_delays_constructors_and_lookups_agree(raw: dict[str, Any]) -> None:
    args = (
        raw.get("source_delays_ms", {}),
        raw.get("raw_source_delays_ms", {}),
        raw.get("global_shift_ms", 0),
        raw.get("raw_global_shift_ms", 0.0),
    )
    py_d, rs_d = py.Delays(*args), rs.Delays(*args)
    assert same(py_d.to_dict(), rs_d.to_dict())
    for key in args[0]:
        assert same(py_d.delay_for(key), rs_d.delay_for(key))
        assert same(py_d.raw_delay_for(key), rs_d.raw_delay_for(key))


# -------------------------------------------------------------------------------------------- rejections


def both_reject(name: str, data: Any) -> str:
    """Both sides raise ValueError from from_dict; returns the (identical) message."""
    with pytest.raises(ValueError) as py_err:
        getattr(py, name).from_dict(data)
    with pytest.raises(ValueError) as rs_err:
        getattr(rs, name).from_dict(data)
    assert str(rs_err.value) == str(py_err.value)
    return str(py_err.value)


TRACK_OK = {"source": "Source 2", "id": 1, "type": "audio", "props": {"codec_id": "A_AAC"}}
T = TRACK_OK


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "Delays",
            {"source_delays_ms": {"Source 2": 5}, "raw_source_delays_ms": {"Source 3": 5.0}},
            "Delays: source_delays_ms and raw_source_delays_ms must have the same source keys; "
            "only in source_delays_ms: 'Source 2'; only in raw_source_delays_ms: 'Source 3'",
        ),
        ("Delays", {"global_shift_ms": -1}, "Delays.global_shift_ms: must be >= 0, got -1"),
        ("Delays", {"raw_global_shift_ms": -1e-300}, "Delays.raw_global_shift_ms: must be >= 0, got -1e-300"),
        ("Delays", {"global_shift_ms": 2.0}, "Delays.global_shift_ms: expected an integer, got number"),
        (
            "Delays",
            {"source_delays_ms": []},
            "Delays.source_delays_ms: expected an object mapping source keys",
        ),
        (
            "Track",
            {**T, "type": "Audio"},
            "Track.type: invalid TrackType value 'Audio': valid values are 'video', 'audio', 'subtitles'",
        ),
        ("Track", {**T, "type": 1}, "Track.type: expected a TrackType or its value string, got integer"),
        ("Track", {**T, "id": True}, "Track.id: expected an integer, got boolean"),
        ("Track", {**T, "id": 2**32}, "Track.id: expected an integer in 0..=4294967295, got 4294967296"),
        ("Track", {**T, "props": {}}, "Track.props: StreamProps: missing required key 'codec_id'"),
        ("Track", {**T, "Source": "x"}, "Track: unknown key(s) 'Source'; valid keys: 'source'"),
        ("Track", [TRACK_OK], "Track: expected a JSON object, got array"),
        (
            "StreamProps",
            {"codec_id": "A", "audio_channels": -2},
            "StreamProps.audio_channels: expected an integer",
        ),
        ("StreamProps", {"codec_id": None}, "StreamProps.codec_id: expected a string, got null"),
        ("StreamProps", {"codec_id": "A", 3: "x"}, "StreamProps: keys must be strings, got integer"),
        ("Attachment", {"id": 1}, "Attachment: missing required key 'file_name'"),
        ("Attachment", {"id": 1, "file_name": "a", "path": "b"}, "Attachment: unknown key(s) 'path'"),
        ("PlanItem", {"track": T, "size_multiplier": 0.0}, "PlanItem.size_multiplier: must be a finite"),
        ("PlanItem", {"track": T, "sync_exclusion_mode": "both"}, "PlanItem.sync_exclusion_mode: must be"),
        ("PlanItem", {"track": T, "is_default": None}, "PlanItem.is_default: expected a boolean, got null"),
        ("PlanItem", {"track": T, "style_patch": "x"}, "PlanItem.style_patch: expected an object or null"),
        ("PlanItem", {"track": T, "style_patch": {"A": {"b": float("nan")}}}, "PlanItem.style_patch.A.b: "),
        ("PlanItem", {"track": T, "framelocked_stats": {"n": 2**64}}, "PlanItem.framelocked_stats.n: "),
        ("PlanItem", {"track": {**T, "type": "sub"}}, "PlanItem.track: Track.type: invalid TrackType"),
        ("PlanItem", {"track": T, "frameadjusted": True}, "PlanItem: unknown key(s) 'frameadjusted'"),
    ],
)
def test_invalid_data_rejected_by_both(name: str, data: Any, message: str) -> None:
    assert both_reject(name, data).startswith(message)


@pytest.mark.parametrize("name", RECORDS)
def test_invalid_json_text_rejected_by_both(name: str) -> None:
    for text in ("{", '{"a":NaN}', "[1,]", ""):
        with pytest.raises(ValueError, match=rf"^{name}: invalid JSON: "):
            getattr(py, name).from_json(text)
        with pytest.raises(ValueError, match=rf"^{name}: invalid JSON: "):
            getattr(rs, name).from_json(text)


@given(
    st.lists(TEXT, unique=True, max_size=4),
    st.lists(TEXT, unique=True, max_size=4),
)
@settings(max_examples=200)
def test_mismatched_delay_keys_rejected_by_both(a: list[str], b: list[str]) -> None:
    data = {"source_delays_ms": dict.fromkeys(a, 0), "raw_source_delays_ms": dict.fromkeys(b, 0.0)}
    if set(a) == set(b):
        assert py.Delays.from_dict(data) == py.Delays.from_dict(data)
        assert rs.Delays.from_dict(data) == rs.Delays.from_dict(data)
        return
    message = both_reject("Delays", data)
    assert message.startswith("Delays: source_delays_ms and raw_source_delays_ms must have the same")
    # The constructors enforce the same invariant with the same message.
    with pytest.raises(ValueError) as py_err:
        py.Delays(data["source_delays_ms"], data["raw_source_delays_ms"])
    with pytest.raises(ValueError) as rs_err:
        rs.Delays(data["source_delays_ms"], data["raw_source_delays_ms"])
    assert str(py_err.value) == str(rs_err.value) == message


BAD_SHIFT = st.integers(-(2**62), -1) | st.integers(MAX + 1, 2**62)
BAD_RAW_SHIFT = (
    st.floats(max_value=-1e-320) | st.floats(min_value=MAX, exclude_min=True) | st.just(float("nan"))
)
BAD_RAW_DELAY = st.floats(min_value=MAX, exclude_min=True) | st.floats(max_value=-MAX, exclude_max=True)
BAD_DELAY = st.integers(MAX + 1, 2**62) | st.integers(-(2**62), -MAX - 1)


@given(BAD_SHIFT, BAD_RAW_SHIFT, BAD_RAW_DELAY, BAD_DELAY)
@settings(max_examples=200)
def test_bad_shifts_and_delays_rejected_by_both(
    shift: int, raw_shift: float, raw: float, rounded: int
) -> None:
    # Float messages print the value: this also checks that Rust formats floats exactly like repr().
    bad_rounded = {"source_delays_ms": {"Source 2": rounded}, "raw_source_delays_ms": {"Source 2": 0.0}}
    bad_raw = {"source_delays_ms": {"Source 2": 0}, "raw_source_delays_ms": {"Source 2": raw}}
    both_reject("Delays", {"global_shift_ms": shift})
    both_reject("Delays", bad_rounded)
    both_reject("Delays", bad_raw)
    if raw_shift == raw_shift:  # NaN cannot be written as JSON data; the constructors check it below
        both_reject("Delays", {"raw_global_shift_ms": raw_shift})
    for args in ({"global_shift_ms": shift}, {"raw_global_shift_ms": raw_shift}, bad_rounded, bad_raw):
        with pytest.raises(ValueError) as py_err:
            py.Delays(**args)
        with pytest.raises(ValueError) as rs_err:
            rs.Delays(**args)
        assert str(rs_err.value) == str(py_err.value)


@given(st.sampled_from(RECORDS), st.data())
@settings(max_examples=200, deadline=None)
def test_unknown_keys_rejected_by_both(name: str, data: st.DataObject) -> None:
    raw = dict(data.draw(VALID[name]))
    valid_keys = set(getattr(py, name).from_dict(raw).to_dict())  # to_dict always holds every key
    extra = data.draw(TEXT.filter(lambda k: k not in valid_keys))
    raw[extra] = data.draw(JSON_LEAF)
    assert both_reject(name, raw).startswith(f"{name}: unknown key(s) '{extra}'; valid keys: ")


@given(st.text(max_size=12).filter(lambda s: s not in ("video", "audio", "subtitles")))
@settings(max_examples=100)
def test_bad_track_type_rejected_by_both(value: str) -> None:
    message = both_reject("Track", {**T, "type": value})
    assert message.startswith(f"Track.type: invalid TrackType value '{value}'")
    with pytest.raises(ValueError):
        py.Track("Source 1", 1, value, py.StreamProps("A"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rs.Track("Source 1", 1, value, rs.StreamProps("A"))


def test_plan_item_setters_reject_the_same_values() -> None:
    track = TRACK_OK
    py_item = py.PlanItem.from_dict({"track": track})
    rs_item = rs.PlanItem.from_dict({"track": track})
    bad = [
        ("size_multiplier", -1.0),
        ("size_multiplier", float("inf")),
        ("generated_filter_mode", "Include"),
        ("sync_exclusion_mode", ""),
        ("container_delay_ms", 2**31),
        ("generated_source_track_id", -1),
        ("style_patch", {"Default": {"x": float("-inf")}}),
        ("framelocked_stats", {"k": {1, 2}}),
    ]
    for field, value in bad:
        with pytest.raises(ValueError) as py_err:
            setattr(py_item, field, value)
        with pytest.raises(ValueError) as rs_err:
            setattr(rs_item, field, value)
        assert str(rs_err.value) == str(py_err.value), field
    assert same(py_item.to_dict(), rs_item.to_dict())  # rejected assignments changed nothing
