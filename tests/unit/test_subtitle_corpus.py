"""Round trip of the hand-written corpus (tests/fixtures/subtitles): every file is written back byte for byte
by both backends, parsed as expected (encoding, BOM, events), and a shifted file moves exactly the times."""

from __future__ import annotations

from pathlib import Path

import pytest

from vsg_core.subtitles.engine import engine
from vsg_core.subtitles.errors import SubtitleError

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "subtitles"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".ass", ".ssa", ".srt", ".vtt"))
BACKENDS = ("python", "rust")

# file → (encoding, bom, number of events, first event start ms)
EXPECTED = {
    "aegisub_full_bom_crlf.ass": ("utf-8", True, 8, 0.0),
    "aegisub_full_lf.ass": ("utf-8", False, 8, 0.0),
    "aegisub_cr_only.ass": ("utf-8", False, 8, 0.0),
    "ass_utf16le_bom.ass": ("utf-16-le", True, 8, 0.0),
    "ass_utf16be_bom.ass": ("utf-16-be", True, 8, 0.0),
    "ass_cp1252.ass": ("cp1252", False, 2, 1000.0),
    "ass_latin1_undefined_byte.ass": ("latin-1", False, 2, 1000.0),
    "ass_shift_jis.ass": ("latin-1", False, 2, 1000.0),
    "ass_odd_fractions.ass": ("utf-8", False, 4, 1500.0),
    "ass_long_hours.ass": ("utf-8", False, 2, 35999990.0),
    "ass_other_event_kinds.ass": ("utf-8", False, 1, 1000.0),
    "ass_empty_events.ass": ("utf-8", False, 0, None),
    "ssa_v4.ssa": ("utf-8", False, 2, 1000.0),
    "srt_crlf.srt": ("utf-8", False, 3, 1000.0),
    "srt_utf16le_bom.srt": ("utf-16-le", True, 3, 1000.0),
    "srt_cp1252.srt": ("cp1252", False, 1, 1000.0),
    "srt_dot_millis.srt": ("utf-8", False, 2, 1500.0),
    "srt_missing_index.srt": ("utf-8", False, 2, 1000.0),
    "srt_no_blank_between_cues.srt": ("utf-8", False, 2, 1000.0),
    "vtt_full.vtt": ("utf-8", False, 3, 1000.0),
    "vtt_crlf_bom.vtt": ("utf-8", True, 3, 1000.0),
}


def test_corpus_is_large_and_varied() -> None:
    assert len(FILES) >= 30
    assert {p.suffix for p in FILES} == {".ass", ".ssa", ".srt", ".vtt"}
    datas = [p.read_bytes() for p in FILES]
    assert sum(b"\r\n" in d for d in datas) >= 5 and sum(b"\r\n" not in d for d in datas) >= 5


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_unmodified_round_trip_is_byte_identical(path: Path, backend: str) -> None:
    data = path.read_bytes()
    doc = engine(backend).parse(data, path.suffix)
    assert doc.to_bytes() == data
    assert doc.to_bytes((24000, 1001)) == data
    exp = EXPECTED.get(path.name)
    if exp is not None:
        enc, bom, n, first = exp
        assert (doc.encoding, doc.bom, len(doc.events())) == (enc, bom, n)
        if first is not None:
            assert doc.events()[0][1] == first


def test_odd_fractions_keep_every_digit() -> None:
    doc = engine("python").parse((CORPUS / "ass_odd_fractions.ass").read_bytes(), "ass")
    assert [(e[1], e[2]) for e in doc.events()] == [(1500.0, 2123.0), (2123.4, 3000.0), (4000.0, 5000.0),
                                                    (5000.0, 6000.0)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shift_changes_only_times_and_backends_agree(path: Path) -> None:
    data = path.read_bytes()
    outs = []
    for backend in BACKENDS:
        doc = engine(backend).parse(data, path.suffix)
        before = doc.events()
        doc.shift(1234.5)
        out = doc.to_bytes()
        outs.append(out)
        again = engine(backend).parse(out, path.suffix)
        after = again.events()
        assert len(after) == len(before)
        precision = 10 if path.suffix in (".ass", ".ssa") else 1
        for b, a in zip(before, after, strict=True):
            assert (a[0], a[3], a[4]) == (b[0], b[3], b[4])
            want = (b[1] + 1234.5) // precision * precision
            assert a[1] in (want, want + precision)          # rounded once, to the nearest unit
            assert abs(a[1] - (b[1] + 1234.5)) <= precision / 2
        # lines other than event lines are untouched: same number of lines, same non-event lines
        assert out.count(b"\n") == data.count(b"\n") and out.count(b"\r") == data.count(b"\r")
    assert outs[0] == outs[1]


def test_utf16_and_cp1252_written_in_their_own_encoding() -> None:
    for name in ("ass_utf16le_bom.ass", "ass_cp1252.ass", "srt_utf16le_bom.srt"):
        data = (CORPUS / name).read_bytes()
        for backend in BACKENDS:
            doc = engine(backend).parse(data, Path(name).suffix)
            doc.shift(-500)
            out = doc.to_bytes()
            assert out[:2] == data[:2] and len(out) == len(data)


@pytest.mark.parametrize("backend", BACKENDS)
def test_clear_errors(backend: str) -> None:
    e = engine(backend)
    with pytest.raises(SubtitleError, match=r"line 2: bad start time '0:0x:01.00'"):
        e.parse(b"[Events]\nDialogue: 0,0:0x:01.00,0:00:02.00,D,,0,0,0,,t\n", "ass")
    with pytest.raises(SubtitleError, match="not a WebVTT file"):
        e.parse(b"1\n00:00:01,000 --> 00:00:02,000\nx\n", "vtt")
    with pytest.raises(SubtitleError, match="UTF-8 byte-order mark but is not valid UTF-8"):
        e.parse(b"\xef\xbb\xbf\xff\xfe", "srt")
    with pytest.raises(SubtitleError, match="unsupported subtitle format 'sup'"):
        e.parse(b"", "sup")
    doc = e.parse(b"1\n00:00:01,000 --> 00:00:02,000\nx\n", "srt")
    with pytest.raises(SubtitleError, match="needs an ASS/SSA file"):
        doc.multiply_font_size(2)
