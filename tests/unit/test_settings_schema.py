"""The settings schema: every available key is read by pipeline code and changes what it builds; unavailable
keys are refused with a clear message and kept untouched in the settings file; the adapters build the same
option objects as the option classes; every entry is consistent (default valid, label, help, unit)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from vsg_core.config import AVAILABLE, BY_KEY, DEFAULTS, SCHEMA, Settings, adapters
from vsg_core.config.validation import validate
from vsg_core.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]
# Files that define or edit settings rather than use them: a key named there is not "read by pipeline code".
NOT_READERS = ("vsg_core/config/", "vsg_core/commands/settings.py", "vsg_qt/settings_schema.py",
               "vsg_qt/options_dialog.py", "vsg_qt/setting_editors.py", "vsg_core/testmedia/")
# Top-level adapters and the production call that uses each (today's option-class constructor counts too, until
# the pipeline calls the adapter: see docs/settings.md#adapters).
PRODUCTION_CALLS = {
    "analysis": ("adapters.analysis_settings(", "AnalysisSettings.from_settings("),
    "chapters": ("adapters.chapter_options(", "ChapterOptions.from_settings("),
    "mux": ("adapters.mux_settings(", "MuxSettings.from_settings("),
}


def _production_sources() -> dict[str, str]:
    out = {}
    for base in ("vsg_core", "vsg_qt"):
        for p in (ROOT / base).rglob("*.py"):
            rel = p.relative_to(ROOT).as_posix()
            if not rel.startswith(NOT_READERS):
                out[rel] = p.read_text(encoding="utf-8")
    return out


class Recording(Mapping[str, Any]):
    """A settings mapping that records every key read."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self.values[key]

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def _other_value(key: str) -> Any:
    """A valid value of ``key`` different from its default."""
    s = BY_KEY[key]
    if s.choices:
        return next(c for c in s.choices if c != s.default)
    if s.type == "bool":
        return not s.default
    if s.type in ("int", "float"):
        step = 1 if s.type == "int" or (s.maximum or 10) > 2 else 0.01
        v = s.default + step
        if s.maximum is not None and v > s.maximum:
            v = s.default - step
        return validate(s, v)
    if s.type == "str":
        return "jpn" if not s.default else s.default + "x"
    return [*s.default, 1]


def test_every_available_key_is_read_by_pipeline_code() -> None:
    sources = _production_sources()
    text = "\n".join(sources.values())
    read_by_adapters: set[str] = set()
    for adapter in adapters.ADAPTERS:
        if adapter.name in PRODUCTION_CALLS:
            assert any(call in text for call in PRODUCTION_CALLS[adapter.name]), \
                f"no production code builds the {adapter.name} options"
            rec = Recording(Settings())
            adapter.build(rec)
            assert rec.read == adapter.keys(), adapter.name
            read_by_adapters |= rec.read
    read_directly = {k for k in DEFAULTS if re.search(r"[\"']" + re.escape(k) + r"[\"']", text)}
    unread = sorted(AVAILABLE - read_by_adapters - read_directly)
    assert not unread, f"available settings that no pipeline code reads (mark them available=False): {unread}"
    # and adapters read only available keys (an unavailable key would always give its default)
    assert not (read_by_adapters - AVAILABLE), sorted(read_by_adapters - AVAILABLE)


# Unavailable keys that production code names although they change nothing the user can observe, with why.
READ_BUT_UNAVAILABLE = {
    "min_match_pct": "read only for the original-behaviour profile (CorrelationOptions.spec, used by bench/); "
                     "vsg accepts chunks by min_confidence_pct (the option field keeps the name min_match_pct)",
    "audio_peak_fit": "read only for the original-behaviour profile (CorrelationOptions.spec, used by bench/); "
                      "vsg's profile always fits the peak",
    "stepping_adjust_subtitles_no_audio": "only fills AnalysisSettings/segment flags for the correction step, "
                                          "which this version does not have",
}


def test_no_unavailable_key_is_read_by_pipeline_code() -> None:
    """A key that code reads must be available (else the user's value is ignored): when a feature lands, flip its
    keys' ``available`` in vsg_core/config/schema.py."""
    text = "\n".join(_production_sources().values())
    read = {s.key for s in SCHEMA if not s.available
            and re.search(r"[\"']" + re.escape(s.key) + r"[\"']", text)}
    assert read == set(READ_BUT_UNAVAILABLE), (
        f"unavailable settings read by pipeline code (make them available): {sorted(read - set(READ_BUT_UNAVAILABLE))}"
        f"; no longer read (drop from READ_BUT_UNAVAILABLE): {sorted(set(READ_BUT_UNAVAILABLE) - read)}")


@pytest.mark.parametrize("adapter", adapters.ADAPTERS, ids=lambda a: a.name)
def test_every_adapted_key_changes_the_option_object(adapter: adapters.Adapter) -> None:
    base = adapter.build(Settings())
    for key in sorted(adapter.keys()):
        s = Settings()
        s.set(key, _other_value(key))
        assert adapter.build(s) != base, f"{key} does not change {adapter.name}"


def _valid_settings() -> st.SearchStrategy[dict[str, Any]]:
    keys = sorted(k for a in adapters.ADAPTERS for k in a.keys())
    return st.dictionaries(st.sampled_from(keys), st.booleans()).map(
        lambda picks: {k: (_other_value(k) if flip else DEFAULTS[k]) for k, flip in picks.items()})


@hyp_settings(max_examples=60, deadline=None)
@given(_valid_settings())
def test_adapters_build_what_the_option_classes_build(values: dict[str, Any]) -> None:
    """Parity with the option classes' own ``from_settings`` (kept until the pipeline calls the adapters)."""
    from vsg_core.analysis.correlation_options import CorrelationOptions
    from vsg_core.analysis.drift import DriftConfig
    from vsg_core.analysis.job import AnalysisSettings
    from vsg_core.chapters.process import ChapterOptions
    from vsg_core.mux.settings import MuxSettings

    s = Settings(values)
    assert adapters.correlation_options(s) == CorrelationOptions.from_settings(dict(s))
    assert adapters.drift_config(s) == DriftConfig.from_settings(s)
    assert adapters.analysis_settings(s) == AnalysisSettings.from_settings(s)
    assert adapters.chapter_options(s) == ChapterOptions.from_settings(s)
    assert adapters.mux_settings(s) == MuxSettings.from_settings(s)


def test_adapters_validate_plain_mappings() -> None:
    with pytest.raises(SettingsError, match="scan_chunk_count"):
        adapters.correlation_options({"scan_chunk_count": -3})
    assert adapters.correlation_options({"scan_chunk_count": "12"}).chunk_count == 12


def test_unavailable_keys_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    unavailable = [s.key for s in SCHEMA if not s.available]
    assert "stepping_fill_mode" in unavailable and "ocr_cleanup_enabled" in unavailable
    s = Settings()
    for key in unavailable:
        with pytest.raises(SettingsError, match=f"'{key}' is not available in this version"):
            s.set(key, DEFAULTS[key])
        assert s[key] == DEFAULTS[key]  # code that reads it gets the default
    with pytest.raises(SettingsError, match=r"VSG_SET_POST_MUX_STRIP_TAGS.*not available in this version"):
        Settings.load(tmp_path / "none.json", env={"VSG_SET_POST_MUX_STRIP_TAGS": "true"})


def test_unknown_and_unavailable_keys_round_trip_and_are_reported_once(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    original = {"scan_chunk_count": 12, "stepping_fill_mode": "content", "ocr_cleanup_enabled": "not a bool",
                "from_a_newer_vsg": {"nested": [1, 2]}, "segment_triage_std_dev_ms": "not even a number"}
    p.write_text(json.dumps(original), encoding="utf-8")
    s = Settings.load(p, env={})
    assert s["scan_chunk_count"] == 12
    assert s["stepping_fill_mode"] == DEFAULTS["stepping_fill_mode"]  # not used: the default is what code sees
    notes = [w for w in s.warnings if "stepping_fill_mode" in w]
    assert len(notes) == 1 and "ocr_cleanup_enabled" in notes[0] and "segment_triage_std_dev_ms" in notes[0]
    assert "not have" in notes[0]
    assert len([w for w in s.warnings if "from_a_newer_vsg" in w]) == 1
    s.set("scan_chunk_count", 13)
    s.save()
    saved = json.loads(p.read_text(encoding="utf-8"))
    for key in ("stepping_fill_mode", "ocr_cleanup_enabled", "from_a_newer_vsg", "segment_triage_std_dev_ms"):
        assert saved[key] == original[key], key
    assert saved["scan_chunk_count"] == 13
    # a copy (the GUI's candidate) keeps them too
    c = s.copy()
    c.save(tmp_path / "copy.json")
    assert json.loads((tmp_path / "copy.json").read_text(encoding="utf-8"))["stepping_fill_mode"] == "content"
    # a file without them gets none of them: only available keys are written
    fresh = Settings()
    fresh.save(tmp_path / "fresh.json")
    assert set(json.loads((tmp_path / "fresh.json").read_text(encoding="utf-8"))) == set(AVAILABLE)


@pytest.mark.parametrize("entry", SCHEMA, ids=lambda s: s.key)
def test_schema_entry_is_consistent(entry) -> None:
    assert validate(entry, entry.default) == entry.default, "the default must pass the validator"
    assert entry.label and entry.label[0].isupper()
    if entry.choices:
        assert entry.default in entry.choices
    if entry.available:
        assert entry.help.endswith(".") and len(entry.help) > 20, "an available key needs real help text"
        assert "_" not in entry.label and len(entry.label) <= 40, entry.label
        if entry.unit:  # the unit is the spin box's suffix, not part of the label
            assert f"({entry.unit})" not in entry.label and not entry.label.endswith(f" {entry.unit}")
        if entry.type in ("int", "float"):
            assert entry.minimum is not None and entry.maximum is not None, "a shown number needs its range"


def test_keys_are_unique_and_209_as_in_the_original() -> None:
    from vsg_core.config.schema import VSG_KEYS

    assert len(SCHEMA) == len(BY_KEY)
    assert len(BY_KEY.keys() - VSG_KEYS) == 209


def test_settings_reference_doc_is_current() -> None:
    from vsg_core.config.docs import BEGIN, END, render

    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    start, end = doc.index(BEGIN), doc.index(END)
    assert doc[start:end + len(END)] == render(), \
        "docs/settings.md is stale: run `python -m vsg_core.config.docs` and commit the result"


def test_dataclass_fields_named_by_adapters_exist() -> None:
    for adapter in adapters.ADAPTERS:
        names = {f.name for f in dataclasses.fields(adapter.target())}
        assert set(adapter.fields) <= names, adapter.name
