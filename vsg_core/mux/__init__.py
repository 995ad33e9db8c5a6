"""Phase 8: mkvmerge options, the public entry points of the mux domain.

- :func:`build_options` — plan → token list (docs/mux.md)
- :func:`write_options_file` / :func:`serialise_options` — ``opts.json``
- :func:`json_log_block` / :func:`pretty_log_block` — the optional log blocks (Python only)
- :func:`run_mkvmerge` — ``mkvmerge @opts.json`` with exit code 1 treated as success with warnings

The computation runs in the engine of the active backend (:mod:`vsg_core.mux.engine`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..models import Delays, PlanItem
from .engine import engine
from .errors import MuxError
from .options import final_order, flag_indices, output_path, track_delay
from .options_file import check_tokens, json_log_block, pretty_log_block
from .run import MkvmergeResult, run_mkvmerge
from .settings import MuxSettings

PathLike = str | os.PathLike[str]

__all__ = [
    "MkvmergeResult",
    "MuxError",
    "MuxSettings",
    "build_options",
    "final_order",
    "flag_indices",
    "json_log_block",
    "output_path",
    "pretty_log_block",
    "run_mkvmerge",
    "serialise_options",
    "track_delay",
    "write_options_file",
]


def _settings(settings: MuxSettings | Mapping[str, Any] | None) -> MuxSettings:
    if isinstance(settings, MuxSettings):
        return settings
    return MuxSettings.from_settings(settings)


def build_options(plan_items: Sequence[PlanItem], delays: Delays | None,
                  settings: MuxSettings | Mapping[str, Any] | None = None,
                  chapters_xml: PathLike | None = None, attachments: Sequence[PathLike] = (),
                  output: PathLike | None = None) -> list[str]:
    """mkvmerge tokens for the plan; ``settings`` may be a MuxSettings or the app settings dict.

    ``output`` (the temp output file) is prepended as ``--output <path>`` when given. ``delays`` None means
    no delays (remux only). MuxError for an item without ``extracted_path`` or an invalid plan.
    """
    delays = delays if delays is not None else Delays.empty()
    ms = _settings(settings)
    atts = [os.fspath(a) for a in attachments]
    ch = os.fspath(chapters_xml) if chapters_xml is not None else None
    out = os.fspath(output) if output is not None else None
    return engine().build_options(plan_items, delays, ms, ch, atts, out)


def serialise_options(tokens: Sequence[str]) -> str:
    """The options file text (single-line JSON array)."""
    return engine().serialise_options(check_tokens(tokens))


def write_options_file(tokens: Sequence[str], path: PathLike) -> None:
    """Write ``opts.json``; MuxError ``Failed to write mkvmerge options file: …`` on failure."""
    engine().write_options_file(check_tokens(tokens), path)
