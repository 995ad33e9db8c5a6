"""Parity: the subtitle core of the Python reference and the Rust port (docs/subtitles.md).

Hypothesis mutates the hand-written corpus (byte flips, inserted structural fragments, deleted and
duplicated lines, truncation, other encodings) and generates files from structural pieces; both backends
parse, then run the same random sequence of operations and write, with and without a frame grid.

Tolerance: exact — the same outcome (identical event tuples, style names and output bytes) or the same
SubtitleError message. Neither backend may raise anything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsg_core.subtitles.engine import engine
from vsg_core.subtitles.errors import SubtitleError

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "subtitles"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".ass", ".ssa", ".srt", ".vtt"))
DATA = {p.name: p.read_bytes() for p in FILES}
PY, RS = engine("python"), engine("rust")

FRAGMENTS = [b"\n", b"\r\n", b"\r", b",", b":", b"-->", b" --> ", b"[Events]\n", b"[Script Info]\n",
             b"[V4+ Styles]\n", b"Format: Layer, Start, End, Style, Text\n", b"Format: Name, Fontsize\n",
             b"Format: Start, Style\n", b"Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,x\n",
             b"Comment: ", b"Style: Default,Arial,20\n", b"0:00:01.5", b"00:00:01,000", b"99:99:99.999",
             b"1234567890", b"{\\pos(1,2)\\fs20}", b"\\t(\\bord2)", b"WEBVTT\n", b"NOTE\n", b"\xef\xbb\xbf",
             b"\xff\xfe", b"\x81", b"\xe9", b"\xc3", b"\x00", b"\t", b" ", b"PlayResX: 0\n", b"PlayResY: 720\n",
             b".", b"-", b"e9", "\u00e9\u65e5".encode()]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    name = draw(st.sampled_from(sorted(DATA)))
    data = bytearray(DATA[name])
    fmt = draw(st.sampled_from([Path(name).suffix[1:]] * 4 + ["ass", "ssa", "srt", "vtt"]))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.integers(0, 4))
        pos = draw(st.integers(0, len(data)))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == 1:
            data[pos:pos] = draw(st.sampled_from(FRAGMENTS))
        elif op == 2:
            data[pos:pos + draw(st.integers(0, 40))] = b""
        elif op == 3:
            data = data[:pos]
        else:
            lines = bytes(data).split(b"\n")
            k = draw(st.integers(0, max(0, len(lines) - 1)))
            lines.insert(k, lines[k] if lines else b"")
            data = bytearray(b"\n".join(lines))
    return bytes(data), fmt


generated = st.tuples(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(b"".join),
                      st.sampled_from(["ass", "ssa", "srt", "vtt"]))

ops = st.lists(st.one_of(
    st.tuples(st.just("shift"), st.floats(-1e7, 1e7, allow_nan=False)),
    st.tuples(st.just("scale"), st.floats(-5e3, 5e3, allow_nan=False), st.floats(-100, 100, allow_nan=False)),
    st.tuples(st.just("edl"), st.lists(st.tuples(st.floats(0, 300, allow_nan=False),
                                                 st.floats(-5e3, 5e3, allow_nan=False),
                                                 st.floats(-1, 1, allow_nan=False)), min_size=0, max_size=4),
              st.sampled_from(["start", "midpoint", "majority", "bogus"])),
    st.tuples(st.just("fix"), st.booleans(), st.booleans(), st.booleans(), st.floats(0, 50, allow_nan=False),
              st.floats(0, 2000, allow_nan=False), st.floats(0, 40, allow_nan=False)),
    st.tuples(st.just("filter"), st.lists(st.sampled_from(["Default", "Sign - Board", "Kara", " x "]), max_size=2),
              st.sampled_from(["include", "exclude"])),
    st.tuples(st.just("font"), st.floats(0.1, 4, allow_nan=False)),
    st.tuples(st.just("patch"), st.sampled_from(["Default", "Kara", "None"]),
              st.sampled_from(["fontname", "Fontsize", "marginv", "nofield"]), st.sampled_from(["Arial", "33"])),
    st.tuples(st.just("rescale"), st.sampled_from([(1920, 1080), (640, 480), (1280, 720), (0, 5)])),
    st.tuples(st.just("to_ass")),
), max_size=4)


def _apply(doc: Any, op: tuple[Any, ...]) -> Any:
    kind = op[0]
    if kind == "shift":
        return doc.shift(op[1]), doc
    if kind == "scale":
        return doc.scale(op[1], op[2]), doc
    if kind == "edl":
        return doc.apply_edl(op[1], op[2]), doc
    if kind == "fix":
        return doc.fix_timing(*op[1:]), doc
    if kind == "filter":
        return doc.filter_styles(op[1], op[2]), doc
    if kind == "font":
        return doc.multiply_font_size(op[1]), doc
    if kind == "patch":
        return doc.patch_styles({op[1]: {op[2]: op[3]}}), doc
    if kind == "rescale":
        return doc.rescale(*op[1]), doc
    new = doc.to_ass()
    return None, new


def _outcome(eng: Any, data: bytes, fmt: str, seq: list[tuple[Any, ...]], grid: Any) -> list[Any]:
    trace: list[Any] = []
    try:
        doc = eng.parse(data, fmt)
        trace.append(("parsed", doc.encoding, doc.bom, doc.events(), doc.style_names()))
        for op in seq:
            try:
                res, doc = _apply(doc, op)
                trace.append(("op", res, doc.events()))
            except SubtitleError as e:
                trace.append(("op-error", str(e)))
        trace.append(("bytes", doc.to_bytes(grid)))
    except SubtitleError as e:
        trace.append(("error", str(e)))
    return trace


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(), generated), ops, st.sampled_from([None, (24000, 1001), (25, 1), (30000, 1001)]))
def test_same_outcome_on_random_and_mutated_files(case: tuple[bytes, str], seq: list[Any], grid: Any) -> None:
    data, fmt = case
    assert _outcome(PY, data, fmt, seq, grid) == _outcome(RS, data, fmt, seq, grid)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(DATA)))
def test_unmodified_files_round_trip_in_both(name: str) -> None:
    fmt = Path(name).suffix[1:]
    for eng in (PY, RS):
        assert eng.parse(DATA[name], fmt).to_bytes() == DATA[name]
