"""Scratch files honour the temp_root setting (docs/reliability.md#crash-safe-leftovers-vsg_corescratchpy):
the coarse search's decoded spans and the style preview's work folder are written under the configured root, in
folders that carry their owner (so a killed run's leftovers are swept), and removed afterwards. They used to go
to the system's temp folder whatever temp_root said."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vsg_core import runner, scratch
from vsg_core.analysis import coarse
from vsg_core.analysis import decode as dec
from vsg_core.subtitles.preview import render_preview

pytestmark = pytest.mark.media


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    r = tmp_path / "scratch root"
    scratch.configure(r)
    try:
        yield r
    finally:
        scratch.configure(None)


def test_coarse_spans_are_decoded_under_temp_root(media_case, root: Path) -> None:
    info = dec.probe(media_case("delay_pos").reference)
    cmds: list[list[str]] = []
    with runner.observe(cmds.append):
        spans = coarse.decode_spans(info, [(10.0, 2.0), (30.0, 2.0)], 2000)
    assert [len(s) for s in spans] == [4000, 4000]
    spans_files = [a for c in cmds for a in c if a.endswith(".f32")]
    assert len(spans_files) == 2 and all(Path(f).is_relative_to(root) for f in spans_files), spans_files
    assert all(scratch.owner_of(Path(f).parent.name) == scratch.me() for f in spans_files)
    assert list(root.iterdir()) == []  # removed afterwards


def test_style_preview_works_under_temp_root(media_case, root: Path, tmp_path: Path) -> None:
    ass = (b"[Script Info]\nScriptType: v4.00+\nPlayResX: 320\nPlayResY: 180\n\n[V4+ Styles]\nFormat: Name, "
           b"Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, "
           b"StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
           b"MarginV, Encoding\nStyle: Default,Arial,14,&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,"
           b"0,0,1,1,0,2,10,10,8,1\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
           b"Effect, Text\nDialogue: 0,0:00:01.00,0:00:09.00,Default,,0,0,0,,Hello\n")
    cmds: list[list[str]] = []
    with runner.observe(cmds.append):
        out = render_preview(media_case("ref").reference, ass, "ass", None, 5.0, tmp_path / "frame.png")
    assert out.is_file() and out.stat().st_size > 0
    frames = [a for c in cmds for a in c if a.endswith("frame.png")]   # ffmpeg draws into the work folder
    assert frames and all(Path(f).is_relative_to(root) for f in frames), frames
    assert list(root.iterdir()) == []
