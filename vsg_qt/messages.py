"""Message boxes that do not block: they open window-modal and return at once, so the event loop keeps running
(the worker's log and progress keep arriving) and tests can read and close them."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

ICONS = {
    "info": QMessageBox.Icon.Information,
    "warning": QMessageBox.Icon.Warning,
    "error": QMessageBox.Icon.Critical,
}


def show_message(parent: QWidget, kind: str, title: str, text: str, details: str = "") -> QMessageBox:
    box = QMessageBox(ICONS[kind], title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.setObjectName(f"message_{kind}")
    parent._last_message = box  # type: ignore[attr-defined]  # keeps the box alive; tests read it
    box.open()
    return box


def last_message(parent: QWidget) -> QMessageBox | None:
    return getattr(parent, "_last_message", None)
