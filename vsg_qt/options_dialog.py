"""Application settings: one tab per settings group, generated from the settings schema
(:mod:`vsg_core.config.schema` via :mod:`vsg_qt.settings_schema`). Only the settings whose feature this version
has are shown, each exactly once, with its label, unit (spin-box suffix) and help (tooltip).

Every value goes through :meth:`vsg_core.config.Settings.set` — while typing (the field turns red and the
message shows below the tabs) and again on Save; if any value is invalid nothing is saved and a message lists
the problems. A valid Save writes the settings file.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vsg_core.config import DEFAULTS, Settings
from vsg_core.errors import SettingsError
from vsg_core.setting_ranges import PAIRS, check_settings

from . import settings_schema as schema
from .messages import show_message
from .setting_editors import SettingEditor


class OptionsDialog(QDialog):
    saved = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Application Settings")
        self.setMinimumSize(900, 600)
        self.settings = settings
        self.editors: dict[str, SettingEditor] = {}
        self.errors: dict[str, str] = {}
        self._rows: list[tuple[str, QFormLayout, int, QGroupBox]] = []

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter settings by label or key…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.tabs = QTabWidget()
        for group, title, sections in schema.layout():
            page = QWidget()
            pl = QVBoxLayout(page)
            for section, keys in sections:
                box = QGroupBox(section)
                form = QFormLayout(box)
                for key in keys:
                    ed = SettingEditor(key)
                    tip = schema.tooltip_of(key)
                    ed.setToolTip(tip)
                    label = QLabel(schema.label_of(key) + ":")
                    label.setToolTip(tip)
                    form.addRow(label, ed)
                    ed.changed.connect(lambda k=key: self.check(k))
                    self.editors[key] = ed
                    self._rows.append((key, form, form.rowCount() - 1, box))
                pl.addWidget(box)
            pl.addStretch(1)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            scroll.setObjectName(f"tab_{group}")
            self.tabs.addTab(scroll, title)

        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.path_label = QLabel(f"Settings file: {settings.path}" if settings.path else "")
        self.path_label.setStyleSheet("color: #757575;")
        sb = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(sb.Save | sb.Cancel | sb.RestoreDefaults)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(sb.RestoreDefaults).clicked.connect(self.restore_defaults)
        lay = QVBoxLayout(self)
        lay.addWidget(self.filter)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.error_label)
        lay.addWidget(self.path_label)
        lay.addWidget(self.buttons)
        self.load(settings)

    # ---------------------------------------------------------------- values
    def load(self, values: Any) -> None:
        for key, ed in self.editors.items():
            ed.set_value(values[key])
        self.errors.clear()
        for ed in self.editors.values():
            ed.set_error(None)
        self._show_errors()

    def restore_defaults(self) -> None:
        self.load(DEFAULTS)

    def values(self) -> dict[str, Any]:
        return {key: ed.value() for key, ed in self.editors.items()}

    def check(self, key: str) -> str | None:
        """Validate one field through Settings.set; mark it and return the message (None when valid)."""
        try:
            Settings().set(key, self.editors[key].value())
        except SettingsError as e:
            self.errors[key] = str(e)
        else:
            self.errors.pop(key, None)
        self.editors[key].set_error(self.errors.get(key))
        self._show_errors()
        return self.errors.get(key)

    def _show_errors(self) -> None:
        if not self.errors:
            self.error_label.setText("")
            return
        first = next(iter(self.errors.values()))
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        self.error_label.setText(f"⚠ {first}{more}")

    def save(self) -> bool:
        candidate = self.settings.copy()
        errors: dict[str, str] = {}
        for key, value in self.values().items():
            try:
                candidate.set(key, value)
            except SettingsError as e:
                errors[key] = str(e)
        for a, b in PAIRS:  # e.g. scan start below scan end: otherwise every job would refuse to start
            if a in self.editors and b in self.editors and a not in errors and b not in errors:
                problems = check_settings({a: candidate[a], b: candidate[b]})
                if problems:
                    errors[a] = problems[0]
        for key, ed in self.editors.items():
            ed.set_error(errors.get(key))
        self.errors = errors
        self._show_errors()
        if errors:
            self._focus(next(iter(errors)))
            show_message(self, "warning", "Invalid Settings",
                         "Nothing was saved. Fix these values first:\n\n" + "\n".join(errors.values()))
            return False
        for key in self.editors:
            self.settings.set(key, candidate[key])
        try:
            self.settings.save()
        except OSError as e:
            show_message(self, "error", "Save Failed", f"Could not write the settings file "
                         f"{self.settings.path}: {e.strerror}. Check that the folder is writable.")
            return False
        self.saved.emit()
        self.accept()
        return True

    # ---------------------------------------------------------------- navigation
    def _focus(self, key: str) -> None:
        ed = self.editors[key]
        for i in range(self.tabs.count()):
            scroll = self.tabs.widget(i)
            if isinstance(scroll, QScrollArea) and scroll.widget().isAncestorOf(ed):
                self.tabs.setCurrentIndex(i)
                scroll.ensureWidgetVisible(ed)
                break
        ed.widget.setFocus()

    def apply_filter(self, text: str) -> None:
        t = text.strip().lower()
        visible_boxes: dict[QGroupBox, bool] = {}
        for key, form, row, box in self._rows:
            show = not t or t in key or t in schema.label_of(key).lower()
            form.setRowVisible(row, show)
            visible_boxes[box] = visible_boxes.get(box, False) or show
        for box, show in visible_boxes.items():
            box.setVisible(show)
