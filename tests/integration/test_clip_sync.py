"""``vsg clip --sync``: two generated releases with a known delay (+1234.567 ms, case delay_pos) give clips
that start on the same content.

The clips' audio is decoded with ffmpeg and cross-correlated (FFT, parabolic peak interpolation). Tolerance:
|lag| ≤ 1 ms. As a check of the measurement itself, clips of both releases cut at the same timestamps (no
--sync) show the generator's delay within 1 ms.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from vsg_core.cli import main

pytestmark = [pytest.mark.media, pytest.mark.slow]
FS = 48_000
TRUE_DELAY_MS = 1234.567


def _audio(path: Path, seconds: float = 8.0) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-t", str(seconds),
                          "-ac", "1", "-ar", str(FS), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).astype(np.float64)


def lag_ms(a: np.ndarray, b: np.ndarray) -> float:
    """How much later the content of ``b`` starts than that of ``a`` (ms); positive: b is late."""
    n = len(a) + len(b)
    spec = np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n))
    cc = np.fft.irfft(spec / np.maximum(np.abs(spec), 1e-12), n)  # PHAT weighting: a sharp peak
    k = int(np.argmax(cc))
    y0, y1, y2 = cc[k - 1], cc[k], cc[(k + 1) % n]
    frac = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2) if (y0 - 2 * y1 + y2) != 0 else 0.0
    lag = k + frac
    if lag > n / 2:
        lag -= n
    return 1000.0 * lag / FS


@pytest.fixture(autouse=True)
def _state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("VSG_CLIP_HISTORY", str(state / "h.jsonl"))
    monkeypatch.setenv("VSG_SETTINGS", str(state / "none.json"))


def test_sync_clips_start_on_the_same_content(media_case, tmp_path: Path, capsys) -> None:
    case = media_case("delay_pos")
    ref, other = Path(case.reference), Path(case.other)
    rc = main(["clip", "--sync", str(ref), str(other), "-s", "1:00", "-e", "1:10", "-o", str(tmp_path),
               "--preset", "ultrafast", "--json", "-q"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    clips = json.loads(out.out)["clips"]
    assert [c["ok"] for c in clips] == [True, True]
    assert clips[0]["delay_ms"] is None
    assert abs(clips[1]["delay_ms"] - TRUE_DELAY_MS) < 1.0
    assert clips[1]["start_ms"] == round(60_000 - clips[1]["delay_ms"])
    a, b = _audio(Path(clips[0]["output"])), _audio(Path(clips[1]["output"]))
    synced = lag_ms(a, b)
    assert abs(synced) <= 1.0, f"--sync clips are {synced:.3f} ms apart"

    # the measurement sees the delay when both releases are cut at the same timestamps
    naive = tmp_path / "naive"
    naive.mkdir()
    rc = main(["clip", str(other), "-s", "1:00", "-e", "1:10", "--accurate", "--preset", "ultrafast",
               "-o", str(naive / "other.mkv"), "-q"])
    assert rc == 0
    capsys.readouterr()
    unsynced = lag_ms(a, _audio(naive / "other.mkv"))
    assert abs(-unsynced - TRUE_DELAY_MS) <= 1.0, f"naive lag {unsynced:.3f} ms"
    print(f"--sync lag {synced:+.3f} ms; same-timestamp lag {unsynced:+.3f} ms")


def test_a_release_without_a_delay_is_not_labelled_reference(media_case, tmp_path: Path, capsys) -> None:
    """A release whose delay cannot be measured (here a truncated copy) fails; the summary names it as
    Source 2 without a delay (it was printed as "[reference] FAILED …")."""
    case = media_case("delay_pos")
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(case.other.read_bytes()[: case.other.stat().st_size // 5])
    rc = main(["clip", "--sync", str(case.reference), str(cut), "-s", "1:40", "-e", "1:42", "-o",
               str(tmp_path / "out"), "-q"])
    out = capsys.readouterr().out
    assert rc == 1
    lines = [ln for ln in out.splitlines() if ln.startswith("[")]
    assert lines[0].startswith("[reference] ") and "ref_clip_01-40_to_01-42" in lines[0], out
    assert lines[1].startswith("[Source 2, no delay] FAILED ") and "cut.mkv" in lines[1], out
