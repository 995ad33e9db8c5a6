"""Bytes ↔ text for subtitle files, chosen so that an unmodified file is written back byte for byte.

Order (docs/subtitles.md, "Encodings"): a UTF-8 BOM → UTF-8; a UTF-16 BOM → UTF-16 LE/BE; valid UTF-8 →
UTF-8; otherwise Windows-1252 when none of its five undefined bytes (0x81 0x8D 0x8F 0x90 0x9D) occurs, else
ISO-8859-1 (which maps every byte, so any legacy file — Shift-JIS, GBK, … — still round-trips exactly).
"""

from __future__ import annotations

from .errors import SubtitleError

_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


def decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding name, had a BOM)."""
    if data.startswith(_BOMS["utf-8"]):
        return _strict(data[3:], "utf-8"), "utf-8", True
    if data.startswith(_BOMS["utf-16-le"]):
        return _strict(data[2:], "utf-16-le"), "utf-16-le", True
    if data.startswith(_BOMS["utf-16-be"]):
        return _strict(data[2:], "utf-16-be"), "utf-16-be", True
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    if _CP1252_UNDEFINED.isdisjoint(data):
        return data.decode("cp1252"), "cp1252", False
    return data.decode("latin-1"), "latin-1", False


def _strict(body: bytes, encoding: str) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        raise SubtitleError(f"the file starts with a {encoding.upper()} byte-order mark but is not valid "
                            f"{encoding.upper()}") from None


def encode(text: str, encoding: str, bom: bool) -> bytes:
    try:
        body = text.encode(encoding)
    except UnicodeEncodeError as e:
        ch = text[e.start]
        raise SubtitleError(f"cannot write character U+{ord(ch):04X} in {encoding}") from None
    return (_BOMS.get(encoding, b"") if bom else b"") + body


def split_lines(text: str) -> list[tuple[str, str]]:
    """Lines with their own terminator ("\\r\\n", "\\n", "\\r" or "" for the last line)."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    start = 0
    while i < n:
        c = text[i]
        if c == "\n":
            out.append((text[start:i], "\n"))
            i += 1
            start = i
        elif c == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                out.append((text[start:i], "\r\n"))
                i += 2
            else:
                out.append((text[start:i], "\r"))
                i += 1
            start = i
        else:
            i += 1
    if start < n:
        out.append((text[start:], ""))
    return out


def dominant_eol(lines: list[tuple[str, str]]) -> str:
    """The most common terminator ("\\n" when there is none; ties go to the first seen)."""
    counts: dict[str, int] = {}
    for _, eol in lines:
        if eol:
            counts[eol] = counts.get(eol, 0) + 1
    if not counts:
        return "\n"
    best = max(counts.values())
    return next(e for e, c in counts.items() if c == best)
