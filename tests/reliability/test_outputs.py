"""Output policy, per-output lock, odd file names, read-only and full targets."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vsg_core.pipeline.output_policy import OutputError, OutputLock

from .conftest import Sandbox, json_error, sha

pytestmark = pytest.mark.media


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _merged(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout)
    assert res["status"] == "Merged", res
    return res


# ------------------------------------------------------------------------------------------ names and folders
def test_wrong_extension_refused_and_namesake_untouched(box: Sandbox) -> None:
    namesake = box.out / "movie.mkv"
    namesake.write_bytes(b"an unrelated file")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "movie.mp4")
    assert p.returncode == 1
    assert "must end in .mkv, .mka or .mks" in p.stderr and "movie.mp4" in p.stderr
    assert namesake.read_bytes() == b"an unrelated file" and _only(box.out) == ["movie.mkv"]
    box.assert_clean()


def test_video_in_an_audio_only_output_refused(box: Sandbox) -> None:
    # an .mka (audio-only Matroska) with the default layout would carry the reference's video
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mka")
    assert p.returncode != 0
    assert "x.mka is audio-only Matroska, but the layout has video track 1 (Source 1:0)" in p.stderr, p.stderr
    assert "name the output .mkv" in p.stderr
    assert _only(box.out) == []
    box.assert_clean()


def test_existing_output_needs_overwrite(box: Sandbox) -> None:
    old = box.out / "x.mkv"
    old.write_bytes(b"earlier result")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", old, "--json")
    assert p.returncode == 1
    assert "already exists" in p.stderr and "--overwrite" in p.stderr
    assert "--overwrite" in json_error(p.stdout)["error"]
    assert old.read_bytes() == b"earlier result" and _only(box.out) == ["x.mkv"]
    box.assert_clean()


def test_output_that_is_a_source_refused(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.media.other, "--overwrite")
    assert p.returncode == 1 and "would overwrite Source 2" in p.stderr
    box.assert_clean()


def test_log_name_that_is_a_source_refused(box: Sandbox) -> None:
    src = box.out / "take.log"           # a release that happens to carry the name the log would get
    os.link(box.media.other, src)
    p = box.vsg("sync", box.media.ref, src, "-o", box.out / "take.mkv")
    assert p.returncode == 1 and "job log" in p.stderr and "overwrite a source" in p.stderr
    assert sha(src) == box.media.hashes[box.media.other] and _only(box.out) == ["take.log"]
    box.assert_clean()


def test_output_name_too_long_refused(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / ("n" * 300 + ".mkv"))
    assert p.returncode == 1 and "at most 255 bytes" in p.stderr
    assert not any(box.out.iterdir())
    box.assert_clean()


def test_output_under_proc_refused(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", "/proc/vsg-test/x.mkv")
    assert p.returncode == 1 and "/proc/vsg-test" in p.stderr
    box.assert_clean()


def test_earlier_log_is_never_overwritten(box: Sandbox) -> None:
    cut = box.root / "cut.mkv"
    cut.write_bytes(box.media.other.read_bytes()[:30000])
    old_log = box.out / "x.log"
    old_log.write_text("log of an earlier job\n", encoding="utf-8")
    p = box.vsg("sync", box.media.ref, cut, "-o", box.out / "x.mkv")
    assert p.returncode == 1 and "cut.mkv" in p.stderr
    assert old_log.read_text(encoding="utf-8") == "log of an earlier job\n"
    new_log = box.out / "x.1.log"
    assert new_log.is_file() and "Job failed" in new_log.read_text(encoding="utf-8")
    assert _only(box.out) == ["x.1.log", "x.log"]
    box.assert_clean()


def test_odd_names_reach_the_tools_as_files(box: Sandbox) -> None:
    """Files named like options (-x, @x: mkvmerge option file) and with quotes/unicode are read as files."""
    names = ["@opts.mkv", "Ünïcödé 'single' \"double\" $(x).mka"]
    os.link(box.media.other, box.root / names[0])
    os.link(box.media.audio_only, box.root / names[1])
    os.link(box.media.ref, box.root / "-ref.mkv")
    p = box.vsg("sync", "--print-layout", "--", "-ref.mkv", *names, cwd=box.root)
    assert p.returncode == 0, p.stderr
    layout = json.loads(p.stdout)
    assert {t["source"] for t in layout["tracks"]} == {"Source 1", "Source 2", "Source 3"}
    box.assert_clean()


@pytest.mark.slow
def test_dash_named_reference_is_analysed(box: Sandbox) -> None:
    os.link(box.media.ref, box.root / "-ref.mkv")
    p = box.vsg("analyze", "--json", "-q", "--chunks", "4", "--", "-ref.mkv", str(box.media.other), cwd=box.root)
    assert p.returncode == 0, p.stderr
    assert abs(json.loads(p.stdout)["sources"][0]["delay_ms"] - 1235) <= 1  # truth: +1234.567 ms
    box.assert_clean()


# ------------------------------------------------------------------------------------------ full jobs
@pytest.mark.slow
def test_existing_folder_means_into_it(box: Sandbox) -> None:
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out, "--json", "-q", "--no-audit")
    res = _merged(p)
    assert Path(res["output"]) == box.out / "ref.mkv" and Path(res["log"]) == box.out / "ref.log"
    assert _only(box.out) == ["ref.log", "ref.mkv"]
    assert not (box.root / "out.mkv").exists()
    box.assert_clean()


@pytest.mark.slow
def test_trailing_slash_creates_the_folder(box: Sandbox) -> None:
    target = box.root / "new folder"
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", f"{target}/", "--json", "-q", "--no-audit")
    res = _merged(p)
    assert Path(res["output"]) == target / "ref.mkv" and _only(target) == ["ref.log", "ref.mkv"]
    box.assert_clean()


@pytest.mark.slow
def test_overwrite_replaces_after_the_audit(box: Sandbox) -> None:
    old = box.out / "x.mkv"
    old.write_bytes(b"earlier result")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", old, "--overwrite", "--json")
    res = _merged(p)
    assert res["audit"] is not None
    assert old.stat().st_size > 1_000_000
    log = (box.out / "x.log").read_text(encoding="utf-8")
    assert log.index("Final Audit") < log.index("[SUCCESS] Output file created") and "was replaced" in log
    box.assert_clean()


@pytest.mark.slow
def test_long_output_name_works(box: Sandbox) -> None:
    name = "L" * 240 + ".mkv"
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / name, "--json", "-q", "--no-audit")
    _merged(p)
    assert _only(box.out) == sorted([name, "L" * 240 + ".log"])
    box.assert_clean()


@pytest.mark.slow
def test_sources_with_the_longest_names_the_file_system_accepts(box: Sandbox) -> None:
    """Source, subtitle and output names of 255 bytes (the most a file name may have): the temp files vsg
    derives from them (extracted tracks, retimed subtitles, chapters, copied --sub file) and the older-log name
    are shortened, the job runs and the final names are the ones the user's names give."""
    ref_stem = "é" * 125 + "x"                   # 251 bytes: with ".mkv" a 255-byte name, multi-byte characters
    other_stem = "B" * 251
    ref, other = box.root / f"{ref_stem}.mkv", box.root / f"{other_stem}.mkv"
    os.link(box.media.ref, ref)
    os.link(box.media.other, other)
    sub = box.root / ("S" * 251 + ".srt")
    sub.write_text("1\n00:00:01,000 --> 00:00:03,000\nhello\n\n", encoding="utf-8")
    old_log = box.out / f"{ref_stem}.log"        # an earlier log: this job's log needs the longer .1.log name
    old_log.write_text("earlier\n", encoding="utf-8")
    assert all(len(os.fsencode(p.name)) == 255 for p in (ref, other, sub))
    p = box.vsg("sync", ref, other, "--sub", sub, "-o", box.out, "--json", "-q", "--no-audit")
    res = _merged(p)
    assert Path(res["output"]) == box.out / f"{ref_stem}.mkv"
    log = Path(res["log"])
    assert log.parent == box.out and log.name.endswith(".1.log") and len(os.fsencode(log.name)) <= 255
    assert "[SUCCESS] Output file created" in log.read_text(encoding="utf-8")
    assert old_log.read_text(encoding="utf-8") == "earlier\n"
    tracks = json.loads(subprocess.run(["mkvmerge", "-J", str(box.out / f"{ref_stem}.mkv")], capture_output=True,
                                       text=True, check=True).stdout)["tracks"]
    assert sum(t["type"] == "subtitles" for t in tracks) >= 3  # ref's and other's ASS + the external SRT
    assert _only(box.out) == sorted([f"{ref_stem}.mkv", old_log.name, log.name])
    box.assert_clean()


@pytest.mark.slow
def test_control_characters_in_source_names(box: Sandbox) -> None:
    """A newline or tab in a source's (or --sub file's) name: the temp files named after it are still
    written (mkvextract refuses an output name with a newline) and the output keeps the name asked for."""
    other = box.root / "new\nline\t.mkv"
    os.link(box.media.other, other)
    sub = box.root / "s\nub.srt"
    sub.write_text("1\n00:00:01,000 --> 00:00:03,000\nhello\n\n", encoding="utf-8")
    out = box.out / "o\nut.mkv"
    res = _merged(box.vsg("sync", box.media.ref, other, "--sub", sub, "-o", out, "--json", "-q", "--no-audit"))
    assert Path(res["output"]) == out and out.stat().st_size > 1_000_000
    assert _only(box.out) == ["o\nut.log", "o\nut.mkv"]
    box.assert_clean()


@pytest.mark.slow
def test_two_sub_files_of_the_same_name_keep_their_own_text(box: Sandbox) -> None:
    """``--sub en/eng.srt --sub de/eng.srt``: both files are copied into the job's temp folder; the second copy
    must not replace the first (each muxed track carries its own file's text)."""
    texts = {"en": "FIRST FILE", "de": "SECOND FILE"}
    subs = []
    for folder, text in texts.items():
        (box.root / folder).mkdir()
        s = box.root / folder / "eng.srt"
        s.write_text(f"1\n00:00:01,000 --> 00:00:03,000\n{text}\n\n", encoding="utf-8")
        subs += ["--sub", s]
    out = box.out / "subs.mkv"
    _merged(box.vsg("sync", box.media.ref, box.media.other, *subs, "-o", out, "--json", "-q", "--no-audit"))
    tracks = json.loads(subprocess.run(["mkvmerge", "-J", str(out)], capture_output=True, text=True,
                                       check=True).stdout)["tracks"]
    srt = [t["id"] for t in tracks if t["codec"] == "SubRip/SRT"]
    assert len(srt) == 2, tracks
    got = []
    for tid in srt:
        dst = box.root / f"t{tid}.srt"
        subprocess.run(["mkvextract", str(out), "tracks", f"{tid}:{dst}"], capture_output=True, check=True)
        got.append(dst.read_text(encoding="utf-8-sig"))
    assert ["FIRST FILE" in g for g in got] == [True, False] and ["SECOND FILE" in g for g in got] == [False, True]
    box.assert_clean()


def _wait_for(proc: subprocess.Popen, marker: str, timeout: float = 240) -> list[str]:
    seen: list[str] = []
    end = time.monotonic() + timeout
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            return seen
        if time.monotonic() > end:
            break
    raise AssertionError(f"{marker!r} never appeared:\n{''.join(seen[-30:])}")


@pytest.mark.slow
def test_second_job_for_same_output_fails_at_once(box: Sandbox) -> None:
    out = box.out / "same.mkv"
    first = subprocess.Popen(box.cmd("sync", box.media.ref, box.media.other, "-o", out, "--no-audit"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=box.env(), cwd=box.root)
    try:
        _wait_for(first, "--- Analysis Phase ---")
        second = box.vsg("sync", box.media.ref, box.media.other, "-o", out, "--json")
        assert first.poll() is None, "the second job should fail while the first is still running"
        assert second.returncode == 1
        assert "Analysis Phase" not in second.stderr, "the second job started working before failing"
        assert "another vsg job is already writing" in json_error(second.stdout)["error"]
        _, first_err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, first_err[-2000:]
    assert out.stat().st_size > 1_000_000
    assert _only(box.out) == ["same.log", "same.mkv"]
    box.assert_clean()


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    final = tmp_path / "a.mkv"
    with OutputLock(final):
        with pytest.raises(OutputError, match="another vsg job is already writing"):
            OutputLock(final).acquire()
    with OutputLock(final):          # released: a later job gets it
        pass
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------------------ read-only and full disks
@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator:
    """Mount a small tmpfs (needs root, as in CI containers); yields a mounter."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; run the suite as root (CI does) to cover full disks")
    mounted: list[Path] = []

    def mount(name: str, size: str, *opts: str) -> Path:
        d = tmp_path / name
        d.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={size}", *opts)), "tmpfs", str(d)],
                       check=True)
        mounted.append(d)
        return d

    yield mount
    for d in mounted:
        subprocess.run(["umount", "-l", str(d)], check=False)


def test_read_only_output_folder_refused(box: Sandbox, small_fs) -> None:
    ro = small_fs("ro", "1m", "ro")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", ro / "x.mkv")
    assert p.returncode == 1 and "read-only" in p.stderr and str(ro) in p.stderr
    box.assert_clean()


@pytest.mark.slow
def test_full_output_disk_fails_cleanly(box: Sandbox, small_fs) -> None:
    full = small_fs("full", "2m")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", full / "x.mkv", "--json", "-q")
    assert p.returncode == 1
    err = json.loads(p.stdout)["error"]
    assert "space" in err.lower() or "mkvmerge" in err, err
    assert sorted(x.name for x in full.iterdir()) == ["x.log"], "a partial output was left on the full disk"
    box.assert_clean()


@pytest.mark.slow
def test_full_temp_root_fails_cleanly(box: Sandbox, small_fs) -> None:
    tiny = small_fs("tinytemp", "1m")
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", box.out / "x.mkv", "--json", "-q",
                env=box.env(VSG_SET_TEMP_ROOT=str(tiny)))
    assert p.returncode == 1
    err = json.loads(p.stdout)["error"]
    assert err, p.stdout
    assert not list(tiny.iterdir()), f"temp left on the full temp_root: {list(tiny.iterdir())}"
    assert _only(box.out) == ["x.log"]
    box.assert_clean()


def test_disk_too_full_for_the_log(box: Sandbox, small_fs) -> None:
    full = small_fs("nolog", "64k")
    fd = os.open(full / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    p = box.vsg("sync", box.media.ref, box.media.other, "-o", full / "x.mkv", "--json", "-q")
    assert p.returncode == 1
    err = json.loads(p.stdout)["error"]
    assert "space" in err.lower(), err
    assert sorted(x.name for x in full.iterdir()) in (["filler"], ["filler", "x.log"])
    box.assert_clean()


def test_existing_output_helper_for_the_gui(tmp_path: Path) -> None:
    from vsg_core.pipeline.output_policy import existing_output

    ref = tmp_path / "ref.mkv"
    ref.write_bytes(b"x")
    sources = {"Source 1": ref}
    assert existing_output(ref, sources, output_dir=tmp_path / "out") is None
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ref.mkv").write_bytes(b"old")
    assert existing_output(ref, sources, output_dir=tmp_path / "out") == tmp_path / "out" / "ref.mkv"
    assert (tmp_path / "out" / "ref.mkv").read_bytes() == b"old"


def test_log_name_that_is_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    """``x.log`` is a symbolic link to another file: even with --overwrite the job log goes to ``x.1.log``; it
    was opened through the link and replaced the linked file's content."""
    from vsg_core.pipeline.output_policy import resolve_output

    ref = tmp_path / "ref.mkv"
    ref.write_bytes(b"x")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.log").symlink_to(precious)
    for overwrite in (False, True):
        plan = resolve_output(ref, {"Source 1": ref}, output_file=out / "x.mkv", overwrite=overwrite)
        assert plan.log == out / "x.1.log"
    assert precious.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.slow
def test_overwrite_keeps_old_output_when_audit_fails(box: Sandbox, media_case) -> None:
    """Linear drift muxed with one constant delay ends tens of ms off: the audit fails, the old file stays. (The
    drift correction is switched off: with it on, the corrected track passes the audit.)"""
    drift = box.root / "drift.mkv"
    drift.write_bytes(media_case("drift").other.read_bytes())
    old = box.out / "x.mkv"
    old.write_bytes(b"earlier result")
    env = dict(box.env(), VSG_SET_CORRECTION_LINEAR_ENABLED="false")
    p = box.vsg("sync", box.media.ref, drift, "-o", old, "--overwrite", "--json", "-q", env=env)
    assert p.returncode == 1, p.stdout[-2000:]
    res = json.loads(p.stdout)
    assert "did not pass its audit" in res["error"] and "kept unchanged" in res["error"]
    assert old.read_bytes() == b"earlier result"
    assert _only(box.out) == ["x.log", "x.mkv"]
    box.assert_clean()
