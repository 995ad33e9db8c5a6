"""A Matroska chapter XML document and the edits vsg applies to it (docs/chapters.md#flow).

Parsing (docs/chapters.md#flow): a leading U+FEFF is dropped; comments are kept (inside the root and before it, so
mkvextract's commented DOCTYPE line survives); if the root has a default namespace every lookup and every
created element uses it. Writing (docs/chapters.md#output): ``<?xml version='1.0' encoding='UTF-8'?>``, 2-space
indentation.

vsg deviation (the original's quirk, docs/chapters.md#normalise-and-de-duplicate): in a namespaced document the
elements created by normalisation and rename are created in the document's namespace (upstream created elements
literally named ``defChapterTimeEnd``/``defChapterDisplay``, which mkvmerge rejects or ignores).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import SnapMode
from .keyframes import snap_time
from .times import NS_PER_MS, NS_PER_S, format_time_ns, parse_time_ns

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"

# ISO 639-2 → BCP 47 for the languages the rename knows; everything else is "und" (docs/chapters.md#rename).
# ger/fre/chi: the bibliographic spellings of deu/fra/zho (vsg addition).
IETF_FROM_ISO639_2 = {
    "eng": "en", "jpn": "ja", "spa": "es", "fra": "fr", "deu": "de", "ita": "it", "por": "pt", "rus": "ru",
    "kor": "ko", "zho": "zh", "ger": "de", "fre": "fr", "chi": "zh",
}

_ROOT_START = re.compile(r"<(?![?!])")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class SnapStats:
    snapped: int = 0
    on_keyframe: int = 0
    too_far: int = 0
    moves_ms: list[float] = field(default_factory=list)


class ChapterDocument:
    """A parsed chapter XML document (``xml.etree`` tree plus the comments before the root)."""

    def __init__(self, root: ET.Element, prolog_comments: Sequence[str] = ()) -> None:
        self.root = root
        self.prolog_comments = list(prolog_comments)
        self.namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""

    # ------------------------------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: str | bytes) -> ChapterDocument:
        """Parse chapter XML; ValueError (with the parser's message) when it is not well-formed XML."""
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        text = text.lstrip("\ufeff")
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
        try:
            parser.feed(text.encode("utf-8"))
            root = parser.close()
        except ET.ParseError as exc:
            raise ValueError(f"chapter XML is not well-formed: {exc}") from None
        m = _ROOT_START.search(text)
        prolog = text[: m.start()] if m else ""
        return cls(root, _COMMENT.findall(prolog))

    def q(self, name: str) -> str:
        """Element name in the document's namespace."""
        return f"{{{self.namespace}}}{name}" if self.namespace else name

    def atoms(self) -> list[ET.Element]:
        """Every ChapterAtom in document order, nested ones included."""
        return list(self.root.iter(self.q("ChapterAtom")))

    def _child_time(self, atom: ET.Element, name: str) -> ET.Element | None:
        el = atom.find(self.q(name))
        return el if el is not None and (el.text or "").strip() else None

    # ------------------------------------------------------------------------------------------ edits
    def shift(self, shift_ns: int) -> int:
        """Add ``shift_ns`` to every ChapterTimeStart/End with text; returns how many were changed
        (docs/chapters.md#shift)."""
        if shift_ns == 0:
            return 0
        count = 0
        for name in ("ChapterTimeStart", "ChapterTimeEnd"):
            for el in self.root.iter(self.q(name)):
                if (el.text or "").strip():
                    el.text = format_time_ns(parse_time_ns(el.text) + shift_ns)
                    count += 1
        return count

    def snap(self, keyframes_ns: Sequence[int], mode: SnapMode | str, threshold_ms: int,
             starts_only: bool) -> SnapStats:
        """Move chapter times onto keyframes (``keyframes_ns`` sorted, same timeline as the chapters)
        (docs/chapters.md#keyframe-snap)."""
        stats = SnapStats()
        names = ("ChapterTimeStart",) if starts_only else ("ChapterTimeStart", "ChapterTimeEnd")
        for atom in self.atoms():
            for name in names:
                el = self._child_time(atom, name)
                if el is None:
                    continue
                res = snap_time(parse_time_ns(el.text or ""), keyframes_ns, mode, threshold_ms)
                if res.outcome == "snapped":
                    el.text = format_time_ns(res.time_ns)
                    stats.snapped += 1
                    stats.moves_ms.append(res.delta_ns / NS_PER_MS)
                elif res.outcome == "on_keyframe":
                    stats.on_keyframe += 1
                else:
                    stats.too_far += 1
        return stats

    def normalise(self) -> int:
        """Sort by start, drop later atoms with an identical start, set every end; returns removals
        (docs/chapters.md#normalise-and-de-duplicate)."""
        parents = {child: parent for parent in self.root.iter() for child in parent}
        entries = []
        for atom in self.atoms():
            el = self._child_time(atom, "ChapterTimeStart")
            if el is not None:
                entries.append((parse_time_ns(el.text or ""), atom))
        entries.sort(key=lambda e: e[0])  # stable: document order among equal starts
        kept: list[tuple[int, ET.Element]] = []
        seen: set[int] = set()
        removed = 0
        for start, atom in entries:
            if start in seen:
                parents[atom].remove(atom)
                removed += 1
            else:
                seen.add(start)
                kept.append((start, atom))
        if removed:  # atoms nested inside a removed atom left the document with it
            attached = set(self.root.iter(self.q("ChapterAtom")))
            kept = [(s, a) for s, a in kept if a in attached]
        for i, (start, atom) in enumerate(kept):
            end_el = atom.find(self.q("ChapterTimeEnd"))
            if i + 1 < len(kept):
                end = kept[i + 1][0]
            else:
                has_end = end_el is not None and (end_el.text or "").strip()
                original = parse_time_ns(end_el.text or "") if has_end and end_el is not None else start
                end = max(start + NS_PER_S, original)
            if end_el is None:
                end_el = ET.SubElement(atom, self.q("ChapterTimeEnd"))
            text = format_time_ns(end)
            if end_el.text != text:
                end_el.text = text
        return removed

    def rename(self) -> int:
        """Replace each atom's first display by ``Chapter NN`` keeping its language; returns the count
        (docs/chapters.md#rename)."""
        atoms = self.atoms()
        for n, atom in enumerate(atoms, start=1):
            lang, ietf = "und", ""
            display = atom.find(self.q("ChapterDisplay"))
            if display is not None:
                lang = _text(display.find(self.q("ChapterLanguage"))) or "und"
                ietf = _text(display.find(self.q("ChapLanguageIETF")))
                atom.remove(display)
            if not ietf:
                ietf = IETF_FROM_ISO639_2.get(lang, "und")
            new = ET.SubElement(atom, self.q("ChapterDisplay"))
            ET.SubElement(new, self.q("ChapterString")).text = f"Chapter {n:02d}"
            ET.SubElement(new, self.q("ChapterLanguage")).text = lang
            ET.SubElement(new, self.q("ChapLanguageIETF")).text = ietf
        return len(atoms)

    # ------------------------------------------------------------------------------------------ output
    def display_names(self) -> list[str]:
        """First ChapterString of every atom (``Chapter Atom <n>`` when there is none), for logs."""
        names = []
        for n, atom in enumerate(self.atoms(), start=1):
            s = atom.find(f".//{self.q('ChapterString')}")
            names.append(_text(s) or f"Chapter Atom {n}")
        return names

    def to_xml(self) -> str:
        """The output text (docs/chapters.md#output): declaration, the comments that preceded the root, the 2-space
        indented tree."""
        ET.indent(self.root, space="  ")
        kwargs = {"default_namespace": self.namespace} if self.namespace else {}
        body = ET.tostring(self.root, encoding="unicode", **kwargs)
        return "\n".join([DECLARATION, *self.prolog_comments, body]) + "\n"


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""
