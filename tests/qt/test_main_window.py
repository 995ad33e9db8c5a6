"""The desktop app's main window, driven offscreen with pytest-qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from vsg_qt.main_window import MainWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def test_paths_persist_between_runs(qtbot, settings: QSettings, tmp_path: Path) -> None:
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.ref_field.setText(str(tmp_path / "Ref ü.mkv"))
    win.other_fields[0].setText(str(tmp_path / "other.mkv"))
    win.out_field.setText(str(tmp_path / "out"))
    win.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.ref_field.text() == str(tmp_path / "Ref ü.mkv")
    assert again.other_fields[0].text() == str(tmp_path / "other.mkv")
    assert again.out_field.text() == str(tmp_path / "out")


def test_missing_reference_is_refused_with_a_message(qtbot, settings: QSettings, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr("vsg_qt.main_window.QMessageBox.warning",
                        lambda _parent, _title, text: shown.append(text))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.ref_field.setText("")
    qtbot.mouseClick(win.analyze_btn, Qt.MouseButton.LeftButton)
    assert shown and "reference" in shown[0].lower()
    assert not win.is_running()


@pytest.mark.media
def test_analysis_through_the_window_matches_the_cli(qtbot, settings: QSettings, media_case) -> None:
    case = media_case("delay_pos")
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.ref_field.setText(str(case.reference))
    win.other_fields[0].setText(str(case.other))
    qtbot.mouseClick(win.analyze_btn, Qt.MouseButton.LeftButton)
    assert win.is_running()
    qtbot.waitUntil(lambda: not win.is_running(), timeout=300_000)
    assert win.last_result is not None, win.statusBar().currentMessage()
    gui_delay = win.last_result.sources[0].delay_ms
    log_text = win.log_view.toPlainText()
    assert "--- Analysis Phase ---" in log_text and "=== Job Finished ===" in log_text
    assert win.progress.value() == 100
    assert f"{gui_delay:+d} ms" in win.statusBar().currentMessage()

    cli = subprocess.run([sys.executable, "-m", "vsg_core.cli", "analyze", str(case.reference), str(case.other),
                          "--json"], capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout)["sources"][0]["delay_ms"] == gui_delay
