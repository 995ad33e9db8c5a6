"""The options dialog: generated from the settings schema — only available settings, each with exactly one editor
of the right kind, a human label, its unit and help; each section once; invalid values refused with a message
and never written; valid values saved to the settings file; keys of unavailable features kept on save."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
)
from qt_helpers import click

from vsg_core.config import BY_KEY, DEFAULTS, SCHEMA, Settings
from vsg_qt.messages import last_message
from vsg_qt.options_dialog import OptionsDialog
from vsg_qt.path_field import PathField


def _dialog(qtbot, settings: Settings) -> OptionsDialog:
    dlg = OptionsDialog(settings)
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitUntil(dlg.isVisible)
    return dlg


def _editable() -> set[str]:
    return {s.key for s in SCHEMA if s.available and not s.internal}


def test_every_available_setting_has_exactly_one_editor_of_its_type(qtbot, settings: Settings) -> None:
    dlg = _dialog(qtbot, settings)
    assert set(dlg.editors) == _editable()
    assert not set(dlg.editors) & {s.key for s in SCHEMA if not s.available}, "an unavailable key is shown"
    # exactly one editor widget per key across all tabs (a second copy of a section would add a second one)
    from vsg_qt.setting_editors import SettingEditor
    found = [ed.key for i in range(dlg.tabs.count()) for ed in dlg.tabs.widget(i).findChildren(SettingEditor)]
    assert sorted(found) == sorted(_editable())
    assert [dlg.tabs.tabText(i).replace("&&", "&") for i in range(dlg.tabs.count())] == [
        "Analysis", "Drift & Stepping", "Subtitles", "Chapters", "Merge Behavior", "Paths & Tools", "Logging",
        "Clips"]
    for key, ed in dlg.editors.items():
        s = BY_KEY[key]
        w = ed.widget
        if s.choices:
            assert isinstance(w, QComboBox), key
            assert [w.itemData(i) for i in range(w.count())] == list(s.choices), key
        elif s.type == "bool":
            assert isinstance(w, QCheckBox), key
        elif s.type == "int":
            assert isinstance(w, QSpinBox), key
            assert w.suffix() == (f" {s.unit}" if s.unit else ""), key
            assert (w.minimum(), w.maximum()) == (s.minimum, s.maximum), key
        elif s.type == "float":
            assert isinstance(w, QDoubleSpinBox), key
            assert w.suffix() == (f" {s.unit}" if s.unit else ""), key
            assert (w.minimum(), w.maximum()) == (s.minimum, s.maximum), key
        elif s.widget:
            assert isinstance(w, PathField), key
        else:
            assert isinstance(w, QLineEdit), key
        assert ed.toolTip().startswith(s.help) and f"Setting: {key}" in ed.toolTip(), key
        assert ed.value() == settings[key], key


def test_labels_are_human_and_units_are_shown(qtbot, settings: Settings) -> None:
    dlg = _dialog(qtbot, settings)
    labels = {lbl.text() for lbl in dlg.findChildren(QLabel)}
    for key in dlg.editors:
        assert BY_KEY[key].label + ":" in labels, key
    assert "Framelocked enable post ass correction:" not in labels
    assert dlg.editors["scan_chunk_duration"].widget.suffix() == " s"
    assert dlg.editors["min_confidence_pct"].widget.suffix() == " %"
    assert dlg.editors["snap_threshold_ms"].widget.suffix() == " ms"
    assert dlg.editors["drift_detection_slope_threshold_lossy"].widget.suffix() == " ms/s"


def test_no_section_is_shown_twice_and_every_box_loads_and_saves(qtbot, settings: Settings,
                                                                settings_path: Path) -> None:
    dlg = _dialog(qtbot, settings)
    for i in range(dlg.tabs.count()):
        page = dlg.tabs.widget(i)
        assert isinstance(page, QScrollArea)
        titles = [b.title() for b in page.widget().findChildren(QGroupBox)]
        assert len(titles) == len(set(titles)), (dlg.tabs.tabText(i), titles)
    # the Merge Behavior tab showed "General" twice and the top copy neither loaded nor saved: every checkbox
    # there must now show the stored value and save what the user sets
    mux = next(dlg.tabs.widget(i) for i in range(dlg.tabs.count()) if dlg.tabs.tabText(i) == "Merge Behavior")
    dlg.tabs.setCurrentWidget(mux)
    boxes = mux.widget().findChildren(QCheckBox)
    assert len(boxes) == 3
    qtbot.waitUntil(lambda: all(b.isVisible() for b in boxes))
    for box in boxes:
        key = next(k for k, ed in dlg.editors.items() if ed.widget is box)
        assert box.isChecked() == settings[key]
        click(qtbot, box)
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    saved = json.loads(settings_path.read_text(encoding="utf-8"))
    for key in ("disable_header_compression", "disable_track_statistics_tags", "apply_dialog_norm_gain"):
        assert saved[key] is (not DEFAULTS[key]), key


def test_invalid_value_is_refused_with_a_message_and_nothing_is_saved(qtbot, settings: Settings,
                                                                        settings_path: Path) -> None:
    before = settings_path.read_bytes()
    dlg = _dialog(qtbot, settings)
    dlg.editors["scan_chunk_count"].widget.setValue(20)          # valid, but must not be saved either
    spin = dlg.editors["scan_start_percentage"].widget
    spin.setValue(150.0)                                         # the spin box keeps percentages in 0–100
    assert spin.value() == 100.0
    dlg.editors["sync_mode"].set_value("sideways")               # a value the list does not know
    # checked while typing: the field is marked and the message shown
    assert "sync_mode" in dlg.errors and "must be one of" in dlg.error_label.text()

    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    box = last_message(dlg)
    assert box is not None and box.isVisible()
    assert "Nothing was saved" in box.text() and "sync_mode" in box.text()
    assert dlg.isVisible(), "the dialog closed although a value was invalid"
    assert settings_path.read_bytes() == before
    assert settings["sync_mode"] == DEFAULTS["sync_mode"]
    assert settings["scan_chunk_count"] == DEFAULTS["scan_chunk_count"]

    combo = dlg.editors["sync_mode"].widget
    combo.setCurrentIndex(combo.findData("allow_negative"))
    # left: the scan start (clamped to 100 %) is not below the scan end (95 %)
    assert list(dlg.errors) == ["scan_start_percentage"] and "scan_end_percentage" in dlg.error_label.text()
    spin.setValue(5.0)
    assert not dlg.errors and dlg.error_label.text() == ""


def test_scan_start_after_scan_end_is_refused(qtbot, settings: Settings, settings_path: Path) -> None:
    """Each value valid on its own, but the scan window empty: saved, every job would refuse to start."""
    before = settings_path.read_bytes()
    dlg = _dialog(qtbot, settings)
    dlg.editors["scan_start_percentage"].widget.setValue(96.0)
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    box = last_message(dlg)
    assert box is not None and box.isVisible() and "Nothing was saved" in box.text()
    assert "must be smaller than 'scan_end_percentage'" in box.text()
    assert dlg.isVisible() and settings_path.read_bytes() == before
    assert "scan_start_percentage" in dlg.errors
    dlg.editors["scan_end_percentage"].widget.setValue(99.0)
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    assert dlg.result() == QDialog.DialogCode.Accepted
    saved = json.loads(settings_path.read_text(encoding="utf-8"))
    assert (saved["scan_start_percentage"], saved["scan_end_percentage"]) == (96.0, 99.0)


def test_valid_values_are_saved_and_unavailable_keys_are_kept(qtbot, settings: Settings, settings_path: Path,
                                                              tmp_path: Path) -> None:
    data = json.loads(settings_path.read_text(encoding="utf-8"))
    data["stepping_fill_mode"] = "content"        # a feature this version does not have
    data["some_future_key"] = {"a": 1}
    settings_path.write_text(json.dumps(data), encoding="utf-8")
    settings = Settings.load(settings_path)
    dlg = _dialog(qtbot, settings)
    dlg.editors["scan_chunk_count"].widget.setValue(20)
    dlg.editors["min_confidence_pct"].widget.setValue(12.5)
    dlg.editors["log_show_options_json"].widget.setChecked(True)
    combo = dlg.editors["sync_mode"].widget
    combo.setCurrentIndex(combo.findData("allow_negative"))
    dlg.editors["output_folder"].widget.setText(str(tmp_path / "elsewhere"))
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    assert dlg.result() == QDialog.DialogCode.Accepted
    saved = json.loads(settings_path.read_text(encoding="utf-8"))
    assert saved["scan_chunk_count"] == 20
    assert saved["min_confidence_pct"] == 12.5
    assert saved["log_show_options_json"] is True
    assert saved["sync_mode"] == "allow_negative"
    assert saved["output_folder"] == str(tmp_path / "elsewhere")
    assert saved["stepping_fill_mode"] == "content" and saved["some_future_key"] == {"a": 1}
    reloaded = Settings.load(settings_path)
    assert reloaded["scan_chunk_count"] == 20 and reloaded["sync_mode"] == "allow_negative"
    assert settings["scan_chunk_count"] == 20  # the live settings the window passes to new jobs


def test_restore_defaults_then_cancel_changes_nothing(qtbot, settings: Settings, settings_path: Path) -> None:
    settings.set("scan_chunk_count", 33)
    settings.save()
    before = settings_path.read_bytes()
    dlg = _dialog(qtbot, settings)
    assert dlg.editors["scan_chunk_count"].value() == 33
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.RestoreDefaults))
    assert dlg.editors["scan_chunk_count"].value() == DEFAULTS["scan_chunk_count"]
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Cancel))
    assert settings_path.read_bytes() == before and settings["scan_chunk_count"] == 33


def test_saving_from_the_main_window_updates_it(qtbot, window, tmp_path: Path) -> None:
    click(qtbot, window.options_btn)
    dlg = window.options_dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.editors["output_folder"].widget.setText(str(tmp_path / "new out"))
    dlg.editors["archive_logs"].widget.setChecked(False)
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    qtbot.waitUntil(lambda: "Settings saved." in window.log_view.toPlainText())
    assert window.out_field.text() == str(tmp_path / "new out")
    assert not window.archive_box.isChecked()


def test_filter_matches_labels_and_keys(qtbot, settings: Settings) -> None:
    dlg = _dialog(qtbot, settings)
    dlg.filter.setText("chunk length")   # a label
    visible = [k for k, form, row, _box in dlg._rows if form.isRowVisible(row)]
    assert visible == ["scan_chunk_duration"]
    dlg.filter.setText("scan_chunk_count")    # a key
    visible = [k for k, form, row, _box in dlg._rows if form.isRowVisible(row)]
    assert visible == ["scan_chunk_count"]
