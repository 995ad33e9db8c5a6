"""One row of the final track list (docs/pipeline.md#desktop-app): summary, badges and the per-track settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from vsg_core.jobs.layout import EXTERNAL, LayoutEntry
from vsg_core.models import TrackType

from .track_settings_dialog import TrackSettingsDialog


def badges(e: LayoutEntry) -> str:
    parts = []
    if e.is_default:
        parts.append("Default")
    if e.is_forced_display:
        parts.append("Forced")
    if e.custom_lang:
        parts.append(f"Lang: {e.custom_lang}")
    if e.custom_name:
        name = e.custom_name if len(e.custom_name) <= 20 else e.custom_name[:17] + "..."
        parts.append(f"Name: {name}")
    if e.source == EXTERNAL and e.sync_to:
        parts.append(f"Timed like {e.sync_to}")
    if e.generated_filter_styles:
        verb = "Only" if e.generated_filter_mode == "include" else "Without"
        parts.append(f"{verb}: {', '.join(e.generated_filter_styles)}")
    if e.style_patch:
        parts.append("Styles edited")
    return " | ".join(parts)


class TrackWidget(QWidget):
    """Edits one :class:`LayoutEntry`; ``changed`` fires after every edit, ``entry()`` returns the result."""

    changed = Signal()
    default_clicked = Signal(bool)
    forced_clicked = Signal(bool)
    generated = Signal(object)   # a new LayoutEntry made from this track (Create Signs Track)

    def __init__(self, entry: LayoutEntry, label: str, sources: Sequence[str],
                 parent: QWidget | None = None, paths: Mapping[str, Path] | None = None) -> None:
        super().__init__(parent)
        self._entry = entry
        self.paths = dict(paths or {})
        self.title = QLabel(f"<b>{label}</b>")
        self.badge = QLabel()
        self.badge.setStyleSheet("color: #b26a00;")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.badge)

        self.sync_combo = QComboBox()
        self.sync_combo.addItem("Default (Source 1)", "Source 1")
        for s in sources:
            if s != "Source 1":
                self.sync_combo.addItem(s, s)
        if entry.sync_to:
            i = self.sync_combo.findData(entry.sync_to)
            self.sync_combo.setCurrentIndex(max(0, i))
        self.sync_combo.currentIndexChanged.connect(self._edited)
        self.sync_label = QLabel("Sync to Source:")
        external = entry.source == EXTERNAL
        self.sync_label.setVisible(external)
        self.sync_combo.setVisible(external)

        self.default_box = QCheckBox("Default")
        self.default_box.setChecked(entry.is_default)
        self.default_box.clicked.connect(self._default_clicked)
        self.forced_box = QCheckBox("Forced")
        self.forced_box.setChecked(entry.is_forced_display)
        self.forced_box.setVisible(entry.type is TrackType.SUBTITLES)
        self.forced_box.clicked.connect(self._forced_clicked)
        self.keep_name_box = QCheckBox("Keep original name")
        self.keep_name_box.setToolTip("Write the source track's name into the output (a custom name wins).")
        self.keep_name_box.setChecked(entry.apply_track_name)
        self.keep_name_box.toggled.connect(self._edited)
        self.settings_btn = QPushButton("Settings…")
        self.settings_btn.clicked.connect(self.open_settings)
        bottom = QHBoxLayout()
        bottom.addWidget(self.sync_label)
        bottom.addWidget(self.sync_combo)
        bottom.addStretch(1)
        for w in (self.default_box, self.forced_box, self.keep_name_box, self.settings_btn):
            bottom.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 3, 6, 3)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addLayout(bottom)
        self._refresh_badges()

    # ---------------------------------------------------------------- state
    def entry(self) -> LayoutEntry:
        return self._entry

    def set_default(self, on: bool) -> None:
        self.default_box.setChecked(on)
        self._edited()

    def set_forced(self, on: bool) -> None:
        self.forced_box.setChecked(on)
        self._edited()

    def set_custom(self, lang: str, name: str, **subtitle_options: object) -> None:
        self._entry = replace(self._entry, custom_lang=lang, custom_name=name, **subtitle_options)
        self._edited()

    def open_settings(self) -> TrackSettingsDialog:
        dlg = TrackSettingsDialog(self._entry, self, sources=self.paths)
        dlg.generated.connect(self.generated.emit)
        dlg.accepted.connect(lambda: self.set_custom(dlg.custom_lang(), dlg.custom_name(),
                                                     **dlg.subtitle_options()))
        dlg.open()
        self.settings_dialog = dlg
        return dlg

    def _default_clicked(self, on: bool) -> None:
        self._edited()
        self.default_clicked.emit(on)

    def _forced_clicked(self, on: bool) -> None:
        self._edited()
        self.forced_clicked.emit(on)

    def _edited(self, *_: object) -> None:
        e = self._entry
        self._entry = replace(
            e, is_default=self.default_box.isChecked(),
            is_forced_display=self.forced_box.isChecked() if e.type is TrackType.SUBTITLES else False,
            apply_track_name=self.keep_name_box.isChecked(),
            sync_to=self.sync_combo.currentData() if e.source == EXTERNAL else e.sync_to)
        self._refresh_badges()
        self.changed.emit()

    def _refresh_badges(self) -> None:
        self.badge.setText(badges(self._entry))
