"""The settings file: defaults, coercion, validation, migration, env overrides, atomic save, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsg_core.config import DEFAULTS, Settings
from vsg_core.config.defaults import ORIGINAL_DEFAULTS
from vsg_core.errors import SettingsError


def test_defaults_present() -> None:
    from vsg_core.config.schema import VSG_KEYS

    assert VSG_KEYS <= DEFAULTS.keys()
    assert len(DEFAULTS.keys() - VSG_KEYS) == 209, "every key of the original application is kept"
    assert DEFAULTS["scan_chunk_count"] == 10 and DEFAULTS["scan_chunk_duration"] == 15
    assert DEFAULTS["min_match_pct"] == 5.0 and DEFAULTS["snap_threshold_ms"] == 250
    assert DEFAULTS["corr_anchor_anchor_positions"] == [10, 50, 90]
    assert DEFAULTS["disable_header_compression"] is True
    assert ORIGINAL_DEFAULTS["filtering_method"] == "Dialogue Band-Pass Filter"
    assert DEFAULTS["filtering_method"] == "None", "vsg's default must not be the band-pass that fails"


def test_settings_defaults_give_the_analysis_defaults() -> None:
    from vsg_core.analysis.correlation_options import CorrelationOptions

    assert CorrelationOptions.from_settings(dict(Settings())) == CorrelationOptions()


def test_missing_file_gives_defaults_and_save_round_trips(tmp_path: Path) -> None:
    p = tmp_path / "cfg ü" / "settings.json"
    s = Settings.load(p, env={})
    assert dict(s) == DEFAULTS
    s.set("scan_chunk_count", "20")
    s.save()
    assert not list(p.parent.glob("*.tmp"))
    again = Settings.load(p, env={})
    assert again["scan_chunk_count"] == 20
    assert json.loads(p.read_text(encoding="utf-8"))["scan_chunk_count"] == 20


def test_coercion_rules(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"scan_chunk_duration": 15.7, "snap_chapters": "Yes", "min_confidence_pct": "7",
                             "segmented_enabled": "off", "use_soxr": "maybe"}), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings\.json: .*use_soxr.*true or false"):
        Settings.load(p, env={})
    s = Settings.load(p, recover=True, env={})
    assert s["scan_chunk_duration"] == 15 and s["snap_chapters"] is True
    assert s["min_confidence_pct"] == 7.0 and s["segmented_enabled"] is False
    assert s["use_soxr"] is False and any("use_soxr" in w and "true or false" in w for w in s.warnings)


def test_invalid_values_are_refused_or_fall_back_with_a_warning_in_the_gui(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"scan_start_percentage": 140, "sync_mode": "sideways", "bogus_key": 1}),
                 encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings\.json: .*scan_start_percentage.*between 0 and 100"):
        Settings.load(p, env={})
    s = Settings.load(p, recover=True, env={})
    assert s["scan_start_percentage"] == 5.0 and s["sync_mode"] == "positive_only"
    text = "\n".join(s.warnings)
    assert "scan_start_percentage" in text and "sync_mode" in text and "bogus_key" in text
    with pytest.raises(SettingsError, match="between 0 and 100"):
        s.set("scan_end_percentage", 101)
    with pytest.raises(SettingsError, match="unknown setting"):
        s.set("scan_chunk_cuont", 3)


def test_corrupt_file_is_an_error_naming_it_and_is_never_overwritten(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings\.json is unreadable.*delete it"):
        Settings.load(p, env={})
    assert p.read_text(encoding="utf-8") == "{not json"
    s = Settings.load(p, recover=True, env={})
    assert dict(s) == DEFAULTS
    assert (tmp_path / "settings.json.corrupt").read_text(encoding="utf-8") == "{not json"
    assert any("moved to" in w for w in s.warnings)


def test_legacy_migration_and_env_override(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"analysis_lang_ref": "jpn", "post_mux_validate_metadata": True,
                             "source_separation_model": "Demucs - Vocals Only"}), encoding="utf-8")
    s = Settings.load(p, env={"VSG_SET_SCAN_CHUNK_COUNT": "25"})
    assert s["analysis_lang_source1"] == "jpn" and s["scan_chunk_count"] == 25
    # source separation is not available: the migrated values are kept for a later version, not used
    assert s.preserved["source_separation_mode"] == "vocals"
    assert s.preserved["source_separation_model"] == "default"
    with pytest.raises(SettingsError, match="VSG_SET_SYNC_MODE"):
        Settings.load(p, env={"VSG_SET_SYNC_MODE": "sideways"})


def test_save_follows_a_symlinked_settings_file(tmp_path: Path) -> None:
    """A settings file that is a link into the user's dotfiles: saving updates the linked file and keeps the
    link (it used to replace the link by a regular file, leaving the dotfiles copy stale)."""
    real = tmp_path / "dotfiles" / "vsg.json"
    real.parent.mkdir()
    real.write_text(json.dumps({"scan_chunk_count": 12}), encoding="utf-8")
    link = tmp_path / "config" / "settings.json"
    link.parent.mkdir()
    link.symlink_to(real)
    s = Settings.load(link)
    s.set("scan_chunk_count", 20)
    assert s.save() == link
    assert link.is_symlink() and link.resolve() == real
    assert json.loads(real.read_text(encoding="utf-8"))["scan_chunk_count"] == 20
    assert Settings.load(link)["scan_chunk_count"] == 20
    assert sorted(p.name for p in real.parent.iterdir()) == ["vsg.json"]


@pytest.mark.parametrize("key", ["output_folder", "temp_root", "clip_output_folder"])
def test_folder_settings_expand_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """``~/x`` in a folder setting (file, VSG_SET_<KEY>, vsg settings set) means the home folder's x; it was
    taken literally and a folder named '~' appeared in the current folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({key: "~/vsg here"}), encoding="utf-8")
    assert Settings.load(p, env={})[key] == str(tmp_path / "home" / "vsg here")
    assert Settings.load(p, env={f"VSG_SET_{key.upper()}": "~"})[key] == str(tmp_path / "home")
    s = Settings(path=p)
    s.set(key, "~/a")
    assert s[key] == str(tmp_path / "home" / "a")
    s.set(key, "/abs/~x")
    assert s[key] == "/abs/~x"
