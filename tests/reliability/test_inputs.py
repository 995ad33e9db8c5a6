"""Bad inputs are refused before any analysis, with a message naming the file, key or flag (exit 1, or 2 for
command-line usage), sources untouched and nothing left behind."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import Sandbox, json_error

pytestmark = pytest.mark.media


def _refused(box: Sandbox, proc, *needles: str, code: int = 1) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    for n in needles:
        assert n in proc.stderr, f"{n!r} not in:\n{proc.stderr}"
    assert not any(box.out.iterdir()), f"something was written: {list(box.out.iterdir())}"
    box.assert_clean()


def test_missing_source(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.root / "nope.mkv", "-o", box.out / "x.mkv")
    _refused(box, p, "Source 2", "nope.mkv", "not found")


def test_folder_as_source(box: Sandbox) -> None:
    p = box.vsg("sync", box.root, box.media.other, "-o", box.out / "x.mkv")
    _refused(box, p, "Source 1", "is a folder")


def test_fifo_as_source_does_not_hang(box: Sandbox) -> None:
    fifo = box.root / "pipe.mkv"
    os.mkfifo(fifo)
    p = box.vsg("sync", box.media.ref, fifo, "-o", box.out / "x.mkv", timeout=60)
    _refused(box, p, "pipe.mkv", "named pipe")


def test_zero_byte_source(box: Sandbox) -> None:
    empty = box.root / "empty.mkv"
    empty.write_bytes(b"")
    p = box.vsg("analyze", box.media.ref, empty)
    _refused(box, p, "empty.mkv", "empty (0 bytes)")


def test_same_file_as_ref_and_other(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.media.ref, "-o", box.out / "x.mkv")
    _refused(box, p, "same file")


def test_same_file_through_a_hard_link(box: Sandbox) -> None:
    link = box.root / "alias.mkv"
    os.link(box.media.ref, link)
    p = box.vsg("analyze", box.media.ref, link, "--json")
    _refused(box, p, "same file")
    assert "same file" in json_error(p.stdout)["error"]


def test_reference_without_video_is_refused(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.audio_only, box.media.other, "-o", box.out / "x.mkv")
    _refused(box, p, "no video track", "REF")


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("scan_chunk_count", 0, "between 1 and 100"),
    ("scan_chunk_count", 100000, "between 1 and 100"),
    ("scan_chunk_duration", 0, "between 1 and 120"),
    ("min_accepted_chunks", 0, "between 1 and 100"),
])
def test_settings_out_of_range(box: Sandbox, key: str, value: int, needle: str) -> None:
    box.settings(**{key: value})
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mkv")
    _refused(box, p, key, needle, "settings.json")


def test_inverted_scan_range(box: Sandbox) -> None:
    box.settings(scan_start_percentage=90, scan_end_percentage=10)
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mkv", "--json")
    _refused(box, p, "scan_start_percentage", "smaller than")
    assert "scan_end_percentage" in json_error(p.stdout)["error"]


def test_corrupt_settings_file(box: Sandbox) -> None:
    box.settings_file.write_text("{ not json", encoding="utf-8")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mkv")
    _refused(box, p, str(box.settings_file), "unreadable")


def test_uncreatable_temp_root(box: Sandbox) -> None:
    blocker = box.root / "file"
    blocker.write_text("x")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mkv",
                env=box.env(VSG_SET_TEMP_ROOT=str(blocker / "temp")))
    _refused(box, p, "temp_root", str(blocker))


@pytest.mark.parametrize(("flag", "value", "needle"), [
    ("--chunks", "100000", "--chunks 100000 must be between 1 and 100"),
    ("--chunk-duration", "500", "--chunk-duration 500 must be between 1 and 120"),
])
def test_analyze_flag_ranges(box: Sandbox, flag: str, value: str, needle: str) -> None:
    p = box.vsg("analyze", box.media.ref, box.media.other, flag, value, "--json")
    _refused(box, p, needle)
    assert json_error(p.stdout)["exit_code"] == 1


def test_analyze_inverted_scan_flags(box: Sandbox) -> None:
    p = box.vsg("analyze", box.media.ref, box.media.other, "--scan-start", "80", "--scan-end", "20")
    _refused(box, p, "--scan-start 80 must be smaller than --scan-end 20")


def test_batch_workers_zero(box: Sandbox) -> None:
    p = box.vsg("batch", box.media.dir, box.media.dir, "-o", box.out, "--workers", "0")
    _refused(box, p, "--workers 0", "between 1 and 64")


def test_batch_duplicate_outputs_refused_before_start(box: Sandbox) -> None:
    refs, others = box.root / "refs", box.root / "others"
    refs.mkdir()
    others.mkdir()
    os.link(box.media.ref, refs / "ep1.mkv")
    os.link(box.media.ref, refs / "ep1.mp4")
    os.link(box.media.other, others / "ep1.mkv")
    p = box.vsg("batch", refs, others, "-o", box.out, "--json")
    _refused(box, p, "same output", "ep1.mkv")
    json_error(p.stdout)


def test_layout_sync_to_unknown_source(box: Sandbox) -> None:
    sub = box.root / "s.srt"
    sub.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n", encoding="utf-8")
    layout = {"tracks": [{"source": "Source 1", "id": 0, "type": "video"},
                         {"source": "External", "id": 0, "type": "subtitles", "sync_to": "Source 99",
                          "external_path": str(sub)}]}
    lf = box.root / "layout.json"
    lf.write_text(json.dumps(layout), encoding="utf-8")
    p = box.vsg("sync", box.media.ref, box.media.other, "--layout", lf, "-o", box.out / "x.mkv")
    _refused(box, p, "Source 99", "layout.json", "Source 1, Source 2")


def test_layout_unknown_track_id(box: Sandbox) -> None:
    lf = box.root / "layout.json"
    lf.write_text(json.dumps({"tracks": [{"source": "Source 1", "id": 0, "type": "video"},
                                         {"source": "Source 2", "id": 17, "type": "audio"}]}), encoding="utf-8")
    p = box.vsg("sync", box.media.ref, box.media.other, "--layout", lf, "-o", box.out / "x.mkv")
    _refused(box, p, "Source 2 has no track 17")


def test_layout_file_garbage(box: Sandbox) -> None:
    lf = box.root / "layout.json"
    lf.write_bytes(b"\x00\xffgarbage")
    p = box.vsg("sync", box.media.ref, box.media.other, "--layout", lf, "-o", box.out / "x.mkv")
    _refused(box, p, "layout")


def test_sub_file_garbage_named_before_analysis(box: Sandbox) -> None:
    bad = box.root / "garbage.srt"
    bad.write_bytes(os.urandom(3000))
    p = box.vsg("sync", box.media.ref, box.media.other, "--sub", bad, "-o", box.out / "x.mkv")
    _refused(box, p, "garbage.srt", "not a subtitle file")
    assert "Analysis Phase" not in p.stderr


def test_sub_file_missing(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.media.other, "--sub", box.root / "gone.ass", "-o", box.out / "x.mkv")
    _refused(box, p, "gone.ass", "not found")


def test_sub_sync_to_unknown_source(box: Sandbox) -> None:
    sub = box.root / "s.srt"
    sub.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n", encoding="utf-8")
    p = box.vsg("sync", box.media.ref, box.media.other, "--sub", f"{sub}=7", "-o", box.out / "x.mkv")
    _refused(box, p, "Source 7", "not a source")


def test_sub_file_with_an_equals_sign_in_its_name(box: Sandbox) -> None:
    """--sub FILE[=SOURCE]: the split is at the last '=', and a whole argument naming a file is that file."""
    sub = box.root / "Show =Eng= v2.srt"
    sub.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n", encoding="utf-8")
    for arg, sync_to in ((str(sub), "Source 1"), (f"{sub}=2", "Source 2")):
        p = box.vsg("sync", box.media.ref, box.media.other, "--sub", arg, "--print-layout")
        assert p.returncode == 0, p.stderr
        ext = [t for t in json.loads(p.stdout)["tracks"] if t["source"] == "External"]
        assert [(t["external_path"], t["sync_to"]) for t in ext] == [(str(sub), sync_to)]
    box.assert_clean()


@pytest.mark.parametrize(("selector", "needle"), [("9:0", "Source 9"), ("one", "bad track selector"),
                                                  ("2:99", "matches no track")])
def test_bad_track_selectors(box: Sandbox, selector: str, needle: str) -> None:
    p = box.vsg("sync", box.media.ref, box.media.other, "--track", selector, "-o", box.out / "x.mkv")
    _refused(box, p, needle)


def test_truncated_source_named(box: Sandbox) -> None:
    cut = box.root / "truncated.mkv"
    cut.write_bytes(box.media.other.read_bytes()[:20000])
    p = box.vsg("sync", box.media.ref, cut, "-o", box.out / "x.mkv")
    assert p.returncode == 1
    assert "truncated.mkv" in p.stderr + p.stdout
    assert not (box.out / "x.mkv").exists()
    box.assert_clean()


def test_garbage_source_named(box: Sandbox) -> None:
    junk = box.root / "junk.mkv"
    junk.write_bytes(os.urandom(50000))
    p = box.vsg("analyze", box.media.ref, junk, "--json")
    assert p.returncode == 1, p.stderr
    assert "junk.mkv" in p.stderr
    json.loads(p.stdout)  # a JSON object even on failure
    box.assert_clean()


def test_non_utf8_file_name_gets_clear_error(box: Sandbox) -> None:
    odd = Path(os.fsdecode(bytes(box.root) + b"/caf\xe9.mkv"))
    os.link(box.media.other, odd)
    p = box.vsg("sync", box.media.ref, odd, "-o", box.out / "x.mkv")
    _refused(box, p, "not valid UTF-8", "rename")


def test_missing_tool_named_with_install_hint(box: Sandbox) -> None:
    bin_dir = box.root / "bin"
    bin_dir.mkdir()
    for tool in ("ffmpeg", "ffprobe"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mkv",
                env=box.env(PATH=str(bin_dir)))
    _refused(box, p, "mkvmerge", "mkvtoolnix")


def test_usage_error_with_json_prints_json(box: Sandbox) -> None:
    p = box.vsg("analyze", box.media.ref, box.media.other, "--json", "--no-such-flag")
    assert p.returncode == 2
    assert "--no-such-flag" in p.stderr
    assert json_error(p.stdout)["exit_code"] == 2
    box.assert_clean()


def test_analyze_json_failure_prints_json(box: Sandbox) -> None:
    p = box.vsg("analyze", box.media.ref, box.root / "missing.mkv", "--json")
    _refused(box, p, "missing.mkv")
    err = json_error(p.stdout)
    assert err["status"] == "Failed" and "missing.mkv" in err["error"]
