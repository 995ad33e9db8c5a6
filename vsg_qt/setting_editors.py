"""One editor widget per setting kind (checkbox, spin box, combo box, path picker, line edit) with a uniform
``value()``/``set_value()`` interface. The editors accept anything their kind can hold; validity is decided by
:meth:`vsg_core.config.Settings.set`, which the options dialog calls."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit, QSpinBox, QWidget

from vsg_core.config import BY_KEY

from .path_field import PathField
from .settings_schema import Kind, kind_of

INT_LIMIT = 2_000_000_000
FLOAT_LIMIT = 1e12


class SettingEditor(QWidget):
    changed = Signal()

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.kind = kind_of(key)
        s = BY_KEY[key]
        default = s.default
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        unit = s.unit
        w: QWidget
        if self.kind is Kind.BOOL:
            w = QCheckBox()
            w.toggled.connect(self.changed)
        elif self.kind is Kind.INT:
            w = QSpinBox()
            w.setRange(int(s.minimum) if s.minimum is not None else -INT_LIMIT,
                       int(s.maximum) if s.maximum is not None else INT_LIMIT)
            w.setSuffix(f" {unit}" if unit else "")
            w.setMaximumWidth(170)
            w.valueChanged.connect(self.changed)
        elif self.kind is Kind.FLOAT:
            w = QDoubleSpinBox()
            w.setRange(s.minimum if s.minimum is not None else -FLOAT_LIMIT,
                       s.maximum if s.maximum is not None else FLOAT_LIMIT)
            w.setDecimals(3)
            w.setSingleStep(0.1 if abs(default) < 10 else 1.0)
            w.setSuffix(f" {unit}" if unit else "")
            w.setMaximumWidth(170)
            w.valueChanged.connect(self.changed)
        elif self.kind is Kind.CHOICE:
            w = QComboBox()
            for choice in s.choices:
                w.addItem(choice, choice)
            w.currentIndexChanged.connect(self.changed)
        elif self.kind in (Kind.DIR, Kind.FILE):
            w = PathField(key, mode="dir" if self.kind is Kind.DIR else "file", file_filter="All files (*)")
            w.changed.connect(self.changed)
        else:  # TEXT, LIST
            w = QLineEdit()
            if self.kind is Kind.LIST:
                w.setPlaceholderText("a JSON list, e.g. [10, 50, 90]")
            w.textChanged.connect(self.changed)
        self.widget = w
        lay.addWidget(w)
        if self.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL):
            lay.addStretch(1)

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, (QSpinBox, QDoubleSpinBox)):
            return w.value()
        if isinstance(w, QComboBox):
            data = w.currentData()
            return data if data is not None else w.currentText()
        if isinstance(w, PathField):
            return w.text()
        assert isinstance(w, QLineEdit)
        return w.text()  # a LIST is parsed (and checked) by Settings.set

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.setValue(value)
        elif isinstance(w, QComboBox):
            i = w.findData(value)
            if i < 0:  # a value from the file that the list does not know: keep it visible and selectable
                w.addItem(str(value), value)
                i = w.count() - 1
            w.setCurrentIndex(i)
        elif isinstance(w, PathField):
            w.setText(str(value))
        else:
            assert isinstance(w, QLineEdit)
            w.setText(json.dumps(value) if isinstance(value, list) else str(value))

    def set_error(self, message: str | None) -> None:
        self.widget.setStyleSheet("" if not message else "background: #ffebee; border: 1px solid #c62828;")
        base = self.toolTip().split("\n\n⚠ ")[0]
        self.setToolTip(base if not message else f"{base}\n\n⚠ {message}")
