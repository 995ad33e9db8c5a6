"""The job queue dialog: add (single pair and folder batch), reorder, remove, configure, copy a layout onto
jobs with the same track structure (and only those), run with live states and a batch summary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from qt_helpers import JOB_TIMEOUT_MS, click, double_click

from vsg_core.jobs.layout_store import job_id
from vsg_qt.messages import last_message
from vsg_qt.queue_model import CUSTOM_LAYOUT, DEFAULT_LAYOUT, JobState

pytestmark = pytest.mark.media


def _folders(tmp_path: Path, media_case, names: dict[str, tuple[str, str]]) -> tuple[Path, Path]:
    """Two batch folders: ``names[file] = (reference case, other case)``; copies, so every job has its own
    files (layouts are stored per full path)."""
    a, b = tmp_path / "releases A", tmp_path / "releases B"
    a.mkdir()
    b.mkdir()
    for name, (ref_case, other_case) in names.items():
        shutil.copy(media_case(ref_case).reference, a / name)
        other = media_case(other_case).other if other_case else None
        if other is not None:
            shutil.copy(other, b / name)
        else:
            (b / name).write_text("this is not a video file\n", encoding="utf-8")
    return a, b


def _names(dlg) -> list[str]:
    return [j.spec.reference.name for j in dlg.model.jobs]


def _add(qtbot, dlg, *paths: Path) -> None:
    click(qtbot, dlg.add_btn)
    add = dlg.add_dialog
    assert add is not None and add.isVisible()
    for field, p in zip(add.fields, paths, strict=False):
        field.setText(str(p))
    add.buttons.button(add.buttons.StandardButton.Ok).click()
    box = last_message(add)
    assert not add.isVisible(), box.text() if box else "the Add Job dialog stayed open"


def test_add_reorder_remove_and_copy_paste_layouts(qtbot, window, media_case, tmp_path: Path) -> None:
    a, b = _folders(tmp_path, media_case, {"ep 1.mkv": ("ref", "delay_pos"), "ep 2.mkv": ("ref", "delay_pos"),
                                           "ep 10.mkv": ("ref", "dub")})
    click(qtbot, window.queue_btn)
    dlg = window.queue_dialog
    assert dlg is not None and dlg.isVisible()

    # add: a folder batch (natural order by file name) and a single pair of files
    _add(qtbot, dlg, a, b)
    assert _names(dlg) == ["ep 1.mkv", "ep 2.mkv", "ep 10.mkv"]
    single = media_case("delay_neg")
    _add(qtbot, dlg, single.reference, single.other)
    assert _names(dlg) == ["ep 1.mkv", "ep 2.mkv", "ep 10.mkv", single.reference.name]
    model = dlg.model
    assert [model.index(r, 1).data() for r in range(4)] == ["pending"] * 4
    assert [model.index(r, 2).data() for r in range(4)] == [DEFAULT_LAYOUT] * 4
    assert model.index(0, 3).data() == "ep 1.mkv + ep 1.mkv"
    assert str(a / "ep 1.mkv") in model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)

    # reorder: single rows and a block; the selection follows the moved rows
    dlg.select_rows([2])
    click(qtbot, dlg.up_btn)
    assert _names(dlg) == ["ep 1.mkv", "ep 10.mkv", "ep 2.mkv", single.reference.name]
    assert dlg.selected_rows() == [1]
    dlg.select_rows([1, 2])
    click(qtbot, dlg.down_btn)
    assert _names(dlg) == ["ep 1.mkv", single.reference.name, "ep 10.mkv", "ep 2.mkv"]
    assert dlg.selected_rows() == [2, 3]
    click(qtbot, dlg.up_btn)
    click(qtbot, dlg.up_btn)
    assert _names(dlg) == ["ep 10.mkv", "ep 2.mkv", "ep 1.mkv", single.reference.name]
    click(qtbot, dlg.up_btn)  # already at the top: nothing moves
    assert _names(dlg) == ["ep 10.mkv", "ep 2.mkv", "ep 1.mkv", single.reference.name]

    # remove
    dlg.select_rows([3])
    click(qtbot, dlg.remove_btn)
    assert _names(dlg) == ["ep 10.mkv", "ep 2.mkv", "ep 1.mkv"]

    # configure "ep 1": reference video + the other release's audio only
    ep1, ep2, ep10 = model.jobs[2], model.jobs[1], model.jobs[0]
    dlg.select_rows([2])
    click(qtbot, dlg.configure_btn)
    sel = dlg.selection_dialog
    assert sel is not None and sel.isVisible()
    click(qtbot, sel.clear_btn)
    for source, tid in (("Source 1", 0), ("Source 2", 1)):
        double_click(qtbot, sel.source_lists[source], sel.source_item(source, tid))
    sel.buttons.button(sel.buttons.StandardButton.Ok).click()
    assert ep1.layout_note == CUSTOM_LAYOUT and model.index(2, 2).data() == CUSTOM_LAYOUT
    saved = dlg.store.load(ep1.spec.sources)
    assert saved is not None
    assert [(e.source, e.id) for e in saved[0].entries] == [("Source 1", 0), ("Source 2", 1)]

    # copy from ep 1, paste onto ep 2 (same structure) and ep 10 (another codec: skipped)
    dlg.select_rows([2])
    click(qtbot, dlg.copy_btn)
    assert dlg.clipboard is ep1
    dlg.select_rows([0, 1])
    assert dlg.paste_btn.isEnabled()
    pasted, skipped = dlg.paste_layout()
    assert pasted == [ep2] and skipped == [ep10]
    assert ep2.layout_note == "Copied from #3" and ep10.layout_note == DEFAULT_LAYOUT
    assert model.index(1, 2).data() == "Copied from #3"
    copied = dlg.store.load(ep2.spec.sources)
    assert copied is not None and copied[0] == saved[0]
    assert dlg.store.load(ep10.spec.sources) is None
    box = last_message(dlg)
    assert box is not None and "ep 10.mkv" in box.text() and "skipped" in box.text()
    assert "[Queue] Copied layout from ep 1.mkv." in window.log_view.toPlainText()

    # removing a job deletes its saved layout
    layout_file = dlg.store.path_for(job_id(ep2.spec.sources))
    assert layout_file.exists()
    dlg.select_rows([1])
    click(qtbot, dlg.remove_btn)
    assert not layout_file.exists()
    assert _names(dlg) == ["ep 10.mkv", "ep 1.mkv"]


def test_queue_run_shows_each_jobs_state_and_a_batch_summary(qtbot, window, media_case,
                                                             tmp_path: Path) -> None:
    a, b = _folders(tmp_path, media_case, {"ep 1.mkv": ("ref", "delay_pos"), "ep 2.mkv": ("ref", "")})
    click(qtbot, window.queue_btn)
    dlg = window.queue_dialog
    _add(qtbot, dlg, a, b)
    seen: list[tuple[str, str]] = []
    dlg.model.dataChanged.connect(
        lambda *_: seen.extend((j.spec.reference.name, j.state.value) for j in dlg.model.jobs))
    dlg.analyze_only_box.setChecked(True)
    click(qtbot, dlg.start_btn)
    assert window.is_running() and not dlg.start_btn.isEnabled()
    qtbot.waitUntil(lambda: not window.is_running(), timeout=JOB_TIMEOUT_MS)

    ep1, ep2 = dlg.model.jobs
    assert ("ep 1.mkv", "running") in seen and ("ep 2.mkv", "running") in seen
    assert ep1.state is JobState.DONE and ep1.result is not None and ep1.result.status == "Analyzed"
    assert ep2.state is JobState.FAILED and ep2.result is not None and ep2.result.error
    assert [dlg.model.index(r, 1).data() for r in range(2)] == ["done", "failed"]
    assert "Source 2: +" in dlg.model.index(0, 4).data()
    # the batch went to <output>/<name of the reference folder>
    assert (Path(window.out_field.text()) / a.name / "ep 1.log").is_file()
    summary = window.summary_dialog
    assert summary is not None and summary.isVisible()
    assert (summary.counts.successful, summary.counts.failed) == (1, 1)
    assert summary.table.rowCount() == 2 and summary.table.item(1, 1).text() == "Failed"
    log = window.log_view.toPlainText()
    assert "--- Batch Summary ---" in log and "  - Failed jobs: 1" in log
    # a finished queue can be started again only for what did not succeed
    assert dlg.start_btn.isEnabled()
    click(qtbot, dlg.clear_done_btn)
    assert [j.spec.reference.name for j in dlg.model.jobs] == ["ep 2.mkv"]
