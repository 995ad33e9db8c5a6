"""Font attachments: detection and extraction (docs/pipeline.md#extraction).

Output path (docs/pipeline.md#extraction): ``<temp>/<role>_att_<id>/<file name>`` — the role keeps its space
(``Source 1_att_3/Arial.ttf``); mkvmerge later names the attachment after this file, so the output's
attachment keeps the source's name (upstream put the prefix in the file name, and every attached font of the
output was renamed ``Source 1_att_3_Arial.ttf``).

vsg deviations from upstream:

- The attachment's file name is reduced to its last path component (a name like ``../../x.ttf`` stored in
  a file must not write outside the temp directory); an empty name becomes ``attachment_<id>``.
- The result of mkvextract is checked: fonts that were not written are logged as warnings and left out of
  the returned list (upstream returned their paths unchecked, so the mux step failed later on a missing
  ``--attach-file``). mkvextract's exit code 1 (warnings) counts as success.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..filenames import temp_name
from ..log import JobLog, format_log_message
from ..runner import run
from .mkvinfo import AttachmentInfo, ContainerInfo
from .probe import open_source

FONT_MIME_PREFIXES = ("font/", "application/font", "application/x-font")
FONT_MIMES = frozenset({
    "application/x-truetype-font", "application/truetype", "application/vnd.ms-opentype",
    "application/opentype", "application/font-woff", "font/ttf", "font/otf", "font/woff", "font/woff2",
    "application/postscript", "application/x-font-type1",
})
GENERIC_MIMES = frozenset({"application/octet-stream", "binary/octet-stream"})
GENERIC_FONT_EXTS = (".ttf", ".otf", ".ttc", ".woff", ".woff2")
FONT_MIME_WORDS = ("font", "truetype", "opentype")
FONT_EXTS = (".ttf", ".otf", ".ttc", ".woff", ".woff2", ".eot", ".fon", ".fnt", ".pfb", ".pfa")


def is_font(content_type: str | None, file_name: str | None) -> bool:
    """Font detection (docs/pipeline.md#extraction): is this attachment a font, judged from its MIME type and file name
    (case-insensitive)?"""
    mime = (content_type or "").lower()
    name = (file_name or "").lower()
    if mime.startswith(FONT_MIME_PREFIXES) or mime in FONT_MIMES:
        return True
    if mime in GENERIC_MIMES and name.endswith(GENERIC_FONT_EXTS):
        return True
    if any(word in mime for word in FONT_MIME_WORDS):
        return True
    return name.endswith(FONT_EXTS)


def safe_file_name(att: AttachmentInfo) -> str:
    """The attachment's name without any directory part (POSIX or Windows separators)."""
    name = PureWindowsPath(PurePosixPath(att.file_name).name).name.strip()
    if name in ("", ".", ".."):
        return f"attachment_{att.id}"
    return name


def attachment_path(temp_dir: Path | str, role: str, att: AttachmentInfo, flat: bool = False) -> Path:
    """Output path (docs/pipeline.md#extraction); ``flat``: ``<temp>/<role>_att_<id>_<file name>``, all in one
    folder (libass's ``fontsdir`` reads one folder, not its subfolders)."""
    stem, suffix = os.path.splitext(safe_file_name(att))
    if flat:
        return Path(temp_dir) / temp_name(f"{role}_att_{att.id}_", stem, suffix)
    return Path(temp_dir) / f"{role}_att_{att.id}" / temp_name("", stem, suffix)


def font_attachments(info: ContainerInfo) -> list[AttachmentInfo]:
    return [a for a in info.attachments if is_font(a.content_type, a.file_name)]


def extract_fonts(container: Path | str, temp_dir: Path | str, role: str, log: JobLog | None = None,
                  mkvextract: str = "mkvextract", mkvmerge: str = "mkvmerge",
                  info: ContainerInfo | None = None, flat: bool = False) -> list[Path]:
    """Extract every font attachment of ``container``; returns the written files in attachment order
    (``flat``: see :func:`attachment_path`).

    ``info`` may pass the container's identification (it must describe a Matroska file); otherwise the
    file is opened with :func:`~vsg_core.extraction.probe.open_source` (non-Matroska files are copied).
    """
    temp_dir = Path(temp_dir)
    temp_dir.mkdir(parents=True, exist_ok=True)
    if info is None:
        info = open_source(container, temp_dir, role, log, mkvmerge).info
    fonts = font_attachments(info)
    total = len(info.attachments)
    if not fonts:
        if log is not None and total:
            log.log(f"[Attachments] Found {total} attachments, but none were identified as fonts.")
        return []
    if log is not None:
        log.log(f"[Attachments] Found {total} attachments, extracting {len(fonts)} font file(s)...")
    paths = [attachment_path(temp_dir, role, a, flat) for a in fonts]
    specs = [f"{a.id}:{p}" for a, p in zip(fonts, paths, strict=True)]
    cmd = [mkvextract, str(info.path), "attachments", *specs]
    proc = run(cmd, log, check=False, what=f"{role} attachments")
    if proc.returncode not in (0, 1) and log is not None:
        log.log(format_log_message(
            "warning", f"[Attachments] mkvextract failed with exit code {proc.returncode} for {info.path}"))
    written = []
    for att, path in zip(fonts, paths, strict=True):
        if path.is_file() and path.stat().st_size > 0:
            written.append(path)
        elif log is not None:
            log.log(format_log_message(
                "warning", f"[Attachments] font '{att.file_name}' (attachment {att.id}) of {role} was not "
                           "extracted; it will not be attached"))
    return written
