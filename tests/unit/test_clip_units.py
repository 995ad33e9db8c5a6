"""Pure-Python parts of vsg clip: backoff delays, transient-error detection, clip settings, job lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsg_core.clip.config import ClipConfig
from vsg_core.clip.jobs_file import read_api, read_batch
from vsg_core.clip.retry import MAX_DELAY_S, backoff_delay, is_transient
from vsg_core.clip.types import ClipError
from vsg_core.config import Settings
from vsg_core.errors import CommandError, MediaError, SettingsError


def test_backoff_doubles_with_bounded_jitter() -> None:
    assert [backoff_delay(k, 1.0, lambda: 0.0) for k in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert [backoff_delay(k, 1.0, lambda: 0.999) for k in (1, 2)] == pytest.approx([1.4995, 2.999])
    assert backoff_delay(20, 1.0, lambda: 0.5) == MAX_DELAY_S
    assert backoff_delay(3, 0.0) == 0.0


def test_transient_errors() -> None:
    assert is_transient(CommandError("ffprobe failed: Server returned 5XX Server Error reply"))
    assert is_transient(CommandError("ffmpeg failed", 1, "Connection reset by peer"))
    assert not is_transient(CommandError("ffprobe failed: Server returned 404 Not Found"))
    assert not is_transient(MediaError("x: ffprobe reports no duration"))
    assert not is_transient(ValueError("Server returned 5XX"))


def test_settings_precedence_and_ranges(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"clip_crf": 30, "clip_workers": 3}))
    s = Settings.load(f, env={"VSG_SET_CLIP_CRF": "18"})
    cfg = ClipConfig.from_settings(s)
    assert (cfg.crf, cfg.workers, cfg.preset) == (18, 3, "fast")  # env beats file, file beats default
    assert cfg.with_overrides(crf=12, workers=None).crf == 12      # CLI flag beats env
    assert cfg.encode().max_file_size == 0
    assert ClipConfig(max_file_size_mb=2).encode().max_file_size == 2 * 1024 * 1024
    for bad, key in [({"crf": 64}, "clip_crf"), ({"workers": 0}, "clip_workers"), ({"preset": "quick"}, "clip_preset"),
                     ({"retry_attempts": 11}, "clip_retry_attempts"), ({"video_codec": "x y"}, "clip_video_codec"),
                     ({"retry_base_delay_s": -1.0}, "clip_retry_base_delay_s")]:
        with pytest.raises(SettingsError, match=key):
            ClipConfig().with_overrides(**bad)


def test_batch_file_errors(tmp_path: Path) -> None:
    p = tmp_path / "b.json"
    with pytest.raises(ClipError, match="not found"):
        read_batch(p)
    p.write_text("{oops")
    with pytest.raises(ClipError, match="is not valid JSON"):
        read_batch(p)
    p.write_text("[]")
    with pytest.raises(ClipError, match="holds no jobs"):
        read_batch(p)
    p.write_text(json.dumps({"jobs": [
        {"input": "a.mkv", "start": 90, "end": "2:00", "crf": 20},
        {"input": "a.mkv"},
        {"input": "a.mkv", "start": "1", "end": "2", "colour": "red"},
        {"input": "https://h/x.mp4", "start": 1.5, "duration": "2s", "output": "o.mkv"},
        "text",
    ]}))
    entries = read_batch(p)
    assert entries[0].job is not None and entries[0].job.input == str(tmp_path / "a.mkv")
    assert entries[0].job.start == "90" and entries[0].job.encode == {"crf": 20}
    assert entries[1].error == "job 2: 'start' is missing"
    assert "unknown key(s) 'colour'" in (entries[2].error or "")
    assert entries[3].job is not None and entries[3].job.input == "https://h/x.mp4"
    assert entries[3].job.start == "1.5" and entries[3].job.output == str(tmp_path / "o.mkv")
    assert "expected an object" in (entries[4].error or "")


def test_api_lists() -> None:
    with pytest.raises(ClipError, match="no chapters"):
        read_api(json.dumps({"extractor": "x", "url": "https://h/v.mp4"}), "info")
    e = read_api(json.dumps({"webpage_url": "w", "url": "https://h/v.mp4", "title": "T",
                             "section_start": 5, "section_end": 9}), "info")
    assert e[0].job is not None and (e[0].job.input, e[0].job.start, e[0].job.end) == ("https://h/v.mp4", "5", "9")
    with pytest.raises(ClipError, match="unknown API type"):
        read_api("[]", "x", "youtube")
    with pytest.raises(ClipError, match="non-empty list"):
        read_api("[]", "x")


def test_cli_usage_and_settings_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from vsg_core.cli import main

    monkeypatch.setenv("VSG_SETTINGS", str(tmp_path / "none.json"))
    monkeypatch.setenv("VSG_CLIP_HISTORY", str(tmp_path / "h.jsonl"))
    assert main(["clip"]) == 2
    assert main(["clip", "stats", "x"]) == 2
    assert main(["clip", "in.mkv", "-e", "2"]) == 2 and "-s START" in capsys.readouterr().err
    monkeypatch.setenv("VSG_SET_CLIP_CRF", "99")
    assert main(["clip", "in.mkv", "-s", "1", "-e", "2"]) == 1
    err = capsys.readouterr().err
    assert "'clip_crf' = 99 must be between 0 and 63" in err and "VSG_SET_CLIP_CRF" in err
    monkeypatch.delenv("VSG_SET_CLIP_CRF")
    assert main(["clip", "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["jobs"] == 0
