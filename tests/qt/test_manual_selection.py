"""Manual selection: every track listed with codec, language, channels and name; picking, reordering, flags,
per-track settings and external subtitle files produce the Layout the pipeline muxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from qt_helpers import click, double_click

from vsg_core.extraction import parse_identification
from vsg_core.jobs.layout import EXTERNAL, default_layout
from vsg_core.models import TrackType
from vsg_qt.manual_selection_dialog import ManualSelectionDialog, normalise_flags
from vsg_qt.messages import last_message
from vsg_qt.track_info import JobTracks


def _track(tid: int, kind: str, codec_id: str, codec: str, lang: str, name: str = "",
           channels: int = 0) -> dict:
    props = {"codec_id": codec_id, "language": lang}
    if name:
        props["track_name"] = name
    if channels:
        props["audio_channels"] = channels
        props["audio_sampling_frequency"] = 48000
    return {"id": tid, "type": kind, "codec": codec, "properties": props}


def _container(*tracks: dict) -> dict:
    return {"container": {"type": "Matroska", "recognized": True, "supported": True, "properties": {}},
            "tracks": list(tracks)}


@pytest.fixture
def job() -> tuple[dict[str, Path], JobTracks]:
    sources = {"Source 1": Path("/m/Movie [BD].mkv"), "Source 2": Path("/m/Movie [DVD].mkv")}
    s1 = _container(_track(0, "video", "V_MPEG4/ISO/AVC", "AVC/H.264/MPEG-4p10", "und"),
                    _track(1, "audio", "A_FLAC", "FLAC", "eng", "Main", 6),
                    _track(2, "audio", "A_AC3", "AC-3", "jpn", "", 2),
                    _track(3, "subtitles", "S_TEXT/ASS", "SubStationAlpha", "eng", "Full"))
    s2 = _container(_track(0, "video", "V_MPEG2", "MPEG-1/2", "und"),
                    _track(1, "audio", "A_AC3", "AC-3", "ger", "Deutsch", 6),
                    _track(2, "subtitles", "S_TEXT/UTF8", "SubRip/SRT", "ger", "Signs"))
    infos = {k: parse_identification(c, sources[k], k) for k, c in (("Source 1", s1), ("Source 2", s2))}
    return sources, JobTracks(infos)


def _dialog(qtbot, job, layout=None) -> ManualSelectionDialog:
    sources, tracks = job
    dlg = ManualSelectionDialog(sources, tracks, layout, "info line")
    qtbot.addWidget(dlg)
    dlg.open()
    return dlg


def test_every_track_is_listed_with_codec_language_channels_and_name(qtbot, job) -> None:
    dlg = _dialog(qtbot, job)
    s1 = [dlg.source_lists["Source 1"].item(i).text() for i in range(4)]
    assert s1 == ["[V-0] AVC/H.264/MPEG-4p10 (und)", "[A-1] FLAC (eng) 5.1 'Main'", "[A-2] AC-3 (jpn) 2.0",
                  "[S-3] SubStationAlpha (eng) 'Full'"]
    video2 = dlg.source_item("Source 2", 0)
    assert not (video2.flags() & Qt.ItemFlag.ItemIsEnabled), "video of another source must not be selectable"
    assert "Source 1" in video2.toolTip()
    # pre-populated with the default layout (what vsg sync would mux)
    assert dlg.entries() == list(default_layout(job[1].tracks).entries)
    # a disabled video row cannot be added
    click(qtbot, dlg.clear_btn)
    assert dlg.add_track("Source 2", 0) is None and dlg.final_list.count() == 0


def test_pick_reorder_flags_and_settings_make_the_layout(qtbot, job) -> None:
    dlg = _dialog(qtbot, job)
    click(qtbot, dlg.clear_btn)
    for source, tid in (("Source 1", 0), ("Source 1", 1), ("Source 2", 1), ("Source 2", 2), ("Source 1", 3)):
        double_click(qtbot, dlg.source_lists[source], dlg.source_item(source, tid))
    assert [(e.source, e.id) for e in dlg.entries()] == [("Source 1", 0), ("Source 1", 1), ("Source 2", 1),
                                                         ("Source 2", 2), ("Source 1", 3)]
    # move the reference subtitles above the other release's
    dlg.final_list.setCurrentRow(4)
    click(qtbot, dlg.up_btn)
    assert [(e.source, e.id) for e in dlg.entries()][3:] == [("Source 1", 3), ("Source 2", 2)]
    assert dlg.final_list.currentRow() == 3
    w = dlg.widgets()
    assert all(x is not None for x in w) and [x.entry() for x in w] == dlg.entries()
    # default audio: clicking one clears the other; forced: only subtitles have it
    click(qtbot, w[1].default_box)
    click(qtbot, w[2].default_box)
    assert [e.is_default for e in dlg.entries()[1:3]] == [False, True]
    assert not w[1].forced_box.isVisibleTo(w[1]) and w[4].forced_box.isVisibleTo(w[4])
    click(qtbot, w[4].forced_box)
    click(qtbot, w[3].forced_box)
    assert [e.is_forced_display for e in dlg.entries()[3:]] == [True, False]
    # keep original name off, custom language and name through the Track Settings dialog
    click(qtbot, w[1].keep_name_box)
    sd = w[4].open_settings()
    sd.lang.setCurrentIndex(sd.lang.findData("deu"))
    sd.name.setText("  Signs & Songs ")
    sd.accept()
    assert "Lang: deu" in w[4].badge.text() and "Name: Signs & Songs" in w[4].badge.text()
    dlg.attach_boxes["Source 2"].setChecked(True)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert dlg.result() == QDialog.DialogCode.Accepted
    layout = dlg.layout_result
    assert layout is not None
    e = layout.entries
    assert [(x.source, x.id) for x in e] == [("Source 1", 0), ("Source 1", 1), ("Source 2", 1),
                                             ("Source 1", 3), ("Source 2", 2)]
    assert [x.is_default for x in e] == [True, False, True, False, False]
    assert e[1].apply_track_name is False and e[2].apply_track_name is True
    assert e[4].custom_lang == "deu" and e[4].custom_name == "Signs & Songs"
    assert e[3].is_forced_display and not e[4].is_forced_display
    assert layout.attachment_sources == ("Source 1", "Source 2")


def test_external_subtitle_gets_codec_and_sync_source(qtbot, job, tmp_path: Path) -> None:
    srt = tmp_path / "fansub.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n",
                   encoding="utf-8")
    dlg = _dialog(qtbot, job)
    entry = dlg.add_external(srt)
    assert entry.source == EXTERNAL and entry.type is TrackType.SUBTITLES
    assert entry.codec_id == "S_TEXT/UTF8" and entry.external_path == str(srt) and entry.sync_to == "Source 1"
    w = dlg.widgets()[-1]
    assert w.sync_combo.isVisibleTo(w)
    w.sync_combo.setCurrentIndex(w.sync_combo.findData("Source 2"))
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    ext = dlg.layout_result.entries[-1]
    assert ext.sync_to == "Source 2" and ext.name == "fansub"
    assert dlg.layout_result.subtitle_sources()[-1] == "Source 2"


def test_empty_output_is_refused(qtbot, job) -> None:
    dlg = _dialog(qtbot, job)
    click(qtbot, dlg.clear_btn)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert dlg.isVisible() and dlg.layout_result is None
    assert "at least one track" in last_message(dlg).text()


def test_flag_normalisation(job) -> None:
    entries = list(default_layout(job[1].tracks).entries)
    from dataclasses import replace

    entries = [replace(e, is_default=False, is_forced_display=e.type is TrackType.SUBTITLES) for e in entries]
    out = normalise_flags(entries)
    audio = [e for e in out if e.type is TrackType.AUDIO]
    subs = [e for e in out if e.type is TrackType.SUBTITLES]
    assert [e.is_default for e in audio] == [True] + [False] * (len(audio) - 1)  # first audio forced default
    assert not any(e.is_default for e in subs)                                   # no subtitle forced default
    assert [e.is_forced_display for e in subs] == [True] + [False] * (len(subs) - 1)


def test_drag_reorder_keeps_each_rows_settings(qtbot, job) -> None:
    """The list's internal drag moves rows through the model (moveRow); widgets and entries stay together."""
    from PySide6.QtCore import QModelIndex

    dlg = _dialog(qtbot, job)
    before = dlg.entries()
    w = dlg.widgets()
    click(qtbot, w[2].keep_name_box)  # mark one row
    marked = dlg.entries()[2]
    assert dlg.final_list.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    after = dlg.entries()
    assert after == [marked, *before[:2], *before[3:]]
    assert [x.entry() for x in dlg.widgets()] == after
    dlg.final_list.setCurrentRow(0)
    dlg.final_list.setFocus()
    qtbot.keyClick(dlg.final_list, Qt.Key.Key_Delete)
    assert dlg.entries() == after[1:]
    dlg.final_list.setCurrentRow(0)
    qtbot.keyClick(dlg.final_list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert dlg.entries()[:2] == [after[2], after[1]] and dlg.final_list.currentRow() == 1
