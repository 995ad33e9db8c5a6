"""The options dialog: one editor per setting of the right kind, invalid values refused with a message and
never written, valid values saved to the settings file."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDoubleSpinBox, QLineEdit, QSpinBox
from qt_helpers import click

from vsg_core.config import DEFAULTS, Settings
from vsg_core.config.settings import ENUMS
from vsg_qt.messages import last_message
from vsg_qt.options_dialog import OptionsDialog
from vsg_qt.path_field import PathField
from vsg_qt.settings_schema import HIDDEN


def _dialog(qtbot, settings: Settings) -> OptionsDialog:
    dlg = OptionsDialog(settings)
    qtbot.addWidget(dlg)
    dlg.open()
    return dlg


def test_every_setting_has_an_editor_of_its_type(qtbot, settings: Settings) -> None:
    dlg = _dialog(qtbot, settings)
    assert set(dlg.editors) == set(DEFAULTS) - HIDDEN
    assert [dlg.tabs.tabText(i).replace("&&", "&") for i in range(dlg.tabs.count())] == [
        "Analysis", "Correction (Drift & Stepping)", "Subtitles", "Chapters", "Merge Behavior",
        "Paths & Tools", "Logging"]
    for key, ed in dlg.editors.items():
        default = DEFAULTS[key]
        w = ed.widget
        if key in ENUMS:
            assert isinstance(w, QComboBox), key
            assert [w.itemData(i) for i in range(w.count())] == list(ENUMS[key]), key
        elif isinstance(default, bool):
            assert isinstance(w, QCheckBox), key
        elif isinstance(default, int):
            assert isinstance(w, QSpinBox), key
        elif isinstance(default, float):
            assert isinstance(w, QDoubleSpinBox), key
        elif key in ("output_folder", "temp_root", "source_separation_model_dir", "videodiff_path"):
            assert isinstance(w, PathField), key
        else:
            assert isinstance(w, (QLineEdit, QComboBox, PathField)), key
        assert key in ed.toolTip(), key
        shown = json.loads(ed.value()) if isinstance(default, list) else ed.value()
        assert shown == settings[key], key


def test_invalid_value_is_refused_with_a_message_and_nothing_is_saved(qtbot, settings: Settings,
                                                                        settings_path: Path) -> None:
    before = settings_path.read_bytes()
    dlg = _dialog(qtbot, settings)
    dlg.editors["scan_chunk_count"].widget.setValue(20)          # valid, but must not be saved either
    dlg.editors["scan_start_percentage"].widget.setValue(150.0)  # invalid: a percentage
    # checked while typing: the field is marked and the message shown
    assert "scan_start_percentage" in dlg.error_label.text() and "between 0 and 100" in dlg.error_label.text()
    assert "scan_start_percentage" in dlg.errors
    dlg.editors["corr_anchor_anchor_positions"].widget.setText("ten, fifty")  # not a JSON list
    assert "corr_anchor_anchor_positions" in dlg.errors

    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    box = last_message(dlg)
    assert box is not None and box.isVisible()
    assert "Nothing was saved" in box.text()
    assert "scan_start_percentage" in box.text() and "corr_anchor_anchor_positions" in box.text()
    assert dlg.isVisible(), "the dialog closed although a value was invalid"
    assert settings_path.read_bytes() == before
    assert settings["scan_start_percentage"] == DEFAULTS["scan_start_percentage"]
    assert settings["scan_chunk_count"] == DEFAULTS["scan_chunk_count"]

    # fixing the values clears the marks
    dlg.editors["scan_start_percentage"].widget.setValue(7.5)
    dlg.editors["corr_anchor_anchor_positions"].widget.setText("[20, 50, 80]")
    assert not dlg.errors and dlg.error_label.text() == ""


def test_valid_values_are_saved_to_the_settings_file(qtbot, settings: Settings, settings_path: Path,
                                                     tmp_path: Path) -> None:
    dlg = _dialog(qtbot, settings)
    dlg.editors["scan_chunk_count"].widget.setValue(20)
    dlg.editors["min_match_pct"].widget.setValue(12.5)
    dlg.editors["log_compact"].widget.setChecked(False)
    combo = dlg.editors["sync_mode"].widget
    combo.setCurrentIndex(combo.findData("allow_negative"))
    dlg.editors["output_folder"].widget.setText(str(tmp_path / "elsewhere"))
    dlg.editors["corr_anchor_anchor_positions"].widget.setText("[20, 50, 80]")
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    assert dlg.result() == QDialog.DialogCode.Accepted
    saved = json.loads(settings_path.read_text(encoding="utf-8"))
    assert saved["scan_chunk_count"] == 20
    assert saved["min_match_pct"] == 12.5
    assert saved["log_compact"] is False
    assert saved["sync_mode"] == "allow_negative"
    assert saved["output_folder"] == str(tmp_path / "elsewhere")
    assert saved["corr_anchor_anchor_positions"] == [20, 50, 80]
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
    dlg.editors["output_folder"].widget.setText(str(tmp_path / "new out"))
    dlg.editors["archive_logs"].widget.setChecked(False)
    click(qtbot, dlg.buttons.button(dlg.buttons.StandardButton.Save))
    assert window.out_field.text() == str(tmp_path / "new out")
    assert not window.archive_box.isChecked()
    assert "Settings saved." in window.log_view.toPlainText()


def test_filter_shows_only_matching_settings(qtbot, settings: Settings) -> None:
    dlg = _dialog(qtbot, settings)
    dlg.filter.setText("chunk_count")
    visible = [k for k, form, row, _box in dlg._rows if form.isRowVisible(row)]
    assert visible and all("chunk_count" in k for k in visible)
    assert "scan_chunk_count" in visible
