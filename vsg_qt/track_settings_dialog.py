"""Per-track language and name (docs/pipeline.md#desktop-app, the parts vsg's pipeline uses) and, for text subtitles,
the options the subtitle step applies (vsg_core/pipeline/subtitles_step.py): SRT→ASS, rescale to the video's
resolution, font size multiplier."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vsg_core.jobs.layout import LayoutEntry
from vsg_core.models import TrackType

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


class TrackSettingsDialog(QDialog):
    def __init__(self, entry: LayoutEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
                "rescale": self.rescale.isChecked(), "size_multiplier": round(self.size.value(), 2)}
