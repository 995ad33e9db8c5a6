"""The background worker of a job (vsg_core/pipeline/background.py): results, log lines and errors reach the step
that takes them; its programs run niced until a step first asks; closing it kills what still runs; the job's
cancel token reaches its programs. Real child processes (sh, sleep); no media."""

from __future__ import annotations

import time

import pytest

from vsg_core import cancel
from vsg_core.errors import MediaError
from vsg_core.log import JobLog
from vsg_core.pipeline.background import NICE, Background
from vsg_core.runner import run


def _niceness(log: JobLog) -> int:
    return int(run(["sh", "-c", "nice"], log).stdout.strip())


def test_take_returns_the_result_and_writes_the_lines_there() -> None:
    bg = Background(None)
    try:
        bg.submit("a", lambda log: (log.log("first"), log.raw("second"), 42)[-1])
        log = JobLog()
        log.raw("before")
        assert bg.take("a", log) == 42
        assert [ln.split("] ", 1)[-1] for ln in log.lines] == ["before", "first", "second"]
        assert not bg.has("a")
    finally:
        bg.close()


def test_the_error_is_raised_by_the_taker_after_its_lines() -> None:
    bg = Background(None)

    def fails(log: JobLog) -> None:
        run(["sh", "-c", "echo broken >&2; exit 3"], log, check=False)
        raise MediaError("track 2 could not be extracted")

    try:
        bg.submit("x", fails)
        log = JobLog()
        with pytest.raises(MediaError, match="track 2 could not be extracted"):
            bg.take("x", log)
        text = "\n".join(log.lines)
        assert "$ sh -c" in text and "[!] Command failed with exit code 3" in text and "broken" in text
    finally:
        bg.close()


def test_niced_until_a_step_asks() -> None:
    base = _niceness(JobLog())   # this process's own niceness (a test runner may be niced already)
    bg = Background(None)
    try:
        bg.submit("early", _niceness)
        assert bg.take("early", JobLog()) == min(19, base + NICE)
        bg.submit("late", _niceness)   # queued after a step asked: the analysis is over
        assert bg.take("late", JobLog()) == base
    finally:
        bg.close()


def test_close_kills_the_running_program_and_waits() -> None:
    bg = Background(None)
    bg.submit("slow", lambda log: run(["sleep", "30"], log))
    bg.submit("never", lambda log: run(["sleep", "30"], log))
    time.sleep(0.3)
    t0 = time.monotonic()
    bg.close()
    assert time.monotonic() - t0 < 5


def test_the_jobs_cancel_token_stops_the_worker_and_the_taker() -> None:
    token = cancel.CancelToken()
    with cancel.cancel_scope(token):
        bg = Background(cancel.current())
        try:
            bg.submit("slow", lambda log: run(["sleep", "30"], log))
            time.sleep(0.3)
            token.cancel("cancelled by the test")
            t0 = time.monotonic()
            with pytest.raises(cancel.Cancelled, match="cancelled by the test"):
                bg.take("slow", JobLog())
            assert time.monotonic() - t0 < 5
        finally:
            bg.close()
