"""Correction QA: a chunk whose reference audio cannot be matched even against itself (quiet, strictly periodic)
is no evidence either way; a chunk that could match and does not is evidence against the correction."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from vsg_core.correction import apply as ca
from vsg_core.correction.audio_io import decode_mono_int32
from vsg_core.tools import require

CFG = ca.CorrectionConfig()


def chunks(ok: list[bool | None]) -> list[tuple[float, float, bool | None]]:
    return [(10.0 * i, 250.0, v) for i, v in enumerate(ok)]


def test_unmatched_chunks_with_distinctive_reference_still_fail() -> None:
    qa = ca.judge_qa(chunks([True] * 26 + [False] * 4), 250.0, CFG)
    assert not qa.passed
    assert "only 26 of 30 chunks matched (need 28)" in qa.reason


def test_chunks_without_evidence_scale_the_required_count() -> None:
    qa = ca.judge_qa(chunks([True] * 26 + [None] * 4), 250.0, CFG)
    assert qa.passed, qa.reason
    assert (qa.accepted, qa.total, qa.not_evidence) == (26, 26, 4)
    # 26 evidence chunks need ceil(28 · 26 / 30) = 25 matches: 24 is not enough
    qa = ca.judge_qa(chunks([True] * 24 + [False] * 2 + [None] * 4), 250.0, CFG)
    assert not qa.passed
    assert "need 25" in qa.reason


def test_too_little_evidence_fails() -> None:
    qa = ca.judge_qa(chunks([True] * 14 + [None] * 16), 250.0, CFG)
    assert not qa.passed
    assert "only 14 of 30 chunks have reference audio that can be matched" in qa.reason


def test_all_evidence_is_judged_as_before() -> None:
    assert ca.judge_qa(chunks([True] * 30), 250.0, CFG).passed
    assert ca.judge_qa(chunks([True] * 28 + [False] * 2), 250.0, CFG).passed
    assert not ca.judge_qa(chunks([True] * 27 + [False] * 3), 250.0, CFG).passed


@pytest.mark.media
def test_silent_stretch_is_not_evidence_but_changed_audio_is(tmp_path: Path) -> None:
    # 300 s at 16 kHz: white noise, with 60 s of digital silence in the middle; the "corrected" track is the
    # same audio except 40 s of different noise later on. QA chunks over the silence match nowhere and their
    # reference does not match itself: no evidence. Chunks over the replaced noise could match and do not.
    ffmpeg = require("ffmpeg")["ffmpeg"]
    sr = 16_000
    rng = np.random.default_rng(5)
    ref = rng.uniform(-0.3, 0.3, 300 * sr).astype(np.float32)
    ref[100 * sr:160 * sr] = 0.0
    out = ref.copy()
    out[210 * sr:250 * sr] = rng.uniform(-0.3, 0.3, 40 * sr).astype(np.float32)

    def flac(x: np.ndarray, name: str) -> Path:
        raw, path = tmp_path / f"{name}.f32", tmp_path / f"{name}.flac"
        x.tofile(raw)
        subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(sr), "-ac", "1",
                        "-i", str(raw), "-c:a", "flac", "-sample_fmt", "s32", str(path)], check=True)
        return path

    ref16 = decode_mono_int32(flac(ref, "ref"), 0, sr)
    res = ca.measure_in_memory(ref16, flac(out, "out"), 0.0, CFG, sr=sr)
    silent = [ok for t, _d, ok in res if 100 <= t and t + 15 <= 160]
    changed = [ok for t, _d, ok in res if 210 <= t and t + 15 <= 250]
    elsewhere = [ok for t, _d, ok in res if t + 15 <= 100 or (160 <= t and t + 15 <= 210) or 250 <= t]
    assert silent and all(ok is None for ok in silent), res
    assert changed and all(ok is False for ok in changed), res
    assert elsewhere and all(ok is True for ok in elsewhere), res
    qa = ca.judge_qa(res, 0.0, CFG)
    assert qa.not_evidence == len(silent)
    assert not qa.passed          # the changed stretch is still caught
