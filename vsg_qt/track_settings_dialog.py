"""Per-track language and name (docs/pipeline.md#desktop-app, the parts vsg's pipeline uses) and, for text
subtitles, the options the subtitle step applies (vsg_core/pipeline/subtitles_step.py): SRT→ASS, rescale to the
video's resolution, font size multiplier, the style patch (style editor with a preview) and "Create Signs Track"
(a new output track holding only some styles' events)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vsg_core.jobs.layout import EXTERNAL, LayoutEntry
from vsg_core.models import TrackType
from vsg_core.subtitles.preview import load_track

from .style_editor_dialog import Loader, SignsTrackDialog, StyleEditorDialog

ASS_CODECS = ("S_TEXT/ASS", "S_TEXT/SSA")
SRT_CODECS = ("S_TEXT/UTF8", "S_TEXT/ASCII", "S_TEXT/WEBVTT")


def is_text_subtitle(entry: LayoutEntry) -> bool:
    if entry.type is not TrackType.SUBTITLES:
        return False
    if entry.external_path:
        return entry.external_path.lower().endswith((".ass", ".ssa", ".srt", ".vtt"))
    return entry.codec_id.upper() in ASS_CODECS + SRT_CODECS

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("English", "eng"), ("Japanese", "jpn"), ("Chinese", "zho"), ("Spanish", "spa"), ("French", "fra"),
    ("German", "deu"), ("Italian", "ita"), ("Portuguese", "por"), ("Russian", "rus"), ("Korean", "kor"),
    ("Arabic", "ara"), ("Turkish", "tur"), ("Polish", "pol"), ("Dutch", "nld"), ("Swedish", "swe"),
    ("Norwegian", "nor"), ("Finnish", "fin"), ("Danish", "dan"), ("Czech", "ces"), ("Hungarian", "hun"),
    ("Greek", "ell"), ("Hebrew", "heb"), ("Thai", "tha"), ("Vietnamese", "vie"), ("Hindi", "hin"),
)


def track_loader(entry: LayoutEntry, sources: Mapping[str, Path]) -> Loader:
    """A function of a work folder returning the entry's subtitle (bytes, format): its external file, or its
    track extracted from its source into that folder (run it in a worker: it may call mkvextract)."""
    if entry.source == EXTERNAL:
        return partial(load_track, external_path=entry.external_path)
    return partial(load_track, source_path=sources.get(entry.source), track_id=entry.id, codec_id=entry.codec_id)


class TrackSettingsDialog(QDialog):
    """``sources`` (source key → file) lets the style editor read the track and draw its preview on Source 1;
    ``generated`` fires with the new layout entry when the user creates a signs track."""

    generated = Signal(object)

    def __init__(self, entry: LayoutEntry, parent: QWidget | None = None,
                 sources: Mapping[str, Path] | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.sources = {k: Path(v) for k, v in (sources or {}).items()}
        self.style_patch_value = entry.style_patch
        self.style_dialog: StyleEditorDialog | None = None
        self.signs_dialog: SignsTrackDialog | None = None
        self.setWindowTitle("Track Settings")
        self.setMinimumWidth(400)
        self.lang = QComboBox()
        self.lang.setEditable(True)  # any ISO 639-2 / BCP 47 code mkvmerge accepts
        self.lang.addItem(f"Keep Original ({entry.lang or 'und'})", "")
        self.lang.insertSeparator(1)
        self.lang.addItem("Undetermined (und)", "und")
        self.lang.insertSeparator(3)
        for name, code in LANGUAGES:
            self.lang.addItem(f"{name} ({code})", code)
        i = self.lang.findData(entry.custom_lang) if entry.custom_lang else 0
        if i >= 0:
            self.lang.setCurrentIndex(i)
        else:
            self.lang.setEditText(entry.custom_lang)
        self.name = QLineEdit(entry.custom_name)
        self.name.setPlaceholderText(entry.name or "no name")
        lang_box = QGroupBox("Language Settings")
        QFormLayout(lang_box).addRow("Language Code:", self.lang)
        name_box = QGroupBox("Track Name")
        QFormLayout(name_box).addRow("Custom Name:", self.name)
        self.subs_box: QGroupBox | None = None
        if is_text_subtitle(entry):
            is_ass = entry.codec_id.upper() in ASS_CODECS or (entry.external_path or "").lower().endswith(
                (".ass", ".ssa"))
            self.convert = QCheckBox("Convert to ASS")
            self.convert.setChecked(entry.convert_to_ass and not is_ass)
            self.convert.setEnabled(not is_ass)
            self.convert.setToolTip("Write this SRT/WebVTT track as ASS (one Default style).")
            self.rescale = QCheckBox("Rescale to the video's resolution")
            self.rescale.setChecked(entry.rescale)
            self.rescale.setToolTip("Scale PlayRes, styles and positioning tags to Source 1's video size "
                                    "(ASS only; keeps the aspect, centres).")
            self.size = QDoubleSpinBox()
            self.size.setRange(0.5, 3.0)
            self.size.setSingleStep(0.05)
            self.size.setDecimals(2)
            self.size.setValue(entry.size_multiplier if 0.5 <= entry.size_multiplier <= 3.0 else 1.0)
            self.size.setToolTip("Multiply every style's font size (ASS only).")
            self.subs_box = QGroupBox("Subtitle Options")
            form = QFormLayout(self.subs_box)
            form.addRow(self.convert)
            form.addRow(self.rescale)
            form.addRow("Font size multiplier:", self.size)
            can_read = entry.source == EXTERNAL or entry.source in self.sources
            self.styles_btn = QPushButton("Edit Styles…")
            self.styles_btn.setToolTip("Fonts, sizes, colours, margins of this track's ASS styles, with a preview "
                                       "on the reference video.")
            self.styles_btn.clicked.connect(self.open_style_editor)
            self.signs_btn = QPushButton("Create Signs Track…")
            self.signs_btn.setToolTip("Add an output track made from this one holding only the chosen styles "
                                      "(e.g. signs and songs).")
            self.signs_btn.clicked.connect(self.open_signs_dialog)
            for b in (self.styles_btn, self.signs_btn):
                b.setEnabled(can_read)
            self.convert.toggled.connect(self._update_style_buttons)
            self._is_ass = is_ass
            self._update_style_buttons()
            self.patch_label = QLabel()
            self._show_patch()
            row = QHBoxLayout()
            row.addWidget(self.styles_btn)
            row.addWidget(self.signs_btn)
            form.addRow(row)
            form.addRow(self.patch_label)
        sb = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(lang_box)
        lay.addWidget(name_box)
        if self.subs_box is not None:
            lay.addWidget(self.subs_box)
        lay.addWidget(buttons)

    def custom_lang(self) -> str:
        i = self.lang.currentIndex()
        if i >= 0 and self.lang.itemText(i) == self.lang.currentText():
            return str(self.lang.itemData(i) or "")
        text = self.lang.currentText().strip()
        if text.endswith(")") and "(" in text:  # "German (deu)" typed or pasted
            text = text[text.rfind("(") + 1:-1]
        return text

    def custom_name(self) -> str:
        return self.name.text().strip()

    def subtitle_options(self) -> dict[str, object]:
        """convert_to_ass / rescale / size_multiplier for a text subtitle track ({} for other tracks)."""
        if self.subs_box is None:
            return {}
        return {"convert_to_ass": self.convert.isEnabled() and self.convert.isChecked(),
                "rescale": self.rescale.isChecked(), "size_multiplier": round(self.size.value(), 2),
                "style_patch": self.style_patch_value}

    # ---------------------------------------------------------------- styles
    def _update_style_buttons(self, *_: object) -> None:
        """Styles exist in ASS/SSA, and in SRT/WebVTT once converted."""
        ok = self._is_ass or self.convert.isChecked()
        can_read = self.entry.source == EXTERNAL or self.entry.source in self.sources
        self.styles_btn.setEnabled(ok and can_read)
        self.signs_btn.setEnabled(self._is_ass and can_read)   # an SRT has one style: nothing to pick from

    def _show_patch(self) -> None:
        p = self.style_patch_value or {}
        self.patch_label.setText("Styles edited: " + ", ".join(p) if p else "Styles as in the file.")

    def open_style_editor(self) -> StyleEditorDialog:
        dlg = StyleEditorDialog(track_loader(self.entry, self.sources), self.style_patch_value,
                                self.sources.get("Source 1"), self,
                                font_files=[p for p in (self.sources.get(self.entry.source),
                                                        self.sources.get("Source 1")) if p is not None])
        dlg.accepted.connect(lambda: self._style_edited(dlg))
        dlg.open()
        self.style_dialog = dlg
        return dlg

    def _style_edited(self, dlg: StyleEditorDialog) -> None:
        self.style_patch_value = dlg.style_patch()
        self._show_patch()

    def open_signs_dialog(self) -> SignsTrackDialog:
        dlg = SignsTrackDialog(track_loader(self.entry, self.sources), self)
        dlg.accepted.connect(lambda: self.generated.emit(self.signs_entry(dlg.chosen_styles(), dlg.track_name())))
        dlg.open()
        self.signs_dialog = dlg
        return dlg

    def signs_entry(self, styles: list[str], name: str) -> LayoutEntry:
        """The new output track: this track (with its current options) holding only ``styles``' events."""
        base = replace(self.entry, **{k: v for k, v in self.subtitle_options().items()})
        return replace(base, generated_filter_styles=tuple(styles), generated_filter_mode="include",
                       custom_name=name, is_default=False, is_forced_display=False)
