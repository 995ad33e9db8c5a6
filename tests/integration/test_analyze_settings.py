"""``vsg analyze`` honours the settings file and ``VSG_SET_…`` as ``vsg sync`` does; its options override them
(real ffmpeg/mkvmerge on a generated release pair)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.media, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def analyze(settings_file: Path, *args: str, **env: str) -> tuple[dict[str, Any], str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("VSG_SET_")}
    e.update(VSG_SETTINGS=str(settings_file), **env)
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "analyze", "--backend", "python", "--json", *args],
                          capture_output=True, text=True, cwd=ROOT, env=e, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)["sources"][0], proc.stderr


def test_analyze_reads_the_settings_file_and_options_override_it(media_case, tmp_path: Path) -> None:
    c = media_case("delay_neg")
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({
        "scan_chunk_count": 4, "scan_chunk_duration": 8, "scan_start_percentage": 20, "scan_end_percentage": 80,
        "delay_selection_mode": "Average", "correlation_method": "Standard Correlation (SCC)",
        "min_confidence_pct": 1}), encoding="utf-8")
    src, log = analyze(settings_file, str(c.reference), str(c.other))
    # 4 chunks of 8 s between 20 % and 80 % of the 210 s reference: 42 s … 168 − 8 = 160 s
    assert [ch["start_s"] for ch in src["chunks"]] == pytest.approx([42.0, 81.333, 120.667, 160.0], abs=0.1)
    assert ("[Analysis Config] Correlation: Standard Correlation (SCC); delay selection: Average; 4 chunks of "
            "8 s between 20 and 80 %; minimum match 1 %") in log
    # a command-line option wins over the file; VSG_SET_ wins over the file too
    src, log = analyze(settings_file, "--chunks", "3", "--method", "gcc_phat", str(c.reference), str(c.other))
    assert len(src["chunks"]) == 3 and "Correlation: Phase Correlation (GCC-PHAT)" in log
    src, _ = analyze(settings_file, str(c.reference), str(c.other), VSG_SET_SCAN_CHUNK_COUNT="5")
    assert len(src["chunks"]) == 5


def test_analyze_refuses_a_bad_settings_value(media_case, tmp_path: Path) -> None:
    c = media_case("delay_neg")
    e = {k: v for k, v in os.environ.items() if not k.startswith("VSG_SET_")}
    e.update(VSG_SETTINGS=str(tmp_path / "none.json"), VSG_SET_SCAN_CHUNK_COUNT="-2")
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "analyze", str(c.reference), str(c.other)],
                          capture_output=True, text=True, cwd=ROOT, env=e, timeout=600)
    assert proc.returncode == 1
    assert "VSG_SET_SCAN_CHUNK_COUNT" in proc.stderr and "between 1 and 100" in proc.stderr
    assert "none.json" not in proc.stderr  # the value came from the environment, not from the file
    assert "Traceback" not in proc.stderr
