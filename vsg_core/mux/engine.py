"""The mux domain's compute seam: mkvmerge option building and the options file, Rust or Python reference.

:class:`MuxEngine` is the interface; :class:`PythonMuxEngine` runs the reference (``options.py``,
``options_file.py``) and :class:`RustMuxEngine` the port in ``vsg_core_rs`` (``src/mux``), which receives the
plan as the Phase 1 objects ``vsg_core_rs.PlanItem`` / ``vsg_core_rs.Delays``. :func:`engine` returns the one
the active backend selects. Both raise :class:`MuxError` with the same messages and produce byte-identical
options files (tests/parity/test_phase8_mux.py).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..backend import Backend, require_rust, use_rust
from ..models import Delays, PlanItem, Track
from . import options as _options
from . import options_file as _file
from .errors import MuxError
from .settings import MuxSettings

if TYPE_CHECKING:
    import vsg_core_rs

PathLike = str | os.PathLike[str]


class MuxEngine(Protocol):
    def build_options(self, items: Sequence[PlanItem], delays: Delays, settings: MuxSettings,
                      chapters_xml: str | None, attachments: list[str], output: str | None) -> list[str]:
        """mkvmerge tokens for the plan (``--output`` first when given); MuxError for an invalid plan."""
        ...

    def serialise_options(self, tokens: list[str]) -> str:
        """The options file text: a single-line JSON array."""
        ...

    def write_options_file(self, tokens: list[str], path: PathLike) -> None:
        """Write the options file; MuxError ``Failed to write mkvmerge options file: …`` on failure."""
        ...


class PythonMuxEngine:
    """The Python reference."""

    def build_options(self, items: Sequence[PlanItem], delays: Delays, settings: MuxSettings,
                      chapters_xml: str | None, attachments: list[str], output: str | None) -> list[str]:
        return _options.build_options(items, delays, settings, chapters_xml, attachments, output)

    def serialise_options(self, tokens: list[str]) -> str:
        return _file.serialise_options(tokens)

    def write_options_file(self, tokens: list[str], path: PathLike) -> None:
        _file.write_options_file(tokens, path)


def rust_track(track: Track) -> vsg_core_rs.Track:
    """The Phase 1 Rust record of a track."""
    rs = require_rust()
    p = track.props
    props = rs.StreamProps(p.codec_id, p.lang, p.name, p.audio_channels, p.audio_sampling_frequency)
    return rs.Track(track.source, track.id, track.type.value, props, track.container_delay_ms)


def rust_plan_item(item: PlanItem) -> vsg_core_rs.PlanItem:
    """The Phase 1 Rust record of a plan item (every field, checked again by the Rust constructor)."""
    fields = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    fields["track"] = rust_track(item.track)
    return require_rust().PlanItem(**fields)


def rust_delays(delays: Delays) -> vsg_core_rs.Delays:
    return require_rust().Delays(dict(delays.source_delays_ms), dict(delays.raw_source_delays_ms),
                                 delays.global_shift_ms, delays.raw_global_shift_ms)


class RustMuxEngine:
    """The Rust port (``vsg_core_rs``); the plan crosses as Phase 1 objects."""

    def build_options(self, items: Sequence[PlanItem], delays: Delays, settings: MuxSettings,
                      chapters_xml: str | None, attachments: list[str], output: str | None) -> list[str]:
        rs = require_rust()
        plan = [rust_plan_item(it) for it in items]
        try:
            return rs.mux_build_options(plan, rust_delays(delays), settings.disable_track_statistics_tags,
                                        settings.disable_header_compression, settings.apply_dialog_norm_gain,
                                        chapters_xml, attachments, output)
        except ValueError as exc:
            raise MuxError(str(exc)) from None

    def serialise_options(self, tokens: list[str]) -> str:
        return require_rust().mux_serialise_options(tokens)

    def write_options_file(self, tokens: list[str], path: PathLike) -> None:
        try:
            require_rust().mux_write_options_file(tokens, os.fspath(path))
        except OSError as exc:
            raise MuxError(str(exc)) from None


_PYTHON = PythonMuxEngine()
_RUST = RustMuxEngine()


def engine(backend: Backend | None = None) -> MuxEngine:
    """The mux engine of ``backend`` (None: the active backend)."""
    return _RUST if use_rust(backend) else _PYTHON
