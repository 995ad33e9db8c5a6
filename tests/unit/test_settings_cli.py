"""``vsg settings list/get/set``: values from the settings file, validated writes, unavailable keys refused."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from vsg_core.cli import main
from vsg_core.config import AVAILABLE, BY_KEY, DEFAULTS

Run = Callable[..., SimpleNamespace]


@pytest.fixture
def vsg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``vsg settings ARGS`` in this process (the console script's entry point), with a settings file of this
    test only; keyword arguments are extra environment variables."""
    for name in list(os.environ):
        if name.startswith("VSG_SET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("VSG_SETTINGS", str(tmp_path / "settings.json"))

    def run(*args: str, **env: str) -> SimpleNamespace:
        with monkeypatch.context() as m:
            for k, v in env.items():
                m.setenv(k, v)
            rc = main(["settings", *args])
        out = capsys.readouterr()
        return SimpleNamespace(returncode=rc, stdout=out.out, stderr=out.err)

    return run


def test_list_json_describes_every_available_key(vsg: Run, tmp_path: Path) -> None:
    proc = vsg("list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["key"] for r in rows} == set(AVAILABLE)
    by_key = {r["key"]: r for r in rows}
    r = by_key["scan_chunk_duration"]
    assert r["value"] == 15 and r["default"] == 15 and r["type"] == "int" and r["unit"] == "s"
    assert r["available"] is True and r["help"] == BY_KEY["scan_chunk_duration"].help
    assert r["range"] == "1 – 120" and r["minimum"] == 1 and r["maximum"] == 120
    assert by_key["sync_mode"]["choices"] == ["positive_only", "allow_negative"]
    every = json.loads(vsg("list", "--json", "--all").stdout)
    assert len(every) == len(BY_KEY)
    assert {r["key"] for r in every if not r["available"]} == set(DEFAULTS) - set(AVAILABLE)


def test_set_validates_and_saves_get_reads(vsg: Run, tmp_path: Path) -> None:
    proc = vsg("set", "scan_chunk_count", "20")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))["scan_chunk_count"] == 20
    assert vsg("get", "scan_chunk_count").stdout.strip() == "20"
    # an environment override shows in get but set never writes it
    assert vsg("get", "scan_chunk_count", VSG_SET_SCAN_CHUNK_COUNT="7").stdout.strip() == "7"
    bad = vsg("set", "scan_start_percentage", "120")
    assert bad.returncode == 1 and "scan_start_percentage" in bad.stderr and "between 0 and 100" in bad.stderr
    assert "Traceback" not in bad.stderr
    wrong = vsg("set", "use_soxr", "maybe")
    assert wrong.returncode == 1 and "true or false" in wrong.stderr
    typo = vsg("get", "scan_chunk")
    assert typo.returncode == 1 and "unknown setting 'scan_chunk'" in typo.stderr and "scan_chunk_count" in typo.stderr
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert saved["scan_start_percentage"] == 5.0 and saved["use_soxr"] is False


def test_unavailable_keys_are_refused(vsg: Run, tmp_path: Path) -> None:
    for args in (("set", "stepping_fill_mode", "content"), ("get", "stepping_fill_mode")):
        proc = vsg(*args)
        assert proc.returncode == 1
        assert "'stepping_fill_mode' is not available in this version" in proc.stderr
    proc = vsg("list", VSG_SET_POST_MUX_STRIP_TAGS="true")
    assert proc.returncode == 1
    assert "VSG_SET_POST_MUX_STRIP_TAGS" in proc.stderr and "not available in this version" in proc.stderr
    assert not (tmp_path / "settings.json").exists()


def test_set_refuses_a_value_that_breaks_a_pair(vsg: Run, tmp_path: Path) -> None:
    """scan_start_percentage must stay below scan_end_percentage: ``set`` used to save 96 (end 95), and every
    later vsg analyze/sync refused to start."""
    proc = vsg("set", "scan_start_percentage", "96")
    assert proc.returncode == 1
    assert "'scan_start_percentage' = 96.0 must be smaller than 'scan_end_percentage' = 95.0" in proc.stderr
    assert "change 'scan_end_percentage' first" in proc.stderr
    assert not (tmp_path / "settings.json").exists()
    assert vsg("set", "scan_end_percentage", "99").returncode == 0
    assert vsg("set", "scan_start_percentage", "96").returncode == 0
    assert vsg("get", "scan_start_percentage").stdout.strip() == "96.0"
    proc = vsg("set", "filter_bandpass_highcut_hz", "100")
    assert proc.returncode == 1 and "change 'filter_bandpass_lowcut_hz' first" in proc.stderr


def test_set_stores_a_relative_folder_as_absolute(vsg: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``set output_folder out2`` stored "out2", which every later run resolved against its own current folder."""
    monkeypatch.chdir(tmp_path)
    proc = vsg("set", "output_folder", "out2")
    assert proc.returncode == 0, proc.stderr
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))["output_folder"]
    assert saved == str(tmp_path / "out2")
    monkeypatch.chdir("/")
    assert vsg("get", "output_folder").stdout.strip() == str(tmp_path / "out2")
    assert vsg("set", "clip_output_folder", "").returncode == 0      # empty keeps its meaning (current folder)
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert saved["clip_output_folder"] == ""
