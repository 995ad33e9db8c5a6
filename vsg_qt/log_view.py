"""The live log pane. By default a compact view: each external command (``$ ffmpeg …``) and each
``[stderr/tail]`` block is folded into one short row that expands on click, so the job's own messages are
readable; the full log (every line as written to the log file, highlighted) is one click away."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

_STAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ")
ERROR_PREFIXES = ("[ERROR]", "[FATAL", "[!]", "[FATAL WORKER ERROR]")
WARNING_PREFIXES = ("[WARNING]", "[WARN]")


def _fmt(colour: str, bold: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(colour))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    return f


# symbols some log lines carry that the default fonts may lack (drawn as an empty box): readable text instead
GLYPH_TEXT = {"\u2705": "[OK]", "\u26a0\ufe0f": "(!)", "\u26a0": "(!)", "\u2714": "ok", "\u2713": "ok",
              "\u2717": "x", "\u2718": "x", "\u274c": "x", "\ufe0f": ""}


class GlyphFilter:
    """Replaces characters the given fonts cannot draw: the known symbols by text, anything else by "?"."""

    def __init__(self, *fonts: QFont) -> None:
        self.metrics = [QFontMetrics(f) for f in fonts]
        self.cache: dict[str, bool] = {}

    def drawable(self, ch: str) -> bool:
        ok = self.cache.get(ch)
        if ok is None:
            ok = all(m.inFontUcs4(ord(ch)) for m in self.metrics)
            self.cache[ch] = ok
        return ok

    def __call__(self, text: str) -> str:
        if text.isascii():
            return text
        for k, v in GLYPH_TEXT.items():
            if k in text and not all(self.drawable(c) for c in k if c != "\ufe0f"):
                text = text.replace(k, v)
        text = text.replace("\ufe0f", "")
        return "".join(c if ord(c) < 0x2000 or self.drawable(c) else "?" for c in text)


def split_stamp(line: str) -> tuple[str, str]:
    m = _STAMP.match(line)
    return (line[:m.end()], line[m.end():]) if m else ("", line)


def command_summary(body: str) -> str:
    """``$ /usr/bin/ffmpeg -nostdin … in.mkv`` → ``ffmpeg (12 arguments)``."""
    try:
        args = shlex.split(body[2:])
    except ValueError:
        args = body[2:].split()
    if not args:
        return "command"
    return f"{Path(args[0]).name} ({len(args) - 1} argument{'s' if len(args) != 2 else ''})"


class LogHighlighter(QSyntaxHighlighter):
    """Errors red, warnings amber, success green, section markers bold, commands grey."""

    def __init__(self, doc: QTextDocument) -> None:
        super().__init__(doc)
        self.rules = (
            (ERROR_PREFIXES, _fmt("#c62828", True)),
            (WARNING_PREFIXES, _fmt("#b26a00")),
            (("[SUCCESS]",), _fmt("#2e7d32", True)),
        )
        self.section = _fmt("#1a237e", True)
        self.command = _fmt("#616161")
        self.stamp = _fmt("#9e9e9e")

    def highlightBlock(self, text: str) -> None:
        stamp, body = split_stamp(text)
        start = len(stamp)
        if stamp:
            self.setFormat(0, start, self.stamp)
        for prefixes, fmt in self.rules:
            if body.startswith(prefixes):
                self.setFormat(start, len(text) - start, fmt)
                return
        if (body.startswith("--- ") and body.endswith(" ---")) or body.startswith("=== "):
            self.setFormat(start, len(text) - start, self.section)
        elif body.startswith("$ ") or body.startswith("Progress: "):
            self.setFormat(start, len(text) - start, self.command)


class FullLog(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setMaximumBlockCount(50_000)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = LogHighlighter(self.document())


class CompactLog(QTreeWidget):
    """Job messages one per row; commands and stderr blocks folded under a one-line summary."""

    MAX_ROWS = 20_000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setUniformRowHeights(True)
        self.setRootIsDecorated(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self._open_block: QTreeWidgetItem | None = None   # a [stderr/tail] block collecting its lines
        self.colours = {"error": QColor("#c62828"), "warning": QColor("#b26a00"), "success": QColor("#2e7d32"),
                        "section": QColor("#1a237e"), "command": QColor("#616161")}

    def add_line(self, line: str) -> None:
        for part in line.rstrip("\n").split("\n"):
            self._add(part)

    def _add(self, line: str) -> None:
        stamp, body = split_stamp(line)
        if self._open_block is not None:
            if line and not stamp and not body.startswith(("---", "===", "[")):
                QTreeWidgetItem(self._open_block, [line])
                return
            self._open_block = None
        if body.startswith("$ "):
            item = QTreeWidgetItem([f"{stamp}$ {command_summary(body)}"])
            item.setForeground(0, self.colours["command"])
            item.setToolTip(0, body[2:])
            child = QTreeWidgetItem(item, [body[2:]])
            child.setToolTip(0, body[2:])
            self._append(item)
            return
        if body.startswith("Progress: "):
            return
        item = QTreeWidgetItem([line])
        item.setToolTip(0, line)
        kind = ("error" if body.startswith(ERROR_PREFIXES) else "warning" if body.startswith(WARNING_PREFIXES)
                else "success" if body.startswith("[SUCCESS]")
                else "section" if (body.startswith("--- ") and body.endswith(" ---")) or body.startswith("===")
                else None)
        if body.startswith("[") and body.endswith("/tail]"):
            item.setText(0, f"{stamp}{body[1:-1]} (expand to read)")
            item.setForeground(0, self.colours["command"])
            self._open_block = item
        elif kind is not None:
            item.setForeground(0, self.colours[kind])
            if kind in ("section", "error"):
                f = item.font(0)
                f.setBold(True)
                item.setFont(0, f)
        self._append(item)

    def _append(self, item: QTreeWidgetItem) -> None:
        self.addTopLevelItem(item)
        while self.topLevelItemCount() > self.MAX_ROWS:
            self.takeTopLevelItem(0)

    def rows(self) -> list[str]:
        return [self.topLevelItem(i).text(0) for i in range(self.topLevelItemCount())]


class LogView(QWidget):
    """Compact view by default; "Show Full Log" switches to every line as written."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.autoscroll = True
        self.show_hint = True   # the line explaining the folding (a window short of room hides it)
        self.compact = CompactLog()
        self.full = FullLog()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.compact)
        self.stack.addWidget(self.full)
        self.toggle_btn = QPushButton("Show Full Log")
        self.toggle_btn.setCheckable(True)
        self.toggle_btn.setToolTip("Every line of the log, commands included, as in the job's .log file.")
        self.toggle_btn.toggled.connect(self.show_full)
        self.hint = QLabel("Commands and error output are folded: click the arrow before a line to expand it.")
        self.hint.setStyleSheet("color: #616161")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.hint, 1)
        bar.addWidget(self.toggle_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        self.glyphs = GlyphFilter(self.full.font(), self.compact.font())

    def show_full(self, full: bool) -> None:
        self.stack.setCurrentWidget(self.full if full else self.compact)
        self.toggle_btn.setText("Show Compact Log" if full else "Show Full Log")
        self.toggle_btn.blockSignals(True)
        self.toggle_btn.setChecked(full)
        self.toggle_btn.blockSignals(False)
        self.hint.setVisible(self.show_hint and not full)

    def is_full(self) -> bool:
        return self.stack.currentWidget() is self.full

    def append_line(self, line: str) -> None:
        line = self.glyphs(line)
        sb = self.full.verticalScrollBar()
        at_end = sb.value() >= sb.maximum() - 2
        self.full.appendPlainText(line.rstrip("\n"))
        if self.autoscroll or at_end:
            sb.setValue(sb.maximum())
        csb = self.compact.verticalScrollBar()
        c_at_end = csb.value() >= csb.maximum() - 2
        self.compact.add_line(line)
        if self.autoscroll or c_at_end:
            self.compact.scrollToBottom()

    def clear(self) -> None:
        self.full.clear()
        self.compact.clear()
        self.compact._open_block = None

    def toPlainText(self) -> str:
        return self.full.toPlainText()

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.toPlainText().splitlines()[-lines:])
