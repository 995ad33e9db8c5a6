"""The live log pane: read-only, monospace, the job log's own line formats (spec §12) highlighted."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QFontDatabase, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_STAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ")


def _fmt(colour: str, bold: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(colour))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    return f


class LogHighlighter(QSyntaxHighlighter):
    """Errors red, warnings amber, success green, section markers bold, commands grey."""

    def __init__(self, doc: QTextDocument) -> None:
        super().__init__(doc)
        self.rules = (
            (("[ERROR]", "[FATAL", "[!]", "[FATAL WORKER ERROR]"), _fmt("#c62828", True)),
            (("[WARNING]", "[WARN]"), _fmt("#b26a00")),
            (("[SUCCESS]",), _fmt("#2e7d32", True)),
        )
        self.section = _fmt("#1a237e", True)
        self.command = _fmt("#616161")
        self.stamp = _fmt("#9e9e9e")

    def highlightBlock(self, text: str) -> None:
        m = _STAMP.match(text)
        body = text[m.end():] if m else text
        if m:
            self.setFormat(0, m.end(), self.stamp)
        start = m.end() if m else 0
        for prefixes, fmt in self.rules:
            if body.startswith(prefixes):
                self.setFormat(start, len(text) - start, fmt)
                return
        if (body.startswith("--- ") and body.endswith(" ---")) or body.startswith("=== "):
            self.setFormat(start, len(text) - start, self.section)
        elif body.startswith("$ ") or body.startswith("Progress: "):
            self.setFormat(start, len(text) - start, self.command)


class LogView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setMaximumBlockCount(50_000)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.autoscroll = True
        self.highlighter = LogHighlighter(self.document())

    def append_line(self, line: str) -> None:
        sb = self.verticalScrollBar()
        at_end = sb.value() >= sb.maximum() - 2
        self.appendPlainText(line.rstrip("\n"))
        if self.autoscroll or at_end:
            sb.setValue(sb.maximum())
