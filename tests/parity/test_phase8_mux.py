"""Parity: mkvmerge options from the Python reference and the Rust port (docs/pipeline.md#mkvmerge-options).

Hypothesis builds plans with every PlanItem flag, non-ASCII names, quotes, backslashes and control
characters, negative/positive container and source delays, External items with and without ``sync_to``,
preserved items and direct tracks (``source_path``: several tracks of one file, the same track twice);
both backends build the tokens and write ``opts.json``.

Tolerance: exact — identical token lists and byte-identical options files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vsg_core import backend, mux
from vsg_core.models import Delays, PlanItem, StreamProps, Track, TrackType
from vsg_core.mux import options as py_options
from vsg_core.mux import options_file as py_file

SOURCES = ["Source 1", "Source 2", "Source 3", "External"]
SPECIAL = ["", " ", "\t", "\x1c", "\u3000", "é", "日本語", '"', "\\", "\n", "\x00", "\x1f", "\x7f", "\u2028",
           "😀", "a b", "C:\\path\\x.ass", '0:"quoted"']
# Any Unicode text except lone surrogates (which cannot be written as UTF-8 by either backend).
free_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
text = st.one_of(st.sampled_from(SPECIAL), free_text,
                 st.lists(st.sampled_from(SPECIAL), max_size=4).map("".join))
codecs = st.sampled_from(["A_AC3", "A_EAC3", "a_eac3", "A_FLAC", "A_AAC", "V_MPEG4/ISO/AVC", "S_TEXT/ASS",
                          "S_TEXT/UTF8", "S_HDMV/PGS", "", "ac3x", "A_DTS"])
delay_ms = st.integers(-3_600_000, 3_600_000)


@st.composite
def plan_items(draw: st.DrawFn) -> PlanItem:
    props = StreamProps(draw(codecs), draw(st.one_of(st.sampled_from(["und", "eng", "jpn", ""]), text)),
                        draw(text))
    track = Track(draw(st.sampled_from(SOURCES)), draw(st.integers(0, 3) | st.integers(0, 2**32 - 1)),
                  draw(st.sampled_from(list(TrackType))), props,
                  draw(st.integers(-(2**31), 2**31 - 1)))
    path = draw(st.one_of(text.map(lambda t: "/tmp/" + t), st.just("/tmp/a.mkv"), st.none(), st.just("")))
    # a direct track (read from its source file; several items may share one file, even one track)
    source = draw(st.one_of(st.none(), st.sampled_from(["/src/one.mkv", "/src/two ünï.mkv", ""])))
    it = PlanItem(track, extracted_path=path, source_path=source)
    for flag in ("is_default", "is_forced_display", "apply_track_name", "convert_to_ass", "rescale",
                 "is_preserved", "is_corrected", "perform_ocr", "perform_ocr_cleanup", "stepping_adjusted",
                 "is_generated", "skip_frame_validation", "frame_adjusted"):
        setattr(it, flag, draw(st.booleans()))
    it.container_delay_ms = draw(st.integers(-(2**31), 2**31 - 1))
    it.sync_to = draw(st.one_of(st.none(), st.sampled_from([*SOURCES, "", "Source 9"])))
    it.custom_lang = draw(st.one_of(st.just(""), text))
    it.custom_name = draw(st.one_of(st.just(""), text))
    it.aspect_ratio = draw(st.one_of(st.none(), st.sampled_from(["16:9", "4:3", "", "2.39"])))
    it.size_multiplier = draw(st.floats(0.1, 4.0))
    return it


@st.composite
def delay_tables(draw: st.DrawFn) -> Delays:
    keys = draw(st.lists(st.sampled_from([*SOURCES[:3], "Source 9"]), unique=True, max_size=4))
    table = {k: draw(delay_ms) for k in keys}
    shift = draw(st.integers(0, 3_600_000))
    return Delays(table, {k: float(v) for k, v in table.items()}, shift, float(shift))


def _build(name: str, items: list[PlanItem], delays: Delays, ms: mux.MuxSettings, chapters: str | None,
           attachments: list[str], output: str | None) -> tuple[list[str] | None, str | None, bytes | None]:
    backend.set_backend(name)
    try:
        try:
            tokens = mux.build_options(items, delays, ms, chapters, attachments, output)
        except mux.MuxError as exc:
            return None, str(exc), None
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "opts.json"
            mux.write_options_file(tokens, path)
            return tokens, None, path.read_bytes()
    finally:
        backend.set_backend(None)


@given(st.lists(plan_items(), max_size=8), delay_tables(),
       st.builds(mux.MuxSettings, st.booleans(), st.booleans(), st.booleans()),
       st.one_of(st.none(), text), st.lists(text, max_size=3), st.one_of(st.none(), text))
@settings(max_examples=400, deadline=None)
def test_options_files_are_byte_identical(items: list[PlanItem], delays: Delays, ms: mux.MuxSettings,
                                          chapters: str | None, attachments: list[str],
                                          output: str | None) -> None:
    py = _build("python", items, delays, ms, chapters, attachments, output)
    rs = _build("rust", items, delays, ms, chapters, attachments, output)
    assert rs == py
    if py[0] is not None:  # the file is the JSON text of the tokens
        assert py[2] == py_file.serialise_options(py[0]).encode("utf-8")


@given(st.lists(plan_items(), min_size=1, max_size=6), delay_tables())
@settings(max_examples=200, deadline=None)
def test_all_items_have_paths_then_both_succeed(items: list[PlanItem], delays: Delays) -> None:
    for i, it in enumerate(items):
        it.extracted_path = f"/tmp/track_{i}.mkv"
        it.source_path = None
    py = _build("python", items, delays, mux.MuxSettings(), None, [], None)
    rs = _build("rust", items, delays, mux.MuxSettings(), None, [], None)
    assert py[0] is not None and rs == py
    # Track order covers exactly the muxed items (docs/pipeline.md#mkvmerge-options); no tracks (only preserved video)
    # → no track order.
    muxed = len(py_options.final_order(items))
    if muxed:
        assert py[0][-2:] == ["--track-order", ",".join(f"{i}:0" for i in range(muxed))]
    else:
        assert "--track-order" not in py[0]


@given(st.lists(st.one_of(text, free_text), max_size=10))
@settings(max_examples=400)
def test_serialisation_matches(tokens: list[str]) -> None:
    backend.set_backend("rust")
    try:
        rs = mux.serialise_options(tokens)
    finally:
        backend.set_backend(None)
    assert rs == py_file.serialise_options(tokens)
