"""The streaming assembly (block by block into the FLAC encoder, real ffmpeg) gives the same samples as
splicing the whole track at once, with both engines, whatever the block length; block edges never fall within
a crossfade of a join. FLAC keeps the top 24 bits of the int32 samples, so the comparison is on those."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pytest

from vsg_core.correction.apply import PcmReader, assemble_stream, block_edges
from vsg_core.correction.audio_io import AudioProps, decode_int32
from vsg_core.correction.engine import PythonEngine, RustEngine
from vsg_core.correction.stepping import Piece

PIECES = [Piece(0, 1000, None), Piece(1000, 12000, -300), Piece(13000, 55, None), Piece(13055, 20000, 15000),
          Piece(33055, 9000, 30000)]


class _Pipe(io.BytesIO):
    """A pipe's reads: at most ``n`` bytes at a time, ending anywhere inside a frame."""

    def __init__(self, data: bytes, n: int) -> None:
        super().__init__(data)
        self.n = n

    def read(self, size: int | None = -1) -> bytes:
        return super().read(self.n if size is None or size < 0 else min(size, self.n))


@pytest.mark.parametrize("engine", [PythonEngine(), RustEngine()], ids=["python", "rust"])
@pytest.mark.parametrize("block_s", [0.05, 0.7, 100.0])
@pytest.mark.parametrize("source", ["file", "pipe"])
def test_stream_equals_whole_track(tmp_path: Path, engine, block_s: float, source: str) -> None:
    rng = np.random.default_rng(1)
    pcm = (rng.standard_normal((50_000, 2)) * 1e8).astype(np.int32)
    raw = tmp_path / "x.s32"
    pcm.astype("<i4").tofile(raw)
    out = tmp_path / "o.flac"
    props = AudioProps(8000, 2, "stereo", "pcm")
    if source == "file":
        assemble_stream(raw, len(pcm), props, PIECES, 40, out, engine, block_s=block_s)
    else:   # as from a decoding ffmpeg: length unknown, odd read sizes
        reader = PcmReader(_Pipe(raw.read_bytes(), 4093), 2)
        assemble_stream(reader, None, props, PIECES, 40, out, engine, block_s=block_s)
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


def test_qa_chunks_keep_clear_of_filled_gaps() -> None:
    from vsg_core.correction.apply import qa_starts

    n, length = 720_000, 15_000
    plain = qa_starts(n, length, 30)
    assert plain[0] == 36_000 and plain[-1] == 684_000 - length and len(plain) == 30
    gaps = [(330_000, 420_000), (600_000, 610_000)]
    got = qa_starts(n, length, 30, gaps)
    assert len(got) == 30 and got == sorted(got) and got[0] == 36_000 and got[-1] == 684_000 - length
    assert all(s + length <= a or s >= b for s in got for a, b in gaps), got
