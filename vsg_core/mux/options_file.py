"""The mkvmerge options file and its log blocks (docs/pipeline.md#mkvmerge-options), Python reference.

File text: the tokens as a single-line JSON array with ``", "`` between elements, non-ASCII characters raw
(UTF-8), standard JSON escapes for ``"`` ``\\`` and U+0000–U+001F (``\\n \\t \\r \\b \\f``, the rest
``\\u00xx`` lower-case), no trailing newline, no BOM — exactly ``json.dumps(tokens, ensure_ascii=False)``.
The Rust port (``vsg_core_rs/src/mux/options_file.rs``) writes the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from .errors import MuxError

LOG_RULE = "-" * 31


def check_tokens(tokens: Sequence[str]) -> list[str]:
    """The tokens as a list of str; MuxError for a non-string or text that is not valid Unicode."""
    out = []
    for i, t in enumerate(tokens):
        if not isinstance(t, str):
            raise MuxError(f"mkvmerge option {i} is not text: {t!r}")
        try:
            t.encode("utf-8")
        except UnicodeEncodeError:
            raise MuxError(f"mkvmerge option {i} ({t!r}) is not valid Unicode text (lone surrogate); "
                           "rename the file or track so its name is valid UTF-8") from None
        out.append(t)
    return out


def serialise_options(tokens: Sequence[str]) -> str:
    return json.dumps(list(tokens), ensure_ascii=False)


def write_options_file(tokens: Sequence[str], path: str | os.PathLike[str]) -> None:
    data = serialise_options(check_tokens(tokens)).encode("utf-8")
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise MuxError(f"Failed to write mkvmerge options file: {exc}") from exc


def json_log_block(tokens: Sequence[str]) -> str:
    """``--- mkvmerge options (json) ---`` block (setting ``log_show_options_json``)."""
    return ("--- mkvmerge options (json) ---\n" + json.dumps(list(tokens), indent=2, ensure_ascii=False)
            + "\n" + LOG_RULE)


def pretty_log_block(tokens: Sequence[str]) -> str:
    """``--- mkvmerge options (pretty) ---`` block: tokens joined by `` \\`` + newline + two spaces."""
    return "--- mkvmerge options (pretty) ---\n" + " \\\n  ".join(tokens) + "\n" + LOG_RULE
