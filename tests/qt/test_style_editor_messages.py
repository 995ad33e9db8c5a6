"""Style editor and signs dialog without generated media (external subtitle files): what is enabled when,
edits and resets, and failures shown as messages (no ffmpeg on PATH, no video, unreadable file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from test_style_editor import TWO_STYLES

from vsg_core.jobs.layout import EXTERNAL, LayoutEntry
from vsg_core.models import TrackType
from vsg_core.subtitles.styles import AssColour
from vsg_qt.style_editor_dialog import SignsTrackDialog, StyleEditorDialog
from vsg_qt.track_settings_dialog import TrackSettingsDialog, track_loader

WAIT_MS = 30_000


def _external(tmp_path: Path, text: str = TWO_STYLES, name: str = "two.ass") -> LayoutEntry:
    sub = tmp_path / name
    sub.write_text(text, encoding="utf-8")
    codec = "S_TEXT/ASS" if name.endswith(".ass") else "S_TEXT/UTF8"
    return LayoutEntry(source=EXTERNAL, id=0, type=TrackType.SUBTITLES, codec_id=codec, external_path=str(sub))


def _editor(qtbot, entry: LayoutEntry, tmp_path: Path, video: Path | None = None, patch=None) -> StyleEditorDialog:
    dlg = StyleEditorDialog(track_loader(entry, {}), patch, video)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.loaded or bool(dlg.load_error), timeout=WAIT_MS)
    return dlg


def test_editing_resetting_and_an_existing_patch(qtbot, tmp_path: Path) -> None:
    dlg = _editor(qtbot, _external(tmp_path), tmp_path, patch={"Signs": {"fontsize": "30"}})
    assert [dlg.style_list.item(i).text() for i in range(dlg.style_list.count())] == ["Default", "Signs"]
    assert dlg.style_patch() == {"Signs": {"fontsize": "30"}}       # the track's patch is the starting point
    dlg.select_style("Signs")
    assert dlg.size_spin.value() == 30 and dlg.bold.isChecked() and dlg.alignment.currentData() == 8
    assert dlg.colour("primarycolour") == AssColour(255, 255, 0)    # &H0000FFFF: red + green
    dlg.italic.setChecked(True)
    dlg.bold.setChecked(False)
    dlg.bold.setChecked(True)                                        # back to the file's -1: no change
    assert dlg.style_patch() == {"Signs": {"fontsize": "30", "italic": "-1"}}
    dlg.reset_current()
    assert dlg.style_patch() is None and dlg.size_spin.value() == 12
    dlg.select_style("Default")
    dlg.set_colour("backcolour", AssColour(1, 2, 3, 0x40))
    assert dlg.colour_buttons["backcolour"].text() == "&&H40030201"
    assert dlg.style_patch() == {"Default": {"backcolour": "&H40030201"}}
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    work = dlg._work
    assert work.is_dir()
    dlg.accept()
    assert not work.exists()                                          # its temp folder goes with it
    assert dlg.style_patch() == {"Default": {"backcolour": "&H40030201"}}


def test_an_unreadable_track_says_so(qtbot, tmp_path: Path) -> None:
    entry = _external(tmp_path)
    Path(entry.external_path or "").unlink()
    dlg = _editor(qtbot, entry, tmp_path)
    assert "cannot read the subtitle file" in dlg.load_error
    assert "Cannot read the subtitle track" in dlg.status.text()
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert dlg.style_patch() is None


def test_style_buttons_follow_the_format(qtbot, tmp_path: Path) -> None:
    srt = _external(tmp_path, "1\n00:00:01,000 --> 00:00:02,000\nHi\n", "a.srt")
    dlg = TrackSettingsDialog(srt)
    qtbot.addWidget(dlg)
    assert not dlg.styles_btn.isEnabled() and not dlg.signs_btn.isEnabled()
    dlg.convert.setChecked(True)
    assert dlg.styles_btn.isEnabled() and not dlg.signs_btn.isEnabled()   # one Default style: no signs
    source_track = LayoutEntry(source="Source 2", id=3, type=TrackType.SUBTITLES, codec_id="S_TEXT/ASS")
    unknown = TrackSettingsDialog(source_track)                      # no source files given: cannot read it
    qtbot.addWidget(unknown)
    assert not unknown.styles_btn.isEnabled()


def test_signs_dialog_needs_a_style(qtbot, tmp_path: Path) -> None:
    entry = _external(tmp_path, TWO_STYLES.replace("Signs", "Songs"))
    dlg = SignsTrackDialog(track_loader(entry, {}))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.loaded, timeout=WAIT_MS)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dlg.chosen_styles() == [] and not ok.isEnabled()          # no style named like a sign
    assert dlg.style_list.item(1).text() == "Songs (2 events)"
    dlg.set_checked(["Songs"])
    assert ok.isEnabled() and dlg.chosen_styles() == ["Songs"]
    dlg.name.setText("  ")
    assert dlg.track_name() == "Signs"


def test_preview_failures_are_messages(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = tmp_path / "two.ass"
    sub.write_text(TWO_STYLES, encoding="utf-8")
    from vsg_core.jobs.layout import LayoutEntry

    entry = LayoutEntry(source=EXTERNAL, id=0, type=TrackType.SUBTITLES, codec_id="S_TEXT/ASS",
                        external_path=str(sub))
    missing = StyleEditorDialog(track_loader(entry, {}), None, tmp_path / "gone.mkv")
    qtbot.addWidget(missing)
    qtbot.waitUntil(lambda: missing.loaded, timeout=WAIT_MS)
    missing.render_preview()
    qtbot.waitUntil(lambda: not missing.preview_running, timeout=WAIT_MS)
    assert "gone.mkv does not exist" in missing.preview_error
    assert "Preview failed" in missing.preview_label.text()

    video = tmp_path / "v.mkv"
    video.write_bytes(b"")   # ffmpeg is never reached: it is not on PATH
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    no_ffmpeg = StyleEditorDialog(track_loader(entry, {}), None, video)
    qtbot.addWidget(no_ffmpeg)
    qtbot.waitUntil(lambda: no_ffmpeg.loaded, timeout=WAIT_MS)
    no_ffmpeg.render_preview()
    qtbot.waitUntil(lambda: not no_ffmpeg.preview_running, timeout=WAIT_MS)
    assert "program not found: ffmpeg" in no_ffmpeg.preview_error


