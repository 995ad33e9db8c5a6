"""Style editor, preview and "Create Signs Track" through the real dialogs (Manual Selection → track Settings →
Edit Styles / Create Signs Track), on the generated reference release. The layout the dialogs produce is muxed
by ``run_job`` (what ``vsg sync`` runs); the output's subtitle tracks are extracted with mkvextract and read
here, independently of vsg's parser. The preview is rendered by real ffmpeg/libass."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from vsg_core.config import Settings
from vsg_core.jobs.discovery import JobSpec
from vsg_core.jobs.layout import EXTERNAL
from vsg_core.models import TrackType
from vsg_core.pipeline import MERGED, run_job
from vsg_core.subtitles.styles import AssColour
from vsg_qt.manual_selection_dialog import ManualSelectionDialog
from vsg_qt.style_editor_dialog import StyleEditorDialog
from vsg_qt.track_info import identify_job
from vsg_qt.track_settings_dialog import track_loader

pytestmark = [pytest.mark.media, pytest.mark.slow]

WAIT_MS = 60_000

TWO_STYLES = """[Script Info]
ScriptType: v4.00+
PlayResX: 320
PlayResY: 180

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,DejaVu Sans,14,&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,8,1
Style: Signs,DejaVu Sans,12,&H0000FFFF,&H000000FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,1,0,8,10,10,8,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,Line one
Dialogue: 0,0:00:02.00,0:00:04.00,Signs,,0,0,0,,SIGN ONE
Dialogue: 0,0:00:05.00,0:00:07.00,Default,,0,0,0,,Line two
Dialogue: 0,0:00:06.00,0:00:08.50,Signs,,0,0,0,,SIGN TWO
Comment: 0,0:00:09.00,0:00:10.00,Signs,,0,0,0,,a comment
"""


def _settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.set("temp_root", str(tmp_path / "temp"))
    s.set("output_folder", str(tmp_path / "out"))
    return s


def _subtitle_tracks(path: Path) -> list[dict]:
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(path)], capture_output=True, text=True,
                                     check=True).stdout)
    return [t for t in info["tracks"] if t["type"] == "subtitles"]


def _extract(path: Path, track_id: int, out: Path) -> str:
    subprocess.run(["mkvextract", str(path), "tracks", f"{track_id}:{out}"], capture_output=True, check=True)
    return out.read_text(encoding="utf-8-sig")


def _styles(text: str) -> dict[str, dict[str, str]]:
    """Style name → {lower-case Format name: value}, read from the extracted file."""
    fmt: list[str] = []
    out = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip().lower()
        elif section in ("[v4+ styles]", "[v4 styles]") and line.startswith("Format:"):
            fmt = [f.strip().lower() for f in line[7:].split(",")]
        elif line.startswith("Style:"):
            values = [v.strip() for v in line[6:].split(",")]
            out[values[0]] = dict(zip(fmt, values, strict=True))
    return out


def _events(text: str) -> list[tuple[str, str]]:
    """(style, text) of every Dialogue line of the extracted file."""
    out = []
    for line in text.splitlines():
        if line.startswith("Dialogue:"):
            f = line.split(",", 9)
            out.append((f[3], f[9]))
    return out


def _selection(qtbot, sources: dict[str, Path]) -> ManualSelectionDialog:
    dlg = ManualSelectionDialog(sources, identify_job(sources))
    qtbot.addWidget(dlg)
    return dlg


def _widget(dlg: ManualSelectionDialog, pick):
    return next(w for w in dlg.widgets() if pick(w.entry()))


def test_edited_style_is_stored_in_the_layout_and_muxed(qtbot, media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    sources = {"Source 1": case.reference}
    sel = _selection(qtbot, sources)
    sub = _widget(sel, lambda e: e.type is TrackType.SUBTITLES)
    settings = sub.open_settings()
    editor = settings.open_style_editor()
    qtbot.waitUntil(lambda: editor.loaded or bool(editor.load_error), timeout=WAIT_MS)
    assert editor.load_error == ""
    editor.select_style("Default")
    assert editor.font_edit.text() == "Arial" and editor.size_spin.value() == 14
    assert editor.colour_buttons["primarycolour"].text() == "&&H00FFFFFF"   # shown as &H00FFFFFF
    editor.font_edit.setText("DejaVu Sans")
    editor.size_spin.setValue(30)
    editor.set_colour("primarycolour", AssColour(0x12, 0xAB, 0x34, 0x10))   # RGB 12AB34, alpha 10
    editor.bold.setChecked(True)
    editor.outline.setValue(2.5)
    editor.alignment.setCurrentIndex(editor.alignment.findData(8))
    editor.margins["marginv"].setValue(20)
    editor.accept()
    assert settings.style_patch_value == {"Default": {
        "fontname": "DejaVu Sans", "fontsize": "30", "primarycolour": "&H1034AB12", "bold": "-1",
        "outline": "2.5", "alignment": "8", "marginv": "20"}}
    settings.accept()
    layout = sel.current_layout()
    entry = next(e for e in layout.entries if e.type is TrackType.SUBTITLES)
    assert entry.style_patch == settings.style_patch_value
    assert "Styles edited" in sub.badge.text()

    result = run_job(JobSpec(sources), _settings(tmp_path), layout=layout)
    assert result.status == MERGED, result.error
    subs = _subtitle_tracks(result.output)
    text = _extract(result.output, subs[0]["id"], tmp_path / "s.ass")
    style = _styles(text)["Default"]
    assert (style["fontname"], style["fontsize"], style["primarycolour"], style["bold"], style["outline"],
            style["alignment"], style["marginv"]) == ("DejaVu Sans", "30", "&H1034AB12", "-1", "2.5", "8", "20")
    # the fields nobody edited keep the file's text
    assert (style["secondarycolour"], style["backcolour"], style["marginl"], style["italic"]) == \
        ("&H000000FF", "&H80000000", "10", "0")


def test_preview_draws_the_edited_subtitle_on_the_reference_frame(qtbot, media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    entry = next(e for e in _selection(qtbot, {"Source 1": case.reference}).entries()
                 if e.type is TrackType.SUBTITLES)
    editor = StyleEditorDialog(track_loader(entry, {"Source 1": case.reference}), None,
                               case.reference)
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.loaded, timeout=WAIT_MS)
    t = editor.preview_time.value()
    assert t > 0                                        # the middle of the style's first event
    editor.set_colour("primarycolour", AssColour(0, 255, 0))
    editor.size_spin.setValue(28)
    editor.render_preview()
    qtbot.waitUntil(lambda: not editor.preview_running, timeout=WAIT_MS)
    assert editor.preview_error == ""
    img = editor.preview_image
    assert img is not None and (img.width(), img.height()) == (320, 180)
    assert editor.preview_label.pixmap() is not None and not editor.preview_label.pixmap().isNull()

    # the same frame straight from ffmpeg, without subtitles: no pure green anywhere
    plain = tmp_path / "plain.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{t:.3f}", "-i", str(case.reference),
                    "-frames:v", "1", str(plain)], check=True)

    def green(image: QImage) -> int:
        conv = image.convertToFormat(QImage.Format.Format_RGB888)
        a = np.array(conv.constBits(), dtype=np.uint8)
        rows = a[: conv.height() * conv.bytesPerLine()].reshape(conv.height(), conv.bytesPerLine())
        rgb = rows[:, : conv.width() * 3].reshape(conv.height(), conv.width(), 3).astype(int)
        return int(np.sum((rgb[..., 1] > 200) & (rgb[..., 0] < 80) & (rgb[..., 2] < 80)))

    assert green(QImage(str(plain))) == 0
    assert green(img) > 300, "no green subtitle pixels in the preview"


def test_signs_track_holds_only_the_chosen_styles(qtbot, media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    sources = {"Source 1": case.reference}
    sub = tmp_path / "fansub.ass"
    sub.write_text(TWO_STYLES, encoding="utf-8")
    sel = _selection(qtbot, sources)
    sel.add_external(sub)
    ext = _widget(sel, lambda e: e.source == EXTERNAL)
    settings = ext.open_settings()
    signs = settings.open_signs_dialog()
    qtbot.waitUntil(lambda: signs.loaded or bool(signs.load_error), timeout=WAIT_MS)
    assert signs.chosen_styles() == ["Signs"]            # pre-ticked by its name
    signs.set_checked(["Signs"])
    signs.accept()
    qtbot.waitUntil(lambda: any(e.generated_filter_styles for e in sel.entries()), timeout=WAIT_MS)
    settings.reject()
    layout = sel.current_layout()
    gen = [e for e in layout.entries if e.generated_filter_styles]
    assert len(gen) == 1 and gen[0].generated_filter_styles == ("Signs",) and gen[0].custom_name == "Signs"
    before = [e for e in layout.entries if e.type is TrackType.SUBTITLES]
    assert before.index(gen[0]) == before.index(next(e for e in before if e.source == EXTERNAL
                                                     and not e.generated_filter_styles)) + 1

    result = run_job(JobSpec(sources), _settings(tmp_path), layout=layout)
    assert result.status == MERGED, result.error
    subs = _subtitle_tracks(result.output)
    ref_subs = [t for t in identify_job(sources).infos["Source 1"].tracks if t.type is TrackType.SUBTITLES]
    assert len(subs) == len(ref_subs) + 2               # the file itself and the signs track made from it
    full = _events(_extract(result.output, subs[-2]["id"], tmp_path / "full.ass"))
    only = _events(_extract(result.output, subs[-1]["id"], tmp_path / "signs.ass"))
    assert subs[-1]["properties"].get("track_name") == "Signs"
    assert sorted(full) == sorted([("Default", "Line one"), ("Signs", "SIGN ONE"), ("Default", "Line two"),
                                   ("Signs", "SIGN TWO")])
    assert sorted(only) == [("Signs", "SIGN ONE"), ("Signs", "SIGN TWO")]
