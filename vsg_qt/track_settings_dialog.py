"""Per-track language and name (spec §13.9, the parts vsg's pipeline uses)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vsg_core.jobs.layout import LayoutEntry

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
        sb = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(lang_box)
        lay.addWidget(name_box)
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
