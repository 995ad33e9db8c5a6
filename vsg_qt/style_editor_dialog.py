"""Style editor for the ASS styles of a text subtitle track (opened from Track Settings → Subtitle Options),
its ffmpeg/libass preview, and the style chooser of "Create Signs Track".

The subtitle file is read in a worker (mkvextract for a source's track); colours are read and written by
:class:`vsg_core.subtitles.styles.AssColour` (Qt only shows them); the edits become the track's style patch
(:func:`vsg_core.subtitles.styles.style_patch`), which the subtitle step applies when the job runs. The
preview renders one frame of the reference video with the patched file burnt in (ffmpeg ``subtitles``
filter) in a worker and shows it; a failure (ffmpeg missing, no video) is shown as a message."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vsg_core.subtitles.preview import extract_preview_fonts, first_event_time_s, render_preview
from vsg_core.subtitles.styles import (
    COLOUR_FIELDS,
    AssColour,
    StyleInfo,
    events_by_style,
    merged_fields,
    read_styles,
    style_patch,
)

from . import task

Loader = Callable[..., tuple[bytes, str]]   # loader(work_dir=…): the track's (bytes, format)

COLOUR_LABELS = {"primarycolour": "Primary", "secondarycolour": "Secondary", "outlinecolour": "Outline",
                 "backcolour": "Back / shadow"}
ALIGNMENTS = ((1, "1 — bottom left"), (2, "2 — bottom centre"), (3, "3 — bottom right"), (4, "4 — middle left"),
              (5, "5 — middle centre"), (6, "6 — middle right"), (7, "7 — top left"), (8, "8 — top centre"),
              (9, "9 — top right"))
ERROR_STYLE = "color: #c62828;"


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _float(text: str, default: float = 0.0) -> float:
    try:
        return float(text)
    except ValueError:
        return default


def _loaded(data: bytes, fmt: str) -> tuple[bytes, str, list[StyleInfo], dict[str, list[tuple[float, float]]]]:
    return data, fmt, read_styles(data, fmt), events_by_style(data, fmt)


def _load_all(loader: Loader, work: Path) -> tuple[bytes, str, list[StyleInfo],
                                                  dict[str, list[tuple[float, float]]]]:
    return _loaded(*loader(work_dir=work / "track"))


def _load_with_fonts(loader: Loader, work: Path, font_files: Sequence[Path]):  # type: ignore[no-untyped-def]
    return (*_load_all(loader, work), extract_preview_fonts(list(font_files), work / "fonts"))


class _WorkFolder:
    """A temp folder of one dialog, removed when the dialog closes."""

    def _make_work(self) -> Path:
        self._work = Path(tempfile.mkdtemp(prefix="vsg-styles-"))
        return self._work

    def _drop_work(self) -> None:
        shutil.rmtree(self._work, ignore_errors=True)


class StyleEditorDialog(QDialog, _WorkFolder):
    """``loader`` returns the track's (bytes, format); ``patch`` is the track's current style patch;
    ``reference_video`` the file the preview draws on (None: no preview); the fonts attached to
    ``font_files`` (the track's source, the reference) are given to libass."""

    def __init__(self, loader: Loader, patch: Mapping[str, Mapping[str, str]] | None = None,
                 reference_video: Path | None = None, parent: QWidget | None = None,
                 font_files: Sequence[Path] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Subtitle Styles")
        self.setMinimumSize(760, 520)
        self.reference_video = reference_video
        self.initial_patch = {k: dict(v) for k, v in (patch or {}).items()}
        self.data = b""
        self.fmt = ""
        self.original: list[StyleInfo] = []
        self.values: dict[str, dict[str, str]] = {}
        self.events: dict[str, list[tuple[float, float]]] = {}
        self.loaded = False
        self.load_error = ""
        self.preview_error = ""
        self.preview_image: QImage | None = None
        self.preview_running = False
        self.fonts_dir: Path | None = None
        self._updating = False
        self._tasks: list[task.FunctionTask] = []
        self._make_work()

        self.status = QLabel("Reading the subtitle track…")
        self.status.setWordWrap(True)
        self.style_list = QListWidget()
        self.style_list.setMaximumWidth(200)
        self.style_list.currentTextChanged.connect(self._show_style)

        self.font_edit = QLineEdit()
        self.font_edit.textChanged.connect(lambda t: self._set("fontname", t.strip()))
        self.size_spin = QDoubleSpinBox()
        self.size_spin.setRange(1, 1000)
        self.size_spin.setDecimals(2)
        self.size_spin.valueChanged.connect(lambda v: self._set("fontsize", _num(v)))
        self.colour_buttons: dict[str, QPushButton] = {}
        for f in COLOUR_FIELDS:
            b = QPushButton()
            b.clicked.connect(partial(self.pick_colour, f))
            self.colour_buttons[f] = b
        self.bold = QCheckBox("Bold")
        self.bold.toggled.connect(lambda on: self._set_flag("bold", on))
        self.italic = QCheckBox("Italic")
        self.italic.toggled.connect(lambda on: self._set_flag("italic", on))
        self.outline = QDoubleSpinBox()
        self.outline.setRange(0, 100)
        self.outline.valueChanged.connect(lambda v: self._set("outline", _num(v)))
        self.shadow = QDoubleSpinBox()
        self.shadow.setRange(0, 100)
        self.shadow.valueChanged.connect(lambda v: self._set("shadow", _num(v)))
        self.alignment = QComboBox()
        for n, text in ALIGNMENTS:
            self.alignment.addItem(text, n)
        self.alignment.currentIndexChanged.connect(
            lambda _i: self._set("alignment", str(self.alignment.currentData())))
        self.margins: dict[str, QSpinBox] = {}
        for f in ("marginl", "marginr", "marginv"):
            sp = QSpinBox()
            sp.setRange(0, 99999)
            sp.valueChanged.connect(partial(self._set_int, f))
            self.margins[f] = sp

        form_box = QGroupBox("Style")
        form = QFormLayout(form_box)
        form.addRow("Font:", self.font_edit)
        form.addRow("Size:", self.size_spin)
        for f, b in self.colour_buttons.items():
            form.addRow(f"{COLOUR_LABELS[f]} colour:", b)
        flags = QHBoxLayout()
        flags.addWidget(self.bold)
        flags.addWidget(self.italic)
        flags.addStretch(1)
        form.addRow(flags)
        form.addRow("Outline:", self.outline)
        form.addRow("Shadow:", self.shadow)
        form.addRow("Alignment:", self.alignment)
        for f, label in (("marginl", "Left margin:"), ("marginr", "Right margin:"), ("marginv", "Vertical margin:")):
            form.addRow(label, self.margins[f])
        self.form_box = form_box

        self.preview_time = QDoubleSpinBox()
        self.preview_time.setRange(0, 24 * 3600)
        self.preview_time.setDecimals(2)
        self.preview_time.setSuffix(" s")
        self.preview_btn = QPushButton("Render Preview")
        self.preview_btn.clicked.connect(self.render_preview)
        self.preview_label = QLabel("No preview yet.")
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setMinimumSize(320, 180)
        self.preview_label.setWordWrap(True)
        prow = QHBoxLayout()
        prow.addWidget(QLabel("Time (subtitle file):"))
        prow.addWidget(self.preview_time)
        prow.addWidget(self.preview_btn)
        prow.addStretch(1)
        pbox = QGroupBox("Preview (reference video, libass)")
        pl = QVBoxLayout(pbox)
        pl.addLayout(prow)
        pl.addWidget(self.preview_label, 1)
        if reference_video is None:
            self.preview_btn.setEnabled(False)
            self.preview_label.setText("No reference video (Source 1) to draw the preview on.")

        sb = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(sb.Ok).setEnabled(False)
        self.reset_btn = QPushButton("Reset Style")
        self.reset_btn.clicked.connect(self.reset_current)

        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.style_list, 1)
        left.addWidget(self.reset_btn)
        body.addLayout(left)
        body.addWidget(form_box)
        body.addWidget(pbox, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addLayout(body, 1)
        lay.addWidget(self.buttons)
        self.form_box.setEnabled(False)
        self._run(partial(_load_with_fonts, loader, self._work, list(font_files)), self._on_loaded,
                  self._on_load_failed)

    # ---------------------------------------------------------------- worker plumbing
    def _run(self, fn: Callable[[], object], done: Callable[[object], None], failed: Callable[[str], None]) -> None:
        t = task.start(fn, done, failed)
        self._tasks.append(t)

    @Slot(object)
    def _on_loaded(self, result: object) -> None:
        data, fmt, styles, events, fonts = result  # type: ignore[misc]
        self.data, self.fmt, self.original, self.events, self.fonts_dir = data, fmt, styles, events, fonts
        self.values = merged_fields(styles, self.initial_patch)
        self.loaded = True
        self.status.setText(f"{len(styles)} style(s). Edits are applied to this track when the job runs.")
        self.style_list.clear()
        for s in styles:
            QListWidgetItem(s.name, self.style_list)
        self.form_box.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        if styles:
            self.style_list.setCurrentRow(0)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self.load_error = message
        self.status.setText(f"Cannot read the subtitle track: {message}")
        self.status.setStyleSheet(ERROR_STYLE)
        self.preview_btn.setEnabled(False)

    # ---------------------------------------------------------------- editing
    def current_style(self) -> str:
        item = self.style_list.currentItem()
        return item.text() if item is not None else ""

    def select_style(self, name: str) -> None:
        items = self.style_list.findItems(name, Qt.MatchFlag.MatchExactly)
        if not items:
            raise KeyError(f"no style {name!r}")
        self.style_list.setCurrentItem(items[0])

    def _show_style(self, name: str) -> None:
        v = self.values.get(name)
        if v is None:
            return
        self._updating = True
        try:
            self.font_edit.setText(v.get("fontname", ""))
            self.size_spin.setValue(_float(v.get("fontsize", "20"), 20))
            for f in COLOUR_FIELDS:
                self._paint_button(f, v.get(f, ""))
            self.bold.setChecked(v.get("bold", "0") not in ("0", ""))
            self.italic.setChecked(v.get("italic", "0") not in ("0", ""))
            self.outline.setValue(_float(v.get("outline", "0")))
            self.shadow.setValue(_float(v.get("shadow", "0")))
            i = self.alignment.findData(int(_float(v.get("alignment", "2"), 2)))
            self.alignment.setCurrentIndex(max(0, i))
            for f, sp in self.margins.items():
                sp.setValue(int(_float(v.get(f, "0"))))
            for w, f in ((self.bold, "bold"), (self.italic, "italic"), (self.outline, "outline"),
                         (self.shadow, "shadow"), (self.alignment, "alignment"), (self.font_edit, "fontname"),
                         (self.size_spin, "fontsize"), *((sp, f) for f, sp in self.margins.items())):
                w.setEnabled(f in v)   # SSA files lack some fields
        finally:
            self._updating = False
        times = self.events.get(name, [])
        self.preview_time.setValue(first_event_time_s(times))

    def _paint_button(self, f: str, text: str) -> None:
        b = self.colour_buttons[f]
        try:
            c = AssColour.parse(text)
        except ValueError:
            b.setText((text or "—").replace("&", "&&"))
            b.setEnabled(False)
            return
        b.setEnabled(True)
        b.setText(c.to_ass().replace("&", "&&"))   # a lone & would be a keyboard mnemonic
        fg = "#000000" if (c.red * 299 + c.green * 587 + c.blue * 114) / 1000 > 128 else "#ffffff"
        b.setStyleSheet(f"background-color: rgb({c.red},{c.green},{c.blue}); color: {fg};")
        b.setToolTip(f"{text} (opacity {c.opacity}/255)")

    def _set(self, field: str, value: str) -> None:
        name = self.current_style()
        if self._updating or not name or field not in self.values.get(name, {}):
            return
        self.values[name][field] = value

    def _set_int(self, field: str, value: int) -> None:
        self._set(field, str(value))

    def _set_flag(self, field: str, on: bool) -> None:
        name = self.current_style()
        if self._updating or not name:
            return
        orig = next((s.fields.get(field, "0") for s in self.original if s.name == name), "0")
        was_on = orig not in ("0", "")
        self._set(field, orig if on == was_on else ("-1" if on else "0"))

    def colour(self, field: str) -> AssColour:
        return AssColour.parse(self.values[self.current_style()][field])

    def set_colour(self, field: str, colour: AssColour) -> None:
        """Set a colour of the current style (the picker's result; tests call it directly)."""
        name = self.current_style()
        if not name:
            return
        old = self.values[name].get(field, "")
        self.values[name][field] = colour.format_like(old) if old else colour.to_ass()
        self._paint_button(field, self.values[name][field])

    def pick_colour(self, field: str) -> None:
        c = self.colour(field)
        chosen = QColorDialog.getColor(QColor(c.red, c.green, c.blue, c.opacity), self,
                                       f"{COLOUR_LABELS[field]} colour",
                                       QColorDialog.ColorDialogOption.ShowAlphaChannel)
        if chosen.isValid():
            self.set_colour(field, AssColour(chosen.red(), chosen.green(), chosen.blue(), 255 - chosen.alpha()))

    def reset_current(self) -> None:
        name = self.current_style()
        orig = next((s for s in self.original if s.name == name), None)
        if orig is not None:
            self.values[name] = dict(orig.fields)
            self._show_style(name)

    def style_patch(self) -> dict[str, dict[str, str]] | None:
        """The track's new style patch (None: no change to any style)."""
        if not self.loaded:
            return self.initial_patch or None
        return style_patch(self.original, self.values) or None

    # ---------------------------------------------------------------- preview
    def render_preview(self) -> None:
        if not self.loaded or self.reference_video is None or self.preview_running:
            return
        self.preview_running = True
        self.preview_error = ""
        self.preview_btn.setEnabled(False)
        self.preview_label.setStyleSheet("")
        self.preview_label.setText("Rendering…")
        self._preview_n = getattr(self, "_preview_n", 0) + 1
        out = self._work / f"preview{self._preview_n}.png"
        fn = partial(render_preview, self.reference_video, self.data, self.fmt, self.style_patch(),
                     self.preview_time.value(), out, fonts_dir=self.fonts_dir)
        self._run(fn, self._on_preview, self._on_preview_failed)

    @Slot(object)
    def _on_preview(self, path: object) -> None:
        self.preview_running = False
        self.preview_btn.setEnabled(True)
        img = QImage(str(path))
        if img.isNull():
            self._on_preview_failed(f"cannot read the rendered frame {path}")
            return
        self.preview_image = img
        self._fit_preview()

    def _fit_preview(self) -> None:
        if self.preview_image is None:
            return
        self.preview_label.setPixmap(QPixmap.fromImage(self.preview_image).scaled(
            max(160, self.preview_label.width()), max(90, self.preview_label.height()),
            Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit_preview()

    @Slot(str)
    def _on_preview_failed(self, message: str) -> None:
        self.preview_running = False
        self.preview_btn.setEnabled(True)
        self.preview_error = message
        self.preview_image = None
        self.preview_label.setStyleSheet(ERROR_STYLE)
        self.preview_label.setText(f"Preview failed: {message}")

    def done(self, r: int) -> None:
        self._drop_work()
        super().done(r)


class SignsTrackDialog(QDialog, _WorkFolder):
    """Choose the styles of a new generated track (e.g. "Signs"): the track holds only their events."""

    def __init__(self, loader: Loader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create Signs Track")
        self.setMinimumWidth(380)
        self.loaded = False
        self.load_error = ""
        self._tasks: list[task.FunctionTask] = []
        self.status = QLabel("Reading the subtitle track…")
        self.status.setWordWrap(True)
        self.style_list = QListWidget()
        self.style_list.itemChanged.connect(self._update_ok)
        self.name = QLineEdit("Signs")
        sb = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(sb.Ok).setEnabled(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addWidget(QLabel("Keep only the events of these styles:"))
        lay.addWidget(self.style_list, 1)
        form = QFormLayout()
        form.addRow("Track name:", self.name)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self._make_work()
        self._tasks.append(task.start(partial(_load_all, loader, self._work), self._on_loaded, self._on_failed))

    @Slot(object)
    def _on_loaded(self, result: object) -> None:
        _data, _fmt, styles, events = result  # type: ignore[misc]
        self.style_list.blockSignals(True)
        for s in styles:
            n = len(events.get(s.name, []))
            item = QListWidgetItem(f"{s.name} ({n} events)", self.style_list)
            item.setData(Qt.ItemDataRole.UserRole, s.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            sign = any(w in s.name.lower() for w in ("sign", "title", "caption"))
            item.setCheckState(Qt.CheckState.Checked if sign else Qt.CheckState.Unchecked)
        self.style_list.blockSignals(False)
        self.loaded = True
        self.status.setText(f"{len(styles)} style(s).")
        self._update_ok()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.load_error = message
        self.status.setText(f"Cannot read the subtitle track: {message}")
        self.status.setStyleSheet(ERROR_STYLE)

    def set_checked(self, names: list[str]) -> None:
        for i in range(self.style_list.count()):
            item = self.style_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def chosen_styles(self) -> list[str]:
        out = []
        for i in range(self.style_list.count()):
            item = self.style_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def track_name(self) -> str:
        return self.name.text().strip() or "Signs"

    def done(self, r: int) -> None:
        self._drop_work()
        super().done(r)

    def _update_ok(self, *_: object) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.loaded and bool(self.chosen_styles()))
