"""Chapters (docs/chapters.md) on XML text: times, shift, snap, dedupe, rename, output.

Expected values are written out by hand from docs/chapters.md (its worked example, docs/chapters.md#worked-example,
literally).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from vsg_core.chapters import (
    ChapterDocument,
    ChapterOptions,
    format_time_ns,
    parse_keyframes,
    parse_time_ns,
    process_chapters,
    snap_time,
)
from vsg_core.models import SnapMode

S = 1_000_000_000
MS = 1_000_000


# ----------------------------------------------------------------------------------------------- D2 times
@pytest.mark.parametrize(("text", "ns"), [
    ("00:00:00.000000000", 0), ("00:01:30.5", 90_500_000_000), ("00:01:30.500", 90_500_000_000),
    ("01:02:03", 3723 * S), ("00:00:01.0000000019", S + 1), ("123:00:00.1", 123 * 3600 * S + 100 * MS),
    (" 00:00:02.25 ", 2_250_000_000),
])
def test_parse_time(text: str, ns: int) -> None:
    assert parse_time_ns(text) == ns


@pytest.mark.parametrize("bad", ["00:01", "1:2:3:4", "aa:00:00", "00:00:0x", "00:00:01.5e3", ""])
def test_parse_time_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="is not HH:MM:SS"):
        parse_time_ns(bad)


@pytest.mark.parametrize(("ns", "text"), [
    (0, "00:00:00.000000000"), (-5, "00:00:00.000000000"), (91_501_000_000, "00:01:31.501000000"),
    (100 * 3600 * S + 1, "100:00:00.000000001"), (59 * S + 999_999_999, "00:00:59.999999999"),
])
def test_format_time(ns: int, text: str) -> None:
    assert format_time_ns(ns) == text


# ----------------------------------------------------------------------------------------------- D4 snap
KF = [0, 1 * S, 2 * S, 5 * S]


@pytest.mark.parametrize(("t", "mode", "thr", "expected", "outcome"), [
    (1_100 * MS, "previous", 250, 1 * S, "snapped"),
    (1_900 * MS, "previous", 250, 1_900 * MS, "too_far"),        # previous is 900 ms away
    (1_900 * MS, "nearest", 250, 2 * S, "snapped"),
    (1_500 * MS, "nearest", 600, 1 * S, "snapped"),              # tie → previous
    (2 * S, "nearest", 250, 2 * S, "on_keyframe"),
    (6 * S, "nearest", 1000, 5 * S, "snapped"),                  # no next → last keyframe
    (1_250 * MS, "previous", 250, 1 * S, "snapped"),             # |δ| == threshold snaps
    (1_250 * MS + 1, "previous", 250, 1_250 * MS + 1, "too_far"),
    (3 * S, "bogus", 1000, 2 * S, "snapped"),                    # unknown mode behaves as nearest
])
def test_snap_time(t: int, mode: str, thr: int, expected: int, outcome: str) -> None:
    r = snap_time(t, KF, mode, thr)
    assert (r.time_ns, r.outcome) == (expected, outcome)
    assert r.delta_ns == (expected - t if outcome != "too_far" else r.delta_ns)


def test_snap_before_first_keyframe_uses_first() -> None:
    r = snap_time(100 * MS, [500 * MS, 2 * S], SnapMode.PREVIOUS, 500)
    assert (r.time_ns, r.delta_ns) == (500 * MS, 400 * MS)


def test_parse_keyframes_from_ffprobe_json() -> None:
    text = ('{"packets": [{"pts_time": "0.041708", "flags": "K__"}, {"pts_time": "0.083417", "flags": "___"},'
            ' {"pts_time": "N/A", "flags": "K__"}, {"flags": "K__"}, {"pts_time": "10.427083", "flags": "K_"},'
            ' {"pts_time": "0.041708", "flags": "K__"}, {"pts_time": "0.0000000005", "flags": "K"}]}')
    assert parse_keyframes(text) == [0, 41_708_000, 10_427_083_000]


# ------------------------------------------------------------------------------------------- documents
def atom(start: str | None, end: str | None = None, name: str | None = None, lang: str | None = None,
         ietf: str | None = None, inner: str = "") -> str:
    parts = ["<ChapterAtom><ChapterUID>1</ChapterUID>"]
    if start is not None:
        parts.append(f"<ChapterTimeStart>{start}</ChapterTimeStart>")
    if end is not None:
        parts.append(f"<ChapterTimeEnd>{end}</ChapterTimeEnd>")
    if name is not None:
        parts.append(f"<ChapterDisplay><ChapterString>{name}</ChapterString>")
        if lang is not None:
            parts.append(f"<ChapterLanguage>{lang}</ChapterLanguage>")
        if ietf is not None:
            parts.append(f"<ChapLanguageIETF>{ietf}</ChapLanguageIETF>")
        parts.append("</ChapterDisplay>")
    parts.append(inner + "</ChapterAtom>")
    return "".join(parts)


def doc(*atoms: str, ns: str = "") -> str:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return ('\ufeff<?xml version="1.0"?>\n<!-- <!DOCTYPE Chapters SYSTEM "matroskachapters.dtd"> -->\n'
            f"<Chapters{xmlns}><EditionEntry><EditionUID>7</EditionUID>{''.join(atoms)}</EditionEntry></Chapters>")


def summary(xml_text: str) -> list[tuple[str, str | None, list[str]]]:
    """(start, end, [display texts]) per atom, document order, namespace-agnostic."""
    root = ET.fromstring(xml_text.encode("utf-8"))
    out = []
    for el in root.iter():
        if el.tag.rpartition("}")[2] != "ChapterAtom":
            continue
        kids = {c.tag.rpartition("}")[2]: c for c in el}
        disp = [c for c in el if c.tag.endswith("ChapterDisplay")]
        texts = [x.text or "" for x in disp[0]] if disp else []
        end = kids["ChapterTimeEnd"].text if "ChapterTimeEnd" in kids else None
        out.append((kids["ChapterTimeStart"].text or "", end, texts))
    return out


def test_worked_example_d8() -> None:
    src = doc(atom("00:00:00.000000000", name="Intro", lang="eng"),
              atom("00:01:30.5", "00:20:00.000000000", name="Part A", lang="jpn"),
              atom("00:01:30.500", name="Dup", lang="eng"))
    out = process_chapters(src, 1001, ChapterOptions(rename=True))
    assert summary(out) == [
        ("00:00:01.001000000", "00:01:31.501000000", ["Chapter 01", "eng", "en"]),
        ("00:01:31.501000000", "00:20:01.001000000", ["Chapter 02", "jpn", "ja"]),
    ]
    # A's new end is appended after A's existing children; the new display comes last.
    first = ET.fromstring(out.encode()).find("EditionEntry/ChapterAtom")
    assert first is not None
    assert [c.tag for c in first] == ["ChapterUID", "ChapterTimeStart", "ChapterTimeEnd", "ChapterDisplay"]


def test_output_format_keeps_comments_and_declaration() -> None:
    src = doc(atom("00:00:05.000000000", name="A", lang="eng")).replace(
        "<EditionUID>", "<!-- inner note --><EditionUID>")
    out = process_chapters(src, 0)
    lines = out.split("\n")
    assert lines[0] == "<?xml version='1.0' encoding='UTF-8'?>"
    assert lines[1] == '<!-- <!DOCTYPE Chapters SYSTEM "matroskachapters.dtd"> -->'
    assert lines[2] == "<Chapters>"
    assert lines[3] == "  <EditionEntry>"
    assert lines[4] == "    <!-- inner note -->"
    assert "      <ChapterTimeStart>00:00:05.000000000</ChapterTimeStart>" in lines
    assert "      <ChapterTimeEnd>00:00:06.000000000</ChapterTimeEnd>" in lines  # last: start + 1 s
    assert out.endswith("</Chapters>\n") and "\ufeff" not in out


def test_last_end_keeps_a_longer_original_end_and_shift_clamps_at_zero() -> None:
    src = doc(atom("00:00:00.100000000", "00:00:00.500000000"), atom("00:00:10", "00:05:00"))
    out = process_chapters(src, 0)
    # starts are only rewritten by a shift or a snap; ends are always rewritten in full format
    assert summary(out) == [("00:00:00.100000000", "00:00:10.000000000", []),
                            ("00:00:10", "00:05:00.000000000", [])]


def test_unsorted_nested_and_duplicates() -> None:
    nested = atom("00:00:40", name="Sub", lang="eng")
    src = doc(atom("00:00:30", name="Late", lang="eng", inner=nested), atom("00:00:10", name="Early"),
              atom("00:00:10.000", name="Dup"))
    d = ChapterDocument.parse(src)
    assert d.normalise() == 1
    assert summary(d.to_xml()) == [
        ("00:00:30", "00:00:40.000000000", ["Late", "eng"]),
        ("00:00:40", "00:00:41.000000000", ["Sub", "eng"]),
        ("00:00:10", "00:00:30.000000000", ["Early"]),
    ]


def test_namespaced_document_creates_elements_in_its_namespace() -> None:
    ns = "urn:example:chapters"
    src = doc(atom("00:00:01", name="One", lang="fre"), atom("00:00:02"), ns=ns)  # fre: ISO 639-2/B
    out = process_chapters(src, 500, ChapterOptions(rename=True))
    root = ET.fromstring(out.encode())
    assert root.tag == f"{{{ns}}}Chapters"
    # vsg fix of quirk D5.3: no element named with a literal "def" prefix, everything in the namespace
    assert all(el.tag.startswith(f"{{{ns}}}") for el in root.iter() if isinstance(el.tag, str))
    assert "defChapter" not in out and "ns0:" not in out
    assert summary(out) == [("00:00:01.500000000", "00:00:02.500000000", ["Chapter 01", "fre", "fr"]),
                            ("00:00:02.500000000", "00:00:03.500000000", ["Chapter 02", "und", "und"])]


def test_rename_keeps_other_displays_and_existing_ietf() -> None:
    two = ("<ChapterAtom><ChapterTimeStart>00:00:00</ChapterTimeStart>"
           "<ChapterDisplay><ChapterString>Eins</ChapterString><ChapterLanguage> ger </ChapterLanguage>"
           "<ChapLanguageIETF> de-AT </ChapLanguageIETF></ChapterDisplay>"
           "<ChapterDisplay><ChapterString>One</ChapterString><ChapterLanguage>eng</ChapterLanguage>"
           "</ChapterDisplay></ChapterAtom>")
    out = process_chapters(doc(two), 0, ChapterOptions(rename=True))
    a = ET.fromstring(out.encode()).find("EditionEntry/ChapterAtom")
    assert a is not None
    displays = [[x.text for x in d] for d in a.findall("ChapterDisplay")]
    assert displays == [["One", "eng"], ["Chapter 01", "ger", "de-AT"]]


def test_many_chapters_numbering() -> None:
    atoms = [atom(format_time_ns(i * S), name=f"c{i}", lang="kor") for i in range(101)]
    out = process_chapters(doc(*atoms), 0, ChapterOptions(rename=True))
    names = [s[2][0] for s in summary(out)]
    assert names[0] == "Chapter 01" and names[9] == "Chapter 10" and names[100] == "Chapter 101"
    assert summary(out)[0][2][2] == "ko"


def test_snap_happens_before_the_shift() -> None:
    # Keyframes of Source 1 at 0, 10 s, 20 s; chapter at 10.2 s; global shift 300 ms.
    # vsg (fix of quirk D4.5): snap in Source 1's timeline (10.2 → 10.0), then shift → 10.3 s, which is
    # where the muxed video's keyframe lands (10.0 s + 300 ms). Upstream would have produced 10.0 s.
    src = doc(atom("00:00:10.200000000", "00:00:15.200000000"), atom("00:00:19.900000000"))
    opts = ChapterOptions(snap=True, snap_mode=SnapMode.PREVIOUS, snap_threshold_ms=250, snap_starts_only=False)
    out = process_chapters(src, 300, opts, keyframes_ns=[0, 10 * S, 20 * S])
    assert summary(out) == [("00:00:10.300000000", "00:00:20.200000000", []),
                            ("00:00:20.200000000", "00:00:21.200000000", [])]


def test_snap_starts_only_and_nearest_dedupes() -> None:
    src = doc(atom("00:00:09.900000000"), atom("00:00:10.100000000"), atom("00:00:30"))
    opts = ChapterOptions(snap=True, snap_mode=SnapMode.NEAREST, snap_threshold_ms=250)
    out = process_chapters(src, 0, opts, keyframes_ns=[0, 10 * S, 20 * S])
    # both first chapters snap to 10 s; the second becomes a duplicate and is removed
    # (docs/chapters.md#normalise-and-de-duplicate)
    assert summary(out) == [("00:00:10.000000000", "00:00:30.000000000", []),
                            ("00:00:30", "00:00:31.000000000", [])]


def test_malformed_xml_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not well-formed"):
        process_chapters("<Chapters><EditionEntry></Chapters>", 0)
    with pytest.raises(ValueError, match="is not HH:MM:SS"):
        process_chapters(doc(atom("12 seconds")), 100)
