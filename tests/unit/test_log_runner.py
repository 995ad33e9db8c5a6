"""Log formats, the job log sink, the command runner and tool discovery."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest

from vsg_core import backend, log, runner, tools
from vsg_core.errors import CommandError, ToolMissingError


def test_formats_from_the_plan() -> None:
    assert log.format_log_message("error", "disk full") == "[ERROR] disk full"
    assert log.format_log_message("WARNING", "x") == "[WARNING] x"
    bang = log.format_log_message("!", "Command failed with exit code 2")
    assert bang == "[!] Command failed with exit code 2"
    assert log.stamp("hello", dt.datetime(2026, 1, 2, 3, 4, 5)) == "[03:04:05] hello"
    assert log.section("Analysis Phase") == "--- Analysis Phase ---"
    assert log.progress_line(57.4) == "Progress: 57%"
    assert log.tail_block("stderr", "a\nb\n\nc\n", 2) == "[stderr/tail]\nb\nc"


def test_job_log_file_and_callbacks(tmp_path: Path) -> None:
    seen: list[str] = []
    path = tmp_path / "job ü.log"
    with log.JobLog(path, [seen.append]) as jl:
        jl.section("Extract")
        jl.info("  spaced  ")
        jl.raw("=== Job Finished ===")
    content = path.read_text(encoding="utf-8").splitlines()
    assert content[0] == "--- Extract ---"
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] \[INFO\]   spaced", content[1])
    assert content[2] == "=== Job Finished ==="
    assert seen[1].endswith("[INFO]   spaced  "), "callbacks receive the unstripped line"


def test_runner_logs_command_and_failure_tail() -> None:
    jl = log.JobLog()
    code = "import sys; print('out'); sys.stderr.write('line1\\nbad thing\\n'); sys.exit(3)"
    with pytest.raises(CommandError) as ei:
        runner.run([sys.executable, "-c", code], jl, what="movie.mkv")
    assert ei.value.returncode == 3
    assert "movie.mkv" in str(ei.value) and "bad thing" in str(ei.value)
    assert any(line.split("] ", 1)[1].startswith("$ ") for line in jl.lines)
    assert any(line.endswith("[!] Command failed with exit code 3") for line in jl.lines)
    tail = [line for line in jl.lines if "[stderr/tail]" in line]
    assert tail and tail[0].endswith("[stderr/tail]\nline1\nbad thing")


def test_runner_keeps_stderr_out_of_binary_stdout() -> None:
    code = "import sys; sys.stderr.write('noise'); sys.stdout.buffer.write(bytes(range(8)))"
    proc = runner.run([sys.executable, "-c", code], binary=True)
    assert proc.stdout == bytes(range(8))


def test_missing_program_names_it_and_the_package() -> None:
    with pytest.raises(ToolMissingError, match="mkvmerge-does-not-exist"):
        runner.run(["mkvmerge-does-not-exist", "-J", "x.mkv"])
    with pytest.raises(ToolMissingError, match=r"no-such-tool-xyz.*apt-get install"):
        tools.require("no-such-tool-xyz")


def test_required_tools_are_installed() -> None:
    found = tools.discover()
    for name in tools.REQUIRED:
        assert Path(found[name]).exists()


def test_backend_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    backend.set_backend(None)
    monkeypatch.delenv("VSG_BACKEND", raising=False)
    assert backend.active_backend() == "rust", "Rust is the default when vsg_core_rs is importable"
    monkeypatch.setenv("VSG_BACKEND", "python")
    assert backend.active_backend() == "python"
    monkeypatch.setenv("VSG_BACKEND", "fortran")
    with pytest.raises(ValueError, match="fortran"):
        backend.active_backend()
    backend.set_backend("rust")
    assert backend.active_backend() == "rust"
    backend.set_backend(None)


def test_cancel_kills_a_running_command() -> None:
    import threading

    from vsg_core.cancel import Cancelled, CancelToken, cancel_scope

    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    with cancel_scope(token), pytest.raises(Cancelled, match="cancelled"):
        runner.run([sys.executable, "-c", "import time; time.sleep(30)"])
    assert token.cancelled


def test_large_input_reaches_a_slow_reader_under_a_cancel_token() -> None:
    """Under a job's cancel token the runner polls communicate(); the whole input must still reach a child that
    starts reading late (the FLAC encoder of a corrected track hung here when the retry dropped the input)."""
    from vsg_core.cancel import CancelToken, cancel_scope

    data = bytes(range(256)) * (8 * 1024 * 1024 // 256)  # 8 MiB, far more than a pipe holds
    reader = "import sys, time, hashlib; time.sleep(0.5); print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"
    with cancel_scope(CancelToken()):
        proc = runner.run([sys.executable, "-c", reader], input_bytes=data, timeout=60)
    import hashlib
    assert proc.stdout.strip() == hashlib.sha256(data).hexdigest()
