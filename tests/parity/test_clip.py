"""Parity: the clip core (timestamps, ranges, plans, -progress fractions) in the Python reference and the
Rust port.

Hypothesis builds timestamp-like text from the characters the grammars use plus Unicode whitespace,
non-ASCII digits and letters; clip requests with odd names, URLs and codecs; and ffmpeg -progress blocks.
Tolerance: exact — equal values and byte-identical error messages (fractions: equal floats).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_core.clip.engine import PythonClipEngine, RustClipEngine
from vsg_core.clip.types import FORMS, ClipError, ClipRange, EncodeSettings

PY = PythonClipEngine()
RS = RustClipEngine()  # a missing extension must fail loudly, not skip

GRAMMAR = "0123456789:.,hmsHMSPTDptdY -\t\u00a0\u3000\u0661x"
ts_text = st.one_of(
    st.text(alphabet=GRAMMAR, max_size=14),
    st.text(max_size=8),
    st.builds(lambda h, m, s, f: f"{h}:{m:02d}:{s:02d}{f}", st.integers(0, 10**13), st.integers(0, 99),
              st.integers(0, 99), st.sampled_from(["", ".5", ".0005", ".123456", "."])),
    st.builds(lambda d, h: f"P{d}DT{h}H", st.integers(0, 10**12), st.integers(0, 10**12)),
    st.builds(lambda h, m, s: f"{h}h{m}m{s}s", st.integers(0, 10**12), st.integers(0, 10**12),
              st.integers(0, 10**12)),
)


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except ClipError as e:
        return ("err", str(e))


@given(ts_text)
@settings(max_examples=600, deadline=None)
def test_parse_timestamp(text: str) -> None:
    assert outcome(RS.parse_timestamp, text) == outcome(PY.parse_timestamp, text)


@given(st.integers(0, 100_000 * 3_600_000), st.sampled_from(FORMS))
@settings(max_examples=500, deadline=None)
def test_format_timestamp_round_trips(ms: int, form: str) -> None:
    text = PY.format_timestamp(ms, form)
    assert RS.format_timestamp(ms, form) == text
    assert PY.parse_timestamp(text).ms == ms
    assert RS.parse_timestamp(text).ms == ms


small_ts = st.one_of(st.none(), ts_text, st.builds(str, st.integers(0, 400)))


@given(ts_text, small_ts, small_ts, st.one_of(st.none(), st.integers(0, 10**9)))
@settings(max_examples=400, deadline=None)
def test_resolve_range(start: str, end: str | None, duration: str | None, media: int | None) -> None:
    assert outcome(RS.resolve_range, start, end, duration, media) == \
        outcome(PY.resolve_range, start, end, duration, media)


names = st.one_of(
    st.sampled_from(["in.mkv", "/a/b/My Film.MP4", "https://h/x/show.webm?sig=a/b#t=1", "https://h/", ".hidden",
                     "C:\\v\\a.mov", "a:b*c?.ts", "\u3000.mkv", "x\x01y.avi", "", " "]),
    st.text(max_size=12),
)
codec = st.sampled_from(["libx264", "libx265", "libvpx-vp9", "aac", "copy", "a b", "", "x;y", "libsvtav1"])


@given(names, st.one_of(st.none(), names), st.sampled_from(["", "out", "out/", "d\\"]),
       st.integers(0, 10**7), st.integers(0, 10**7), st.sampled_from(["copy", "accurate", "fast"]),
       codec, codec, st.sampled_from(["fast", "veryslow", "", "a b"]), st.integers(0, 70),
       st.integers(0, 10**9), st.lists(names, max_size=3))
@settings(max_examples=400, deadline=None)
def test_plan_clip(text, output, out_dir, a, b, mode, vc, ac, preset, crf, fs, taken) -> None:
    rng = ClipRange(a, b)
    st_ = EncodeSettings(vc, ac, preset, crf, fs)
    assert outcome(RS.plan_clip, text, output, out_dir, rng, mode, st_, taken) == \
        outcome(PY.plan_clip, text, output, out_dir, rng, mode, st_, taken)


@given(st.text(min_size=200, max_size=300), st.sampled_from([".mkv", ".MP4", "", ".webm"]),
       st.integers(0, 10**9), st.lists(st.text(max_size=3), max_size=3))
@settings(max_examples=200, deadline=None)
def test_output_name_of_long_inputs_fits_255_bytes(stem: str, ext: str, a: int, taken: list[str]) -> None:
    rng = ClipRange(a, a + 1500)
    py = PY.output_name(f"/x/{stem}{ext}", rng, taken)
    assert RS.output_name(f"/x/{stem}{ext}", rng, taken) == py
    assert len(py.encode("utf-8")) <= 255


def test_output_name_collisions() -> None:
    rng = ClipRange(90_000, 165_000)
    taken = ["a_clip_01-30_to_02-45.mkv", "a_clip_01-30_to_02-45_2.mkv"]
    for eng in (PY, RS):
        assert eng.output_name("/x/a.mkv", rng, taken) == "a_clip_01-30_to_02-45_3.mkv"


progress_line = st.one_of(
    st.builds(lambda v: f"out_time_us={v}", st.one_of(st.integers(-10**12, 10**13), st.just("N/A"))),
    st.builds(lambda v: f"out_time_ms={v}", st.integers(-10**6, 10**12)),
    st.builds(lambda h, m, s: f"out_time={h}:{m:02d}:{s:09.6f}", st.integers(0, 99), st.integers(0, 59),
              st.floats(0, 59.999999)),
    st.sampled_from(["progress=continue", "progress=end", "frame=12", "out_time=N/A", "speed= 1.2x",
                     " out_time_us = 5 ", "out_time=-00:00:01.000000", "out_time=1e1:00:00", "garbage",
                     "out_time_us=+5", "out_time=nan:00:00"]),
    st.text(max_size=10),
)


@given(st.lists(progress_line, max_size=8), st.sampled_from(["\n", "\r\n"]), st.integers(0, 10**7))
@settings(max_examples=400, deadline=None)
def test_progress_fraction(lines: list[str], sep: str, duration_ms: int) -> None:
    text = sep.join(lines)
    assert RS.progress_fraction(text, duration_ms) == PY.progress_fraction(text, duration_ms)


@pytest.mark.parametrize("text", ["1:30", "01:30:45.5", "90", "90.5", "1h30m45.5s", "90s", "2m", "PT1H30M"])
def test_every_form_agrees(text: str) -> None:
    assert RS.parse_timestamp(text) == PY.parse_timestamp(text)
