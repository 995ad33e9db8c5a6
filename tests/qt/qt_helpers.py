"""Helpers for the desktop-app tests: click as a user would, run the CLI, read an output file's tracks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

JOB_TIMEOUT_MS = 600_000  # a generous bound for one job on a slow machine; never an assertion on time


def double_click(qtbot, lst: QListWidget, item: QListWidgetItem) -> None:
    lst.scrollToItem(item)
    pos = lst.visualItemRect(item).center()
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def run_cli(*args: str) -> dict:
    """``vsg <args> --json`` in a subprocess (same VSG_SETTINGS as the test); its JSON."""
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", *args, "--json"], capture_output=True,
                          text=True, env=dict(os.environ))
    assert proc.stdout.strip(), f"vsg {' '.join(args)} printed nothing; stderr:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


def mkvmerge_tracks(path: Path) -> list[dict]:
    proc = subprocess.run(["mkvmerge", "-J", str(path)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)["tracks"]
