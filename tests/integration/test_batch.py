"""vsg batch over two folders of generated releases: one output per matched pair and a summary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.media


def test_batch_two_folders(media_case, tmp_path: Path) -> None:
    pos, neg = media_case("delay_pos"), media_case("delay_neg")
    ref_dir, oth_dir, out = tmp_path / "ref", tmp_path / "other", tmp_path / "out"
    ref_dir.mkdir()
    oth_dir.mkdir()
    shutil.copy(pos.reference, ref_dir / "Ep01.mkv")
    shutil.copy(pos.reference, ref_dir / "Ep02 ü.mkv")
    shutil.copy(pos.reference, ref_dir / "Ep03.mkv")        # no partner: reported, not muxed
    shutil.copy(pos.other, oth_dir / "Ep01.mkv")
    shutil.copy(neg.other, oth_dir / "Ep02 ü.mkv")
    env = dict(os.environ, VSG_SETTINGS=str(tmp_path / "settings.json"), VSG_SET_TEMP_ROOT=str(tmp_path / "t"))
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "batch", str(ref_dir), str(oth_dir), "-o", str(out),
                           "--json"], capture_output=True, text=True, env=env)
    res = json.loads(proc.stdout)["jobs"]
    by_name = {j["name"]: j for j in res}
    assert by_name["Ep01.mkv"]["status"] == "Merged"
    assert by_name["Ep02 ü.mkv"]["status"] == "Merged"
    assert by_name["Ep03.mkv"]["status"] == "Failed" and "no matching file" in by_name["Ep03.mkv"]["error"]
    assert proc.returncode == 1, "a batch with a failed job exits non-zero"
    assert sorted(p.name for p in out.glob("*.mkv")) == ["Ep01.mkv", "Ep02 ü.mkv"]
    assert by_name["Ep01.mkv"]["sources"][0]["delay_ms"] == round(pos.truth.sync.delay_ms)
    # Ep02: the negative delay is removed by the global shift (positive_only)
    assert by_name["Ep02 ü.mkv"]["global_shift_ms"] == -round(neg.truth.sync.delay_ms)
    # the summary table, for people
    human = subprocess.run([sys.executable, "-m", "vsg_core.cli", "batch", str(ref_dir), str(oth_dir), "-o",
                            str(tmp_path / "out2"), "--analyze-only"], capture_output=True, text=True, env=env)
    assert "Summary:" in human.stdout and "Ep01.mkv" in human.stdout and "Analyzed" in human.stdout
