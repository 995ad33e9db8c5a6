"""Fixtures for the desktop-app tests: a settings file and window state in a temp folder, a main window that
is never left with a job running. Helpers live in qt_helpers.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from qt_helpers import JOB_TIMEOUT_MS

from vsg_core.config import Settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def settings_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings file of this test only; ``VSG_SETTINGS`` points at it (for the GUI and the CLI)."""
    path = tmp_path / "config" / "settings.json"
    s = Settings(path=path)
    s.set("temp_root", str(tmp_path / "temp"))
    s.set("output_folder", str(tmp_path / "out"))
    s.save()
    monkeypatch.setenv("VSG_SETTINGS", str(path))
    return path


@pytest.fixture
def settings(settings_path: Path) -> Settings:
    return Settings.load(settings_path)


@pytest.fixture
def ui_state(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings: Settings, ui_state: QSettings) -> Iterator:
    from vsg_qt.main_window import MainWindow

    win = MainWindow(settings, ui_state)
    qtbot.addWidget(win)
    win.show()
    yield win
    if win.is_running():  # never leave a job running into the next test
        win.cancel()
        qtbot.waitUntil(lambda: not win.is_running(), timeout=JOB_TIMEOUT_MS)
