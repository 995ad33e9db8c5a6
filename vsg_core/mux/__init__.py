"""Phase 8: mkvmerge options (spec pipeline_ui.md §8) with a backend switch.

The orchestration calls only these functions; they run the Rust port (``vsg_core_rs``) or the Python
reference according to :func:`vsg_core.backend.active_backend`, and both raise :class:`MuxError` with the
same messages:

- :func:`build_options` — plan → token list (§8.1–§8.4)
- :func:`write_options_file` / :func:`serialise_options` — ``opts.json`` (§8.5)
- :func:`json_log_block` / :func:`pretty_log_block` — the optional log blocks (Python only)
- :func:`run_mkvmerge` — ``mkvmerge @opts.json`` with exit code 1 treated as success with warnings

Rust receives the plan as JSON: a JSON array of ``PlanItem.to_dict()`` objects and ``Delays.to_json()``,
read back by the Phase 1 Rust records, so both backends see exactly the same plan.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..backend import active_backend, require_rust
from ..models import Delays, PlanItem
from . import options as _py
from . import options_file as _py_file
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
    "plan_json",
    "pretty_log_block",
    "run_mkvmerge",
    "serialise_options",
    "track_delay",
    "write_options_file",
]


def plan_json(plan_items: Sequence[PlanItem]) -> str:
    """The plan as the Rust backend reads it: a JSON array of ``PlanItem.to_dict()`` objects."""
    return json.dumps([it.to_dict() for it in plan_items], ensure_ascii=False, allow_nan=False)


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
    if active_backend() == "python":
        return _py.build_options(plan_items, delays, ms, ch, atts, out)
    rs = require_rust()
    try:
        return rs.mux_build_options(plan_json(plan_items), delays.to_json(), ms.disable_track_statistics_tags,
                                    ms.disable_header_compression, ms.apply_dialog_norm_gain, ch, atts, out)
    except ValueError as exc:
        raise MuxError(str(exc)) from None


def serialise_options(tokens: Sequence[str]) -> str:
    """The options file text (single-line JSON array)."""
    checked = check_tokens(tokens)
    if active_backend() == "python":
        return _py_file.serialise_options(checked)
    return str(require_rust().mux_serialise_options(checked))


def write_options_file(tokens: Sequence[str], path: PathLike) -> None:
    """Write ``opts.json``; MuxError ``Failed to write mkvmerge options file: …`` on failure."""
    checked = check_tokens(tokens)
    if active_backend() == "python":
        _py_file.write_options_file(checked, path)
        return
    try:
        require_rust().mux_write_options_file(checked, os.fspath(path))
    except OSError as exc:
        raise MuxError(str(exc)) from None
