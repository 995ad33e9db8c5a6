"""The streaming assembly (block by block into the FLAC encoder, real ffmpeg) gives the same samples as
splicing the whole track at once, with both engines, whatever the block length; block edges never fall within
a crossfade of a join. FLAC keeps the top 24 bits of the int32 samples, so the comparison is on those."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from vsg_core.correction.apply import assemble_stream, block_edges
from vsg_core.correction.audio_io import AudioProps, decode_int32
from vsg_core.correction.engine import PythonEngine, RustEngine
from vsg_core.correction.stepping import Piece

PIECES = [Piece(0, 1000, None), Piece(1000, 12000, -300), Piece(13000, 55, None), Piece(13055, 20000, 15000),
          Piece(33055, 9000, 30000)]


@pytest.mark.parametrize("engine", [PythonEngine(), RustEngine()], ids=["python", "rust"])
@pytest.mark.parametrize("block_s", [0.05, 0.7, 100.0])
def test_stream_equals_whole_track(tmp_path: Path, engine, block_s: float) -> None:
    rng = np.random.default_rng(1)
    pcm = (rng.standard_normal((50_000, 2)) * 1e8).astype(np.int32)
    raw = tmp_path / "x.s32"
    pcm.astype("<i4").tofile(raw)
    out = tmp_path / "o.flac"
    assemble_stream(raw, len(pcm), AudioProps(8000, 2, "stereo", "pcm"), PIECES, 40, out, engine,
                    block_s=block_s)
    got = decode_int32(out, 0)
    want = engine.splice_audio(pcm, PIECES, 40)
    assert got.shape == want.shape
    assert np.array_equal(got >> 8, want >> 8)


def test_block_edges_keep_away_from_joins() -> None:
    joins = [p.out_start for p in PIECES[1:]]
    edges = block_edges(PIECES, 40, 1000)
    assert edges[0] == 0 and edges[-1] == PIECES[-1].out_start + PIECES[-1].length
    assert all(b > a for a, b in itertools.pairwise(edges))
    assert all(abs(e - x) >= 40 for e in edges[1:-1] for x in joins)
