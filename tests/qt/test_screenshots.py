"""tools/screenshots.py writes a non-trivial PNG of every window and dialog at both screen sizes (offscreen),
the size in the file name; the main window fills the screen and no dialog is larger than it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("main_window", "results_stepping", "failed_job", "failure_dialog", "job_review", "batch_summary",
         "job_queue", "add_job", "manual_selection", "track_settings", "style_editor", "options")
SIZES = ((1366, 768), (1024, 640))
EXPECTED = (*(f"{n}_{w}x{h}" for n in NAMES for w, h in SIZES), "main_window_running_1366x768")


def _distinct_colours(img: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            seen.add(img.pixel(x, y))
    return len(seen)


@pytest.mark.media
def test_screenshot_tool_writes_every_window(tmp_path: Path, media_case) -> None:
    media_case("delay_pos")  # build the media in this process first (shared cache)
    media_case("stepping")
    media_case("drift")
    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "screenshots.py"), str(out)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    for name in EXPECTED:
        png = out / f"{name}.png"
        assert png.is_file(), f"{name}.png was not written"
        assert png.stat().st_size > 5_000, f"{name}.png is only {png.stat().st_size} bytes"
        img = QImage(str(png))
        assert not img.isNull() and img.width() >= 300 and img.height() >= 150, name
        assert _distinct_colours(img) > 8, f"{name}.png is (nearly) a single colour"
        w, h = (int(x) for x in name.rsplit("_", 1)[1].split("x"))
        assert img.width() <= w and img.height() <= h, f"{name}.png is larger than the screen"
        if name.startswith(("main_window", "failed_job")):
            assert (img.width(), img.height()) == (w, h), name
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(EXPECTED)
