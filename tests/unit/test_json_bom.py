"""JSON files users edit by hand (settings, layouts, clip batch lists) may start with a UTF-8 byte order mark,
as Windows editors write them; vsg reads them (they were refused as "Unexpected UTF-8 BOM")."""

from __future__ import annotations

import json
from pathlib import Path

from vsg_core.clip.jobs_file import read_batch
from vsg_core.config import Settings
from vsg_core.jobs.layout import Layout, LayoutEntry
from vsg_core.models import TrackType

BOM = "\ufeff"


def test_settings_file_with_a_bom(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text(BOM + json.dumps({"scan_chunk_count": 17}), encoding="utf-8")
    assert Settings.load(p)["scan_chunk_count"] == 17


def test_layout_file_with_a_bom(tmp_path: Path) -> None:
    layout = Layout((LayoutEntry(source="Source 1", id=0, type=TrackType.VIDEO),
                     LayoutEntry(source="Source 2", id=1, type=TrackType.AUDIO)))
    p = tmp_path / "layout.json"
    p.write_text(BOM + layout.to_json(), encoding="utf-8")
    assert Layout.load(p) == layout


def test_clip_batch_file_with_a_bom(tmp_path: Path) -> None:
    p = tmp_path / "clips.json"
    p.write_text(BOM + json.dumps([{"input": "a.mkv", "start": "1", "end": "2"}]), encoding="utf-8")
    jobs = read_batch(p)
    assert len(jobs) == 1 and jobs[0].job is not None, jobs
    assert (jobs[0].job.start, jobs[0].job.end) == ("1", "2")
