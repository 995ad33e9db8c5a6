"""How the command line reports an internal error (a bug): one line without --debug, the traceback with it; a
JSON error object in --json mode. The failing command is replaced in-process: the behaviour under test is the
CLI's, not a tool's."""

from __future__ import annotations

import json

import pytest

from vsg_core import cli
from vsg_core.commands import analyze, media


def _boom(_args) -> int:
    raise RuntimeError("simulated bug")


def test_internal_error_without_debug_has_no_traceback(monkeypatch, capsys) -> None:
    monkeypatch.setattr(media, "run", _boom)
    assert cli.main(["media", "list"]) == 1
    err = capsys.readouterr().err
    assert "internal error (RuntimeError: simulated bug)" in err and "--debug" in err
    assert "Traceback" not in err


def test_internal_error_with_debug_shows_traceback(monkeypatch, capsys) -> None:
    monkeypatch.setattr(media, "run", _boom)
    assert cli.main(["--debug", "media", "list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "simulated bug" in err


@pytest.mark.parametrize("exc", [RuntimeError("simulated bug"), OSError(28, "No space left on device", "/x/y")])
def test_internal_error_in_json_mode(monkeypatch, capsys, exc: Exception) -> None:
    def fail(_args) -> int:
        raise exc

    monkeypatch.setattr(analyze, "run", fail)
    assert cli.main(["analyze", "a.mkv", "b.mkv", "--json"]) == 1
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["status"] == "Failed" and data["exit_code"] == 1
    assert str(exc.args[-1]) in data["error"] or "simulated bug" in data["error"]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["sync", "batch"])
def test_help_gives_the_exit_status_of_a_cancelled_run(command: str, capsys) -> None:
    """A cancelled run exits with 128+N (tests/reliability/test_signals.py); the help said 1 for sync."""
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = capsys.readouterr().out
    assert "128+N" in text and "130 for Ctrl+C" in text
    assert not any(line.lstrip().startswith("1 ") and "cancel" in line for line in text.splitlines())
