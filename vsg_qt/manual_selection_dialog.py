"""Manual track selection (docs/pipeline.md#desktop-app): every track of every source on the left, the output's tracks
on the right in output order, each with its settings; external subtitle files can be added. Produces a Layout."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vsg_core.jobs.layout import EXTERNAL, Layout, LayoutEntry, default_layout, entry_from_track
from vsg_core.models import TrackType

from .messages import show_message
from .track_info import SUBTITLE_FILTER, JobTracks, entry_label, external_entry, source_title, track_label
from .track_widget import TrackWidget

ROLE_ENTRY = Qt.ItemDataRole.UserRole
ROLE_KEY = Qt.ItemDataRole.UserRole + 1


def normalise_flags(entries: list[LayoutEntry]) -> list[LayoutEntry]:
    """Flags (docs/pipeline.md#desktop-app): one default video/audio (the first checked, else the first track), at most
    one default subtitle (the first checked), at most one forced subtitle (the first checked)."""
    out = list(entries)
    for ttype, force in ((TrackType.VIDEO, True), (TrackType.AUDIO, True), (TrackType.SUBTITLES, False)):
        idx = [i for i, e in enumerate(out) if e.type is ttype]
        checked = [i for i in idx if out[i].is_default]
        keep = checked[0] if checked else (idx[0] if idx and force else None)
        for i in idx:
            out[i] = replace(out[i], is_default=(i == keep))
    forced = [i for i, e in enumerate(out) if e.type is TrackType.SUBTITLES and e.is_forced_display]
    for i in forced[1:]:
        out[i] = replace(out[i], is_forced_display=False)
    return out


class ManualSelectionDialog(QDialog):
    def __init__(self, sources: Mapping[str, Path], tracks: JobTracks, layout: Layout | None = None,
                 info: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manual Track Selection")
        self.setMinimumSize(860, 540)   # fits a 1024×640 screen; opens larger where there is room
        self.resize(1100, 650)
        self.sources = {k: Path(v) for k, v in sources.items()}
        self.tracks = tracks
        self.layout_result: Layout | None = None
        self.source_lists: dict[str, QListWidget] = {}

        self.info = QLabel(info)
        self.info.setStyleSheet("color: #2e7d32; font-weight: bold;")
        self.info.setVisible(bool(info))

        # ------------------------------------------------ left: the sources' tracks
        left_inner = QWidget()
        left_lay = QVBoxLayout(left_inner)
        for key in tracks.sources:
            box = QGroupBox(source_title(key, self.sources[key]))
            lst = QListWidget()
            lst.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            for ti in tracks.infos[key].tracks:
                item = QListWidgetItem(track_label(ti))
                item.setData(ROLE_KEY, (key, ti.id))
                if ti.type is TrackType.VIDEO and key != "Source 1":
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                    item.setForeground(QColor("#9e9e9e"))
                    item.setToolTip("Video is only taken from the reference (Source 1).")
                lst.addItem(item)
            lst.itemDoubleClicked.connect(self._source_double_clicked)
            lst.setMaximumHeight(max(60, 22 * lst.count() + 8))
            QVBoxLayout(box).addWidget(lst)
            left_lay.addWidget(box)
            self.source_lists[key] = lst
        left_lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left_inner)
        self.add_btn = QPushButton("Add Selected →")
        self.add_btn.clicked.connect(self.add_selected)
        self.external_btn = QPushButton("Add External Subtitle(s)…")
        self.external_btn.clicked.connect(self.browse_external)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("Double-click a track (or select and Add) to put it into the output."))
        lv.addWidget(scroll, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_btn)
        row.addWidget(self.external_btn)
        lv.addLayout(row)

        # ------------------------------------------------ right: the output
        self.final_list = QListWidget()
        self.final_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.final_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.final_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.final_list.setSpacing(1)
        self.final_list.model().rowsMoved.connect(self._rows_moved)
        self.up_btn = QPushButton("Move Up")
        self.down_btn = QPushButton("Move Down")
        self.remove_btn = QPushButton("Remove")
        self.clear_btn = QPushButton("Clear")
        self.reset_btn = QPushButton("Default Layout")
        self.up_btn.clicked.connect(lambda: self.move_current(-1))
        self.down_btn.clicked.connect(lambda: self.move_current(1))
        self.remove_btn.clicked.connect(self.remove_current)
        self.clear_btn.clicked.connect(self.clear_final)
        self.reset_btn.clicked.connect(self.reset_to_default)
        btns = QHBoxLayout()
        for b in (self.up_btn, self.down_btn, self.remove_btn, self.clear_btn):
            btns.addWidget(b)
        btns.addStretch(1)
        btns.addWidget(self.reset_btn)
        self.attach_boxes: dict[str, QCheckBox] = {}
        attach = QGroupBox("Attachments")
        al = QHBoxLayout(attach)
        al.addWidget(QLabel("Include attachments (fonts) from:"))
        wanted = set(layout.attachment_sources) if layout is not None else {"Source 1"}
        for key in tracks.sources:
            cb = QCheckBox(key)
            cb.setChecked(key in wanted)
            al.addWidget(cb)
            self.attach_boxes[key] = cb
        al.addStretch(1)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(QLabel("<b>Final Output</b> (drag to reorder)"))
        rv.addWidget(self.final_list, 1)
        rv.addLayout(btns)
        rv.addWidget(attach)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        sb = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addWidget(split, 1)
        lay.addWidget(self.buttons)

        QShortcut(QKeySequence("Ctrl+Up"), self, lambda: self.move_current(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self, lambda: self.move_current(1))
        self.final_list.installEventFilter(self)

        start = layout if layout is not None else default_layout(tracks.tracks)
        for e in start.entries:
            if e.source == EXTERNAL or tracks.info(e.source, e.id) is not None:
                self.add_entry(e)

    # ---------------------------------------------------------------- source side
    def source_item(self, source: str, track_id: int) -> QListWidgetItem:
        lst = self.source_lists[source]
        for i in range(lst.count()):
            if lst.item(i).data(ROLE_KEY) == (source, track_id):
                return lst.item(i)
        raise KeyError(f"{source} has no track {track_id}")

    def _source_double_clicked(self, item: QListWidgetItem) -> None:
        self.add_track(*item.data(ROLE_KEY))

    def add_selected(self) -> None:
        for lst in self.source_lists.values():
            for item in lst.selectedItems():
                if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                    self.add_track(*item.data(ROLE_KEY))
            lst.clearSelection()

    def add_track(self, source: str, track_id: int) -> LayoutEntry | None:
        info = self.tracks.info(source, track_id)
        if info is None or (info.type is TrackType.VIDEO and source != "Source 1"):
            return None
        return self.add_entry(entry_from_track(source, info.track))

    def browse_external(self) -> None:
        start = str(self.sources["Source 1"].parent)
        files, _ = QFileDialog.getOpenFileNames(self, "Add External Subtitle(s)", start, SUBTITLE_FILTER)
        for f in files:
            self.add_external(Path(f))

    def add_external(self, path: Path, sync_to: str = "Source 1") -> LayoutEntry:
        return self.add_entry(external_entry(Path(path), sync_to))

    # ---------------------------------------------------------------- final list
    def add_entry(self, entry: LayoutEntry, row: int | None = None) -> LayoutEntry:
        item = QListWidgetItem()
        item.setData(ROLE_ENTRY, entry)
        if row is None:
            self.final_list.addItem(item)
        else:
            self.final_list.insertItem(row, item)
        self._attach_widget(item)
        self.final_list.setCurrentItem(item)
        return entry

    def _attach_widget(self, item: QListWidgetItem) -> TrackWidget:
        entry: LayoutEntry = item.data(ROLE_ENTRY)
        w = TrackWidget(entry, entry_label(entry, self.tracks), self.tracks.sources, paths=self.sources)
        w.generated.connect(lambda new: self.add_entry(new, self.final_list.row(item) + 1))
        w.changed.connect(lambda: item.setData(ROLE_ENTRY, w.entry()))
        w.default_clicked.connect(lambda on: self._only_default(w) if on else None)
        w.forced_clicked.connect(lambda on: self._only_forced(w) if on else None)
        item.setSizeHint(w.sizeHint())
        self.final_list.setItemWidget(item, w)
        return w

    def widgets(self) -> list[TrackWidget]:
        out = []
        for i in range(self.final_list.count()):
            w = self.final_list.itemWidget(self.final_list.item(i))
            if w is None:  # lost by a drag and drop: rebuild from the item's entry
                w = self._attach_widget(self.final_list.item(i))
            out.append(w)  # type: ignore[arg-type]
        return out

    def entries(self) -> list[LayoutEntry]:
        return [self.final_list.item(i).data(ROLE_ENTRY) for i in range(self.final_list.count())]

    def _only_default(self, chosen: TrackWidget) -> None:
        t = chosen.entry().type
        for w in self.widgets():
            if w is not chosen and w.entry().type is t and w.entry().is_default:
                w.set_default(False)

    def _only_forced(self, chosen: TrackWidget) -> None:
        for w in self.widgets():
            if w is not chosen and w.entry().is_forced_display:
                w.set_forced(False)

    def move_current(self, delta: int) -> None:
        row = self.final_list.currentRow()
        to = row + delta
        if row < 0 or not 0 <= to < self.final_list.count():
            return
        item = self.final_list.takeItem(row)  # deletes the row's widget; the entry lives in the item
        self.final_list.insertItem(to, item)
        self._attach_widget(item)
        self.final_list.setCurrentRow(to)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Delete removes the current output track; Ctrl+Up/Down move it (also while the list has focus)."""
        if obj is self.final_list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove_current()
                return True
            if ctrl and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_current(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(obj, event)

    def _rows_moved(self, *_: QModelIndex | int) -> None:
        self.widgets()

    def remove_current(self) -> None:
        row = self.final_list.currentRow()
        if row >= 0:
            self.final_list.takeItem(row)

    def clear_final(self) -> None:
        self.final_list.clear()

    def reset_to_default(self) -> None:
        self.clear_final()
        for e in default_layout(self.tracks.tracks).entries:
            self.add_entry(e)

    # ---------------------------------------------------------------- result
    def current_layout(self) -> Layout:
        entries = normalise_flags(self.entries())
        attach = tuple(k for k, cb in self.attach_boxes.items() if cb.isChecked())
        return Layout(tuple(entries), attach)

    def accept(self) -> None:
        if self.final_list.count() == 0:
            show_message(self, "warning", "No Tracks Chosen",
                         "Put at least one track into the final output (double-click a track on the left).")
            return
        self.layout_result = self.current_layout()
        super().accept()
