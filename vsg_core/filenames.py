"""File names vsg derives from the user's names (temp files, automatic output names), kept within the file
system's limit on one name (see docs/reliability.md#long-file-names).

A source may carry any name the file system accepts, up to 255 bytes. A name vsg builds from it — a prefix and
suffix around the source's stem, e.g. ``Source_1_track_<stem>_3.ass`` — can exceed that limit, and the file
system then refuses to create it ("File name too long"). :func:`fit_name` shortens the stem, on a character
boundary, and appends a short hash of the whole stem so two long names that start alike still differ.
:func:`temp_name` also replaces control characters (a newline in a source's name) in the names of temp files:
mkvextract refuses an output name that holds one.
"""

from __future__ import annotations

import hashlib
import os

NAME_MAX = 255  # bytes in one file name (Linux ext4/xfs/btrfs/tmpfs, macOS APFS/HFS+ count 255 too)


def name_bytes(name: str) -> int:
    """The length of ``name`` on disk, in bytes (the file system encoding, undecodable bytes kept)."""
    return len(os.fsencode(name))


def fit_name(prefix: str, stem: str, suffix: str = "", limit: int = NAME_MAX) -> str:
    """``prefix + stem + suffix``; when that exceeds ``limit`` bytes, ``stem`` is cut (whole characters) and
    ``~`` plus 8 hex digits of its hash are appended, so the result has at most ``limit`` bytes."""
    name = prefix + stem + suffix
    if name_bytes(name) <= limit:
        return name
    tag = "~" + hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
    room = limit - name_bytes(prefix + suffix + tag)
    if room < 0:
        raise ValueError(f"the fixed parts of the name {prefix!r}…{suffix!r} alone exceed {limit} bytes")
    kept: list[str] = []
    used = 0
    for ch in stem:
        n = name_bytes(ch)
        if used + n > room:
            break
        kept.append(ch)
        used += n
    return prefix + "".join(kept) + tag + suffix


def temp_name(prefix: str, stem: str, suffix: str = "") -> str:
    """A temp file's name derived from a user's ``stem``: control characters replaced by ``_``, then
    :func:`fit_name`."""
    return fit_name(prefix, "".join("_" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in stem), suffix)
