"""Small pieces of the desktop app: dropping files on path fields and on the window, the queue model's row
moves and natural order, archiving a batch's logs, and the checks of the source and output fields."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from vsg_core.jobs.discovery import JobSpec
from vsg_qt.archive import archive_logs
from vsg_qt.path_field import PathField
from vsg_qt.queue_model import QueuedJob, QueueModel, batch_output_dir, unique_subfolders


def _drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(ev)


def test_dropping_files_fills_the_fields(qtbot, window, tmp_path: Path) -> None:
    field = PathField("Source 1")
    qtbot.addWidget(field)
    _drop(field, [tmp_path / "a b.mkv", tmp_path / "ignored.mkv"])
    assert field.text() == str(tmp_path / "a b.mkv")
    _drop(window, [tmp_path / "ref.mkv", tmp_path / "dvd.mkv", tmp_path / "tv.mkv"])
    assert window.ref_field.text() == str(tmp_path / "ref.mkv")
    assert [f.text() for f in window.other_fields] == [str(tmp_path / "dvd.mkv"), str(tmp_path / "tv.mkv")]


def test_queue_model_order_and_moves() -> None:
    model = QueueModel()
    names = ["Ep 10.mkv", "ep 2.mkv", "Ep 1.mkv"]
    model.add([QueuedJob(JobSpec({"Source 1": Path("/a") / n})) for n in names])
    order = [j.spec.reference.name for j in model.jobs]
    assert order == ["Ep 1.mkv", "ep 2.mkv", "Ep 10.mkv"]
    assert model.move_rows([1, 2], -1) == [0, 1]
    assert [j.spec.reference.name for j in model.jobs] == ["ep 2.mkv", "Ep 10.mkv", "Ep 1.mkv"]
    assert model.move_rows([0], -1) == [0]  # already first
    removed = model.remove_rows([0, 2])
    assert [j.spec.reference.name for j in removed] == ["ep 2.mkv", "Ep 1.mkv"]
    assert model.rowCount() == 1


def test_batch_output_folder() -> None:
    one = [JobSpec({"Source 1": Path("/releases/BD/e1.mkv")})]
    two = [*one, JobSpec({"Source 1": Path("/releases/BD/e2.mkv")})]
    assert batch_output_dir(Path("/out"), one) == Path("/out")
    assert batch_output_dir(Path("/out"), two) == Path("/out/BD")


def test_jobs_sharing_a_reference_name_get_their_own_output_folder() -> None:
    specs = [JobSpec({"Source 1": Path(p)}) for p in ("/a/ep1.mkv", "/b/ep1.mkv", "/a/ep2.mkv", "/c/EP1.mp4")]
    assert unique_subfolders(specs) == ["", "ep1 (2)", "", "EP1 (3)"]


def test_archive_logs_zips_and_removes_them(tmp_path: Path) -> None:
    folder = tmp_path / "Season 1"
    folder.mkdir()
    for name in ("e1.log", "e2.log"):
        (folder / name).write_text(f"log of {name}\n", encoding="utf-8")
    (folder / "e1.mkv").write_bytes(b"x")
    lines = archive_logs(folder)
    assert lines[0] == f"--- Archiving logs in {folder} ---" and lines[-1].startswith("[SUCCESS]")
    with zipfile.ZipFile(folder / "Season 1.zip") as z:
        assert sorted(z.namelist()) == ["e1.log", "e2.log"]
        assert z.read("e2.log").decode() == "log of e2.log\n"
    assert not list(folder.glob("*.log")) and (folder / "e1.mkv").exists()


def test_output_folder_states(qtbot, window, tmp_path: Path) -> None:
    window.out_field.setText(str(tmp_path / "new folder"))
    assert window.out_field.is_valid and window.out_field.status.text() == "will be created"
    f = tmp_path / "a file"
    f.write_text("x")
    window.out_field.setText(str(f))
    qtbot.waitUntil(lambda: window.out_field.state.state == "invalid")
    assert window.out_field.status.text() == "this is a file, not a folder"
    window.out_field.setText("")
    assert not window.out_field.is_valid


def test_a_pipe_in_a_source_field_is_not_called_missing(qtbot, window, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mkv"
    os.mkfifo(fifo)
    window.ref_field.setText(str(fifo))
    qtbot.waitUntil(lambda: window.ref_field.state.state == "invalid", timeout=30_000)
    text = window.ref_field.status.text()
    assert "not a regular file" in text and "not found" not in text, text


@pytest.mark.media
def test_source_fields_are_checked_as_they_are_filled(qtbot, window, media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    window.out_field.setText(str(tmp_path / "out"))
    window.ref_field.setText(str(case.reference))
    qtbot.waitUntil(lambda: window.ref_field.is_valid, timeout=30_000)
    summary = window.ref_field.status.text()
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(case.reference)], capture_output=True, text=True,
                                     check=True).stdout)
    n_audio = sum(t["type"] == "audio" for t in info["tracks"])
    assert summary.startswith("Matroska") and f"{n_audio} audio" in summary, summary
    assert window.ref_field.status.isVisible()
    # only the reference: Analyze & Merge (a remux) may run, Analyze Only needs a second source
    assert window.merge_btn.isEnabled() and not window.analyze_btn.isEnabled()
    assert "Source 2" in window.analyze_btn.toolTip()

    broken = tmp_path / "broken.mkv"
    broken.write_bytes(b"\x1a\x45\xdf\xa3" + b"garbage" * 100)
    window.other_fields[0].setText(str(broken))
    qtbot.waitUntil(lambda: window.other_fields[0].state.state == "invalid", timeout=30_000)
    reason = window.other_fields[0].status.text()
    assert "broken.mkv" in reason and "mkvmerge" in reason, reason
    assert "#c62828" in window.other_fields[0].status.styleSheet()
    assert not window.analyze_btn.isEnabled() and not window.merge_btn.isEnabled()
    assert "Source 2" in window.merge_btn.toolTip()

    window.other_fields[0].setText(str(case.other))
    qtbot.waitUntil(lambda: window.other_fields[0].is_valid, timeout=30_000)
    assert window.analyze_btn.isEnabled() and window.merge_btn.isEnabled()

    folder = tmp_path / "season"
    folder.mkdir()
    window.other_fields[1].setText(str(folder))
    qtbot.waitUntil(lambda: window.other_fields[1].state.state == "invalid", timeout=30_000)
    assert ".mkv" in window.other_fields[1].status.text()
    assert not window.analyze_btn.isEnabled()
    window.other_fields[1].setText("")
    assert window.analyze_btn.isEnabled()
